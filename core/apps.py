from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Imported for their side effects: the system checks, and the token and code converters.
        from core import checks, converters  # noqa: F401
