from django.views.generic import ListView

from audit.forms import EventFilterForm
from audit.models import AuditEvent
from audit.selectors import event_list
from core.permissions import RoleRequiredMixin
from core.roles import Role


class EventListView(RoleRequiredMixin, ListView):
    """The audit trail, newest first, filtered by action, person and dates."""

    roles = (Role.COORDINATOR, Role.MANAGER)
    template_name = "audit/event_list.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self):
        self.form = EventFilterForm(self.request.GET or None)
        if self.form.is_bound and not self.form.is_valid():
            # A filter that could not be read shows its errors, not an unfiltered list.
            return AuditEvent.objects.none()
        filters = self.form.cleaned_data if self.form.is_bound else {}
        return event_list(**filters)

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, **kwargs)
