from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only, for admins as for everyone."""

    list_display = ["created_at", "action", "actor", "object_repr", "path", "ip_address"]
    list_filter = ["action", "object_type", "created_at"]
    list_select_related = ["actor", "object_type"]
    search_fields = ["actor__email", "object_repr", "path"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
