from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from audit import checks, receivers  # noqa: F401 (checks: registered on import)
        from audit.actions import AccessAction, ExportAction, action_register

        action_register(AccessAction, position=10)
        action_register(ExportAction, position=30)

        user_logged_in.connect(receivers.on_user_logged_in, dispatch_uid="audit.sign_in")
        user_logged_out.connect(receivers.on_user_logged_out, dispatch_uid="audit.sign_out")
        user_login_failed.connect(
            receivers.on_user_login_failed, dispatch_uid="audit.sign_in_failed"
        )
        user_locked_out.connect(receivers.on_user_locked_out, dispatch_uid="audit.sign_in_locked")
