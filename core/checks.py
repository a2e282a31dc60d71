from pathlib import Path

from django.conf import settings
from django.core.checks import Warning, register


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
