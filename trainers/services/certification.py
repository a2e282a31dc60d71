"""Certification: given when a trainer has met every requirement of their Train the Trainer
programme, with its expiry date and the renewal reminder that goes before it."""

import calendar
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.dates import LONDON
from notifications.services import notification_cancel_for, notification_queue
from people.models import User
from trainers.audit_actions import TrainerAction
from trainers.hooks import certification_changed
from trainers.models import Certification, T3Programme, Trainer

# Certification is counted in calendar months; its renewal reminder goes 30 days before it ends,
# at 09:00 UK time.
RENEWAL_KIND = "certification_renewal"
RENEWAL_REMINDER_DAYS = 30
RENEWAL_REMINDER_AT = time(9, 0)


def months_after(day: date, months: int) -> date:
    """The same day `months` calendar months later, or that month's last day if it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _certify(
    *, trainer: Trainer, programme: T3Programme, certified_on: date, by: User
) -> Certification:
    certification = Certification.objects.create(
        trainer=trainer,
        programme=programme,
        certified_on=certified_on,
        expires_on=months_after(certified_on, programme.certification_months),
    )
    # Someone stepping back stays stepping back, and someone who has left stays left.
    if trainer.status == Trainer.Status.IN_TRAINING and certification.is_valid_on(
        timezone.localdate()
    ):
        trainer.status = Trainer.Status.ACTIVE
        trainer.save(update_fields=["status"])
    audit_record(
        action=TrainerAction.CERTIFIED,
        actor=by,
        obj=certification,
        changes={
            "programme": programme.name,
            "certified_on": certification.certified_on,
            "expires_on": certification.expires_on,
        },
    )
    _renewal_reminder_queue(certification=certification)
    return certification


@transaction.atomic
def certification_expiry_update(
    *, certification: Certification, expires_on: date, by: User
) -> Certification:
    """Correct a certification's expiry date; its pending renewal reminder moves with it."""
    certification = (
        Certification.objects.select_for_update(of=("self",))
        .select_related("trainer__user", "programme")
        .get(pk=certification.pk)
    )
    if expires_on <= certification.certified_on:
        raise ValidationError(
            {
                "expires_on": "The expiry date must be after the date of certification, "
                f"{_day(certification.certified_on)}."
            }
        )
    if expires_on == certification.expires_on:
        return certification
    before = certification.expires_on
    certification.expires_on = expires_on
    certification.save(update_fields=["expires_on"])
    audit_record(
        action=TrainerAction.CERTIFICATION_CHANGED,
        actor=by,
        obj=certification,
        changes={"expires_on": (before, expires_on)},
    )
    notification_cancel_for(related=certification, kind=RENEWAL_KIND)
    _renewal_reminder_queue(certification=certification)
    certification_changed.fire(certification=certification, by=by)
    return certification


def renewal_reminder_due_at(expires_on: date) -> datetime:
    """When the renewal reminder goes: 30 days before expiry, 09:00 UK time."""
    day = expires_on - timedelta(days=RENEWAL_REMINDER_DAYS)
    return datetime.combine(day, RENEWAL_REMINDER_AT, tzinfo=LONDON)


def _renewal_reminder_queue(*, certification: Certification):
    # A certification that has already ended (recorded late) has nothing left to remind about.
    if certification.expires_on <= timezone.localdate():
        return None
    user = certification.trainer.user
    # The row is written in this transaction, so it exists only if the change does;
    # notification_queue sends after commit when the time has already come (expiry within
    # 30 days), otherwise beat sends it when it is due.
    return notification_queue(
        kind=RENEWAL_KIND,
        recipient_email=user.email,
        recipient_user=user,
        related=certification,
        subject=f"Your Train the Trainer certification ends on {_day(certification.expires_on)}",
        template="trainers/email/certification_renewal",
        context={
            "programme": certification.programme.name,
            "certified_on": _day(certification.certified_on),
            "expires_on": _day(certification.expires_on),
        },
        due_at=renewal_reminder_due_at(certification.expires_on),
    )


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
