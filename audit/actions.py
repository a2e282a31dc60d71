"""What an audit event can record: each app registers its own actions.

An app declares its actions as a `TextChoices` class (in its `audit_actions.py`) and registers it
in its `AppConfig.ready()`:

    action_register(SessionAction, position=60)

so the audit trail, the lowest app that records anything, never names a higher app. The column
holds no `choices` (a new action needs no migration); instead `audit_record` refuses an action
nobody registered, and `manage.py check` refuses two apps registering one value, a value that does
not fit the column, and two actions sharing a label (audit.E001 to audit.E004).

`position` places an app's actions in the audit page's filter: smaller first, each class in the
order it declares its members. It is explicit so that the order of INSTALLED_APPS decides nothing.
"""

from dataclasses import dataclass

from django.db import models


class AccessAction(models.TextChoices):
    """Signing in and out, recorded from Django's and axes' signals, and refused pages."""

    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_IN_LOCKED = "sign_in_locked", "Locked out after failed sign-ins"
    SIGN_OUT = "sign_out", "Signed out"
    PERMISSION_DENIED = "permission_denied", "Permission denied"


class ExportAction(models.TextChoices):
    """A download of data, recorded by `audit.exports.csv_response` and by other exports."""

    EXPORT = "export", "Exported data"


@dataclass(frozen=True)
class Registration:
    """One app's actions and where they come in the audit page's filter."""

    actions: type[models.TextChoices]
    position: int

    @property
    def name(self) -> str:
        return f"{self.actions.__module__}.{self.actions.__qualname__}"


REGISTERED: list[Registration] = []


def action_register(actions: type[models.TextChoices], *, position: int) -> None:
    """Let the audit trail record `actions` (once, however often `ready()` runs)."""
    if not any(registration.actions is actions for registration in REGISTERED):
        REGISTERED.append(Registration(actions=actions, position=position))


def action_registrations() -> list[Registration]:
    """Every registration in filter order: by position, then in the order they were made."""
    return sorted(REGISTERED, key=lambda registration: registration.position)


def action_choices() -> list[tuple[str, str]]:
    """(value, label) of every registered action, in filter order; a value only once."""
    choices: dict[str, str] = {}
    for registration in action_registrations():
        for value, label in registration.actions.choices:
            choices.setdefault(value, label)
    return list(choices.items())


def action_is_registered(value: str) -> bool:
    return any(value in registration.actions.values for registration in REGISTERED)


def action_label(value: str) -> str:
    """The label people read for an action; the stored value itself if nobody registers it."""
    return dict(action_choices()).get(value, value)
