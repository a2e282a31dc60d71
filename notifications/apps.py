from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from audit.actions import action_register
        from notifications.audit_actions import NotificationAction

        action_register(NotificationAction, position=80)
