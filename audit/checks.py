"""The registered audit actions must be usable: the column has no choices to catch a mistake."""

import re

from django.core.checks import Error, register

from audit.actions import Registration, action_registrations
from audit.models import AuditEvent

# Stored, filtered on and put in the audit page's address: plain lowercase words.
VALUE_PATTERN = re.compile(r"[a-z][a-z0-9_]*")


@register()
def check_audit_actions(app_configs, **kwargs) -> list[Error]:
    """Each value registered once, fitting the column, written plainly, each label its own."""
    errors = []
    longest = AuditEvent._meta.get_field("action").max_length
    owners: dict[str, Registration] = {}
    labels: dict[str, tuple[str, Registration]] = {}
    for registration in action_registrations():
        for value, label in registration.actions.choices:
            if value in owners:
                errors.append(
                    Error(
                        f"The audit action {value!r} is registered by both "
                        f"{owners[value].name} and {registration.name}.",
                        hint="One app declares each action; others import its class.",
                        id="audit.E001",
                    )
                )
                continue
            owners[value] = registration
            if longest is not None and len(value) > longest:
                errors.append(
                    Error(
                        f"The audit action {value!r} ({registration.name}) is longer than the "
                        f"{longest} characters AuditEvent.action holds.",
                        id="audit.E002",
                    )
                )
            if not VALUE_PATTERN.fullmatch(value):
                errors.append(
                    Error(
                        f"The audit action {value!r} ({registration.name}) is not lowercase "
                        "letters, digits and underscores.",
                        id="audit.E003",
                    )
                )
            if label in labels and labels[label][0] != value:
                errors.append(
                    Error(
                        f"The audit actions {labels[label][0]!r} ({labels[label][1].name}) and "
                        f"{value!r} ({registration.name}) share the label {label!r}.",
                        hint="The audit page's filter would offer two choices that read the same.",
                        id="audit.E004",
                    )
                )
            labels.setdefault(label, (value, registration))
    return errors
