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

        # Trainers sit below sessions, so they learn who is booked through this hook.
        from sessions.selectors import session_bookings
        from trainers.selectors import BOOKINGS

        if session_bookings not in BOOKINGS:
            BOOKINGS.append(session_bookings)

        # A lead's certification cut short can leave a confirmed session not service-user-led.
        from sessions.services import sessions_on_certification_changed
        from trainers.services import CERTIFICATION_CHANGED

        if sessions_on_certification_changed not in CERTIFICATION_CHANGED:
            CERTIFICATION_CHANGED.append(sessions_on_certification_changed)

        # A trainer who leaves is taken off the sessions still to come.
        from sessions.services import assignments_on_trainer_left
        from trainers.services import TRAINER_LEFT

        if assignments_on_trainer_left not in TRAINER_LEFT:
            TRAINER_LEFT.append(assignments_on_trainer_left)

        from people.hooks import demo_seed
        from sessions.demo import seed_sessions

        demo_seed.connect(seed_sessions)
