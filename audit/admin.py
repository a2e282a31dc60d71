from django.contrib import admin

from audit.actions import action_choices
from audit.models import AuditEvent


class ActionFilter(admin.SimpleListFilter):
    """By action, with the labels the apps registered (the column itself has no choices)."""

    title = "action"
    parameter_name = "action__exact"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return action_choices()

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only, for admins as for everyone."""

    list_display = ["created_at", "action_label", "actor", "object_repr", "path", "ip_address"]
    list_filter = [ActionFilter, "object_type", "created_at"]
    list_select_related = ["actor", "object_type"]
    search_fields = ["actor__email", "object_repr", "path"]
    date_hierarchy = "created_at"
    # The action's label stands in for the stored value, where the field was.
    fields = readonly_fields = tuple(
        "action_label" if field.name == "action" else field.name
        for field in AuditEvent._meta.fields
    )

    @admin.display(description="action", ordering="action")
    def action_label(self, event: AuditEvent) -> str:
        return event.get_action_display()

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
