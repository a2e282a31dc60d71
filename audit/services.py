import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from audit.actions import action_is_registered
from audit.models import AuditEvent
from core.clientaddress import client_address

if TYPE_CHECKING:
    # django-stubs reads this alias as settings.AUTH_USER_MODEL (people.User): audit names the
    # user model without importing people, which sits above it.
    from django.contrib.auth.models import _User

# A field whose name contains one of these never has its value stored, only that it changed.
SENSITIVE_NAME_PARTS = (
    "password",
    "token",
    "secret",
    "otp",
    "key",
    "code",
    "notes",
    "story",
    "wellbeing",
    "boundaries",
    "debrief",
    "supervision",
    "lived_experience",
)
# Longer strings are free text, which may say anything about a person: never stored.
LONGEST_STORED_TEXT = 200
HIDDEN = "changed"


def audit_record(
    *,
    action: str,
    actor: "_User | AnonymousUser | None" = None,
    obj: models.Model | None = None,
    changes: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event to the audit trail.

    `actor` defaults to the person signed in on `request`; pass `AnonymousUser()` to record that
    nobody known did it. `request` also gives the path (never the query string, and with any URL
    part named like a secret, such as `<token>`, replaced by its name) and the IP address.

    `changes` maps a field to `(old, new)` (or to a single value for a detail such as an export's
    row count). What is stored is limited, because the trail is read by coordinators and managers
    and outlives the data it describes:

    * a field whose name contains password, token, secret, otp, key, code, notes, story,
      wellbeing, boundaries, debrief, supervision or lived_experience is stored only as
      `{"field": "changed"}`, its values never;
    * so is a field with any string value longer than 200 characters (free text);
    * the same name rule applies to keys inside a value (an export's filters, say);
    * values that JSON cannot hold (dates, decimals, objects) are stored as text.

    `obj` is kept as its type, primary key and `str()` (first 200 characters), which outlive it.
    """
    if not action_is_registered(action):
        raise ValueError(f"Unknown audit action: {action!r}.")
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None
    event = AuditEvent(
        actor=actor,
        action=action,
        changes=safe_changes(changes or {}),
        path=_safe_path(request),
        ip_address=_ip_address(request),
    )
    if obj is not None:
        event.object_type = ContentType.objects.get_for_model(obj)
        event.object_id = "" if obj.pk is None else str(obj.pk)
        event.object_repr = str(obj)[:200]
    event.save()
    return event


def safe_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes as they may be stored: sensitive or long values replaced by "changed"."""
    safe = {}
    for field, value in changes.items():
        field = str(field)
        if isinstance(value, tuple | list) and len(value) == 2:
            value = [_plain(value[0]), _plain(value[1])]
        else:
            value = _plain(value)
        safe[field] = HIDDEN if _is_sensitive(field) or _has_long_text(value) else value
    return safe


def _is_sensitive(name: str) -> bool:
    name = name.lower()
    return any(part in name for part in SENSITIVE_NAME_PARTS)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple | list | set | frozenset):
        items = [_plain(item) for item in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, Mapping):
        return {str(k): HIDDEN if _is_sensitive(str(k)) else _plain(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _has_long_text(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) > LONGEST_STORED_TEXT
    if isinstance(value, list):
        return any(_has_long_text(item) for item in value)
    if isinstance(value, dict):
        return any(_has_long_text(item) for item in value.values())
    return False


def _safe_path(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    path = request.path
    # Secret links (password reset, calendar feeds, evaluation invitations) carry their secret in
    # the path itself: keep the shape of the URL, not the secret.
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if _is_sensitive(name) and str(value):
                path = path.replace(str(value), f"<{name}>")
    return path[: AuditEvent._meta.get_field("path").max_length]


def _ip_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
