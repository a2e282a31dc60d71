from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.utils.module_loading import autodiscover_modules

from core import hooks


@register()
def check_front_end_assets(app_configs, **kwargs) -> list[Warning]:
    """Bootstrap and htmx come from npm; without them every page renders unstyled."""
    missing = [
        str(entry[1] if isinstance(entry, tuple) else entry)
        for entry in settings.STATICFILES_DIRS
        if not Path(entry[1] if isinstance(entry, tuple) else entry).is_dir()
    ]
    if not missing:
        return []
    return [
        Warning(
            "Front-end assets are missing: " + ", ".join(missing),
            hint="Run `make assets` (npm ci) to install Bootstrap and htmx.",
            id="core.W001",
        )
    ]


@register()
def check_media_is_not_public(app_configs, **kwargs) -> list[Warning]:
    """Uploads hold personal data: they must never sit where static files are served from."""
    media = Path(settings.MEDIA_ROOT).resolve()
    public = [Path(settings.STATIC_ROOT).resolve()] + [
        Path(entry[1] if isinstance(entry, tuple) else entry).resolve()
        for entry in settings.STATICFILES_DIRS
    ]
    clashes = [str(folder) for folder in public if media.is_relative_to(folder)]
    if not clashes:
        return []
    return [
        Warning(
            f"MEDIA_ROOT ({media}) is inside a public static folder: {', '.join(clashes)}.",
            hint="Set MEDIA_ROOT outside STATIC_ROOT and STATICFILES_DIRS.",
            id="core.W002",
        )
    ]


@register()
def check_required_hooks(app_configs, **kwargs) -> list[Error]:
    """A required hook with no listener would silently mean "nothing to do" (e.g. nobody booked)."""
    autodiscover_modules("hooks")
    return [
        Error(
            f"No app listens to {hook.name}, which must have a listener.",
            hint="Connect one in the listening app's AppConfig.ready(); see docs/architecture.md.",
            id="core.E001",
        )
        for hook in hooks.DECLARED
        if hook.required and not hook.listeners
    ]
