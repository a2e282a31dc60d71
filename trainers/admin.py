# Sensitive trainer data (Trainer.PRIVATE_FIELDS, support sessions, wellbeing check-ins) is never
# shown in the admin: see the section "Support, wellbeing and privacy".
from django import forms
from django.contrib import admin

from trainers.models import Trainer
from trainers.services import trainer_leave

# --- Support, wellbeing and privacy ---
# SupportSession and WellbeingCheckIn are deliberately not registered: their content is for the
# trainer and their named supporter only (docs/domain.md#privacy), and admins are neither.
# Trainer is registered for the operational fields an admin may need to fix (account, region,
# status, supporter). Besides PRIVATE_FIELDS, reasonable adjustments (which can reveal health
# needs) and the yearly earnings limit (which reveals benefits) are left out too: coordinators
# see those on the trainer pages, and an admin has no need for them.
ADMIN_HIDDEN_FIELDS = (*Trainer.PRIVATE_FIELDS, "reasonable_adjustments", "yearly_earnings_limit")
# An allow-list, so a field added to Trainer later stays out of the admin until someone decides.
ADMIN_FIELDS = (
    "user",
    "region",
    "status",
    "supporter",
    "role_description",
    "programme",
    "involvement",
    "max_sessions_per_month",
    "reminder_lead_days",
    "payment_choice",
)


class TrainerAdminForm(forms.ModelForm):
    class Meta:
        model = Trainer
        fields = ADMIN_FIELDS


@admin.register(Trainer)
class TrainerAdmin(admin.ModelAdmin):
    form = TrainerAdminForm
    fields = ADMIN_FIELDS
    list_display = ["user", "region", "status", "supporter"]
    list_filter = ["status", "region"]
    list_select_related = ["user", "region", "supporter"]
    search_fields = ["user__full_name", "user__email"]
    autocomplete_fields = ["user", "supporter"]

    def get_queryset(self, request):
        # The private columns are never even read for the admin's pages.
        return super().get_queryset(request).defer(*ADMIN_HIDDEN_FIELDS)

    def save_model(self, request, obj, form, change):
        # Leaving has consequences (reminders stopped, sessions still to come given up), so a
        # status changed to "left" goes through the service rather than a bare save.
        leaving = change and "status" in form.changed_data and obj.status == Trainer.Status.LEFT
        if leaving:
            obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        if leaving:
            trainer_leave(trainer=obj, by=request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a trainer would delete their check-ins and support sessions, and the
        # confirmation page would list them: ending someone's involvement is status "left".
        return False
