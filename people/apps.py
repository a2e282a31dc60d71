from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate

from core.roles import Role


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from audit.actions import action_register
        from people.audit_actions import RoleAction, SecondFactorAction

        action_register(RoleAction, position=20)
        action_register(SecondFactorAction, position=40)

        # The audit trail and notifications sit below people, so their pages join the menu here.
        from people.navigation import MenuEntry, menu_register

        menu_register(
            MenuEntry(
                "Audit trail",
                "audit:event-list",
                roles=(Role.COORDINATOR, Role.MANAGER),
                position=500,
            ),
            MenuEntry(
                "Failed email", "notifications:failed-list", roles=(Role.COORDINATOR,), position=510
            ),
        )

        # Permissions exist only once their app has migrated, so role groups are brought in step
        # after every app's migration rather than in a data migration.
        post_migrate.connect(_sync_role_groups, dispatch_uid="people.role_groups_sync")
        user_logged_in.connect(_start_session_clock, dispatch_uid="people.session_clock")


def _sync_role_groups(**kwargs) -> None:
    from people.services import role_groups_sync

    role_groups_sync(using=kwargs.get("using", "default"))


def _start_session_clock(sender, request, user, **kwargs) -> None:
    from people.middleware import session_clock_start

    session_clock_start(request)
