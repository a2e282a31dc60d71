"""Support, wellbeing and privacy: the support sessions a trainer's named supporter records, and
the wellbeing check-ins a trainer records for themselves."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from notifications.services import notification_queue
from people.models import User
from trainers.models import SupportSession, Trainer, WellbeingCheckIn
from trainers.selectors import checkin_debrief_recipient

# What a trainer writes here is private to them and their named supporter (docs/domain.md#privacy).
# Email is less safe than the app, so a debrief email says who asked and when, never how they feel
# or what they wrote; the audit trail and the logs get none of it either.


@transaction.atomic
def support_session_record(
    *,
    trainer: Trainer,
    by: User,
    held_on: date,
    kind: str = SupportSession.Kind.ONE_TO_ONE,
    notes: str = "",
    agreed_actions: str = "",
    next_on: date | None = None,
) -> SupportSession:
    """Record a support or supervision session a trainer's named supporter has held with them."""
    if trainer.supporter_id is None or trainer.supporter_id != by.pk:
        raise ValidationError(
            "Only the trainer's named supporter can record their support sessions."
        )
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = (
            "The session date is in the future. Record a session once it has been held, and put "
            "a planned session in “next session”."
        )
    if next_on is not None and next_on < held_on:
        errors["next_on"] = "The next session can’t be before this one."
    if errors:
        raise ValidationError(errors)
    session = SupportSession(
        trainer=trainer,
        supporter=by,
        kind=kind,
        held_on=held_on,
        notes=notes.strip(),
        agreed_actions=agreed_actions.strip(),
        next_on=next_on,
    )
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def checkin_record(
    *,
    trainer: Trainer,
    by: User,
    moment: str,
    feeling: int,
    notes: str = "",
    wants_debrief: bool = False,
) -> WellbeingCheckIn:
    """Record how a trainer feels before or after delivering; a debrief request emails their
    supporter at once (after commit). Saved even when there is nobody to tell."""
    if trainer.user_id != by.pk:
        raise ValidationError("Only the trainer can record their own wellbeing check-in.")
    check_in = WellbeingCheckIn(
        trainer=trainer,
        moment=moment,
        feeling=feeling,
        notes=notes.strip(),
        wants_debrief=wants_debrief,
    )
    check_in.full_clean()
    check_in.save()
    supporter = checkin_debrief_recipient(trainer=trainer)
    if wants_debrief and supporter is not None:
        asked_at = timezone.localtime(check_in.recorded_at)
        notification_queue(
            kind="debrief_requested",
            recipient_email=supporter.email,
            recipient_user=supporter,
            related=check_in,
            subject="A trainer you support would like a debrief",
            template="trainers/email/debrief_requested",
            # Who and when only: never the feeling or the notes.
            context={
                "trainer_name": str(trainer.user),
                "asked_at": date_format(asked_at, "l j F Y \\a\\t H:i"),
            },
        )
    return check_in
