from django.apps import AppConfig


class SessionsConfig(AppConfig):
    """Training sessions. The folder is `sessions` but the label is `training_sessions`:
    Django's own sessions app owns the label `sessions`."""

    name = "sessions"
    label = "training_sessions"
    verbose_name = "Training sessions"

    def ready(self) -> None:
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

        from people.demo import register
        from sessions.demo import seed_sessions

        register(seed_sessions)
