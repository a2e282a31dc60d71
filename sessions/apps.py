from django.apps import AppConfig


class SessionsConfig(AppConfig):
    """Training sessions. The folder is `sessions` but the label is `training_sessions`:
    Django's own sessions app owns the label `sessions`."""

    name = "sessions"
    label = "training_sessions"
    verbose_name = "Training sessions"

    def ready(self) -> None:
        from audit.actions import action_register
        from sessions.audit_actions import SessionAction

        action_register(SessionAction, position=60)

        from people.models import Role
        from people.navigation import MenuEntry, menu_register, start_page_register

        start_page_register(role=Role.COORDINATOR, label="Schedule", url_name="sessions:schedule")
        start_page_register(role=Role.TRAINER, label="My sessions", url_name="sessions:my-sessions")
        coordinator = (Role.COORDINATOR,)
        menu_register(
            MenuEntry("Courses", "sessions:course-list", roles=coordinator, position=100),
            MenuEntry("Venues", "sessions:venue-list", roles=coordinator, position=110),
            MenuEntry("Import", "sessions:import", roles=coordinator, position=400),
            MenuEntry(
                "My calendar",
                "sessions:my-calendar",
                roles=(Role.COORDINATOR, Role.TRAINER),
                position=410,
            ),
        )

        # Trainers sit below sessions: they learn who is booked, and let sessions react to a
        # corrected certification or a trainer leaving, through their hooks.
        from sessions.selectors import session_bookings
        from sessions.services import (
            assignments_on_trainer_left,
            sessions_on_certification_changed,
        )
        from trainers.hooks import bookings, certification_changed, trainer_left

        bookings.connect(session_bookings)
        certification_changed.connect(sessions_on_certification_changed)
        trainer_left.connect(assignments_on_trainer_left)

        from people.hooks import demo_seed
        from sessions.demo import seed_sessions

        demo_seed.connect(seed_sessions)
