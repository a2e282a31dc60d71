from django.apps import AppConfig


class SessionsConfig(AppConfig):
    """Training sessions. The folder is `sessions` but the label is `training_sessions`:
    Django's own sessions app owns the label `sessions`."""

    name = "sessions"
    label = "training_sessions"
    verbose_name = "Training sessions"
