"""Trainer profiles: what a trainer keeps on their own profile; stepping back, coming back and
leaving; and the supporter and programme a coordinator names for them."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from notifications.services import notification_cancel_for
from people.models import Region, User
from trainers.audit_actions import TrainerAction
from trainers.hooks import trainer_left
from trainers.models import Involvement, T3Programme, Trainer
from trainers.services.certification import RENEWAL_KIND


def _check_range(errors: dict, field: str, value: int, low: int, high: int, what: str) -> None:
    if value is None or not low <= value <= high:
        errors[field] = f"Choose {what} from {low} to {high}."


PROFILE_FIELDS = (
    "involvement",
    "topics_will_speak_about",
    "topics_will_not_speak_about",
    "story_sharing",
    "lived_experience_notes",
    "max_sessions_per_month",
    "reasonable_adjustments",
    "reminder_lead_days",
    "payment_choice",
    "yearly_earnings_limit",
)


@transaction.atomic
def trainer_profile_update(
    *,
    trainer: Trainer,
    region: Region,
    involvement: Iterable[str],
    max_sessions_per_month: int,
    reminder_lead_days: int,
    payment_choice: str,
    topics_will_speak_about: str = "",
    topics_will_not_speak_about: str = "",
    story_sharing: str = "",
    lived_experience_notes: str = "",
    reasonable_adjustments: str = "",
    yearly_earnings_limit: Decimal | None = None,
) -> Trainer:
    """Save the preferences, boundaries and payment choice a trainer keeps on their own profile."""
    involvement = set(involvement)
    errors: dict[str, str] = {}
    if involvement - set(Involvement.values):
        errors["involvement"] = "Choose only from the ways of being involved listed."
    _check_range(errors, "max_sessions_per_month", max_sessions_per_month, 1, 20, "a number")
    _check_range(errors, "reminder_lead_days", reminder_lead_days, 1, 28, "a number of days")
    if payment_choice not in Trainer.Payment.values:
        errors["payment_choice"] = "Choose how you would like to be paid."
    if yearly_earnings_limit is not None and yearly_earnings_limit < 0:
        errors["yearly_earnings_limit"] = "The limit cannot be less than £0."
    if errors:
        raise ValidationError(errors)
    trainer.region = region
    # Kept in the order of the choices, so lists read the same everywhere.
    trainer.involvement = [value for value in Involvement.values if value in involvement]
    trainer.topics_will_speak_about = topics_will_speak_about.strip()
    trainer.topics_will_not_speak_about = topics_will_not_speak_about.strip()
    trainer.story_sharing = story_sharing.strip()
    trainer.lived_experience_notes = lived_experience_notes.strip()
    trainer.max_sessions_per_month = max_sessions_per_month
    trainer.reasonable_adjustments = reasonable_adjustments.strip()
    trainer.reminder_lead_days = reminder_lead_days
    trainer.payment_choice = payment_choice
    trainer.yearly_earnings_limit = yearly_earnings_limit
    trainer.full_clean(validate_unique=False)
    trainer.save(update_fields=[*PROFILE_FIELDS, "region"])
    return trainer


@transaction.atomic
def trainer_step_back(*, trainer: Trainer) -> Trainer:
    """Mark a trainer as stepping back: no reason is asked and no new invitations go out."""
    # Neither this nor coming back is written to the audit trail: the trail is read by
    # coordinators and managers, who are only to see that the trainer is unavailable.
    if trainer.status == Trainer.Status.LEFT:
        raise ValidationError("You have left the programme, so there is nothing to step back from.")
    Trainer.objects.filter(pk=trainer.pk).exclude(status=Trainer.Status.LEFT).update(
        status=Trainer.Status.STEPPING_BACK
    )
    trainer.refresh_from_db(fields=["status"])
    return trainer


@transaction.atomic
def trainer_return(*, trainer: Trainer) -> Trainer:
    """Bring a trainer back from stepping back: active if certified today, else in training."""
    today = timezone.localdate()
    certified = trainer.certifications.filter(
        certified_on__lte=today, expires_on__gt=today
    ).exists()
    status = Trainer.Status.ACTIVE if certified else Trainer.Status.IN_TRAINING
    # Conditional: a second click (or a trainer who was never stepping back) changes nothing.
    Trainer.objects.filter(pk=trainer.pk, status=Trainer.Status.STEPPING_BACK).update(status=status)
    trainer.refresh_from_db(fields=["status"])
    return trainer


@transaction.atomic
def trainer_leave(*, trainer: Trainer, by: User | None) -> Trainer:
    """Record that a trainer has left the programme: their pending certification-renewal
    reminders are cancelled, and the trainer_left hook's listeners take them off every session
    still to come."""
    # The trainer's row first, then (in the listeners) sessions, people and assignments: nothing
    # locks a session and then a trainer's row, so this order cannot deadlock.
    trainer = Trainer.objects.select_for_update(of=("self",)).get(pk=trainer.pk)
    if trainer.status == Trainer.Status.LEFT:
        return trainer
    trainer.status = Trainer.Status.LEFT
    trainer.save(update_fields=["status"])
    for certification in trainer.certifications.all():
        notification_cancel_for(related=certification, kind=RENEWAL_KIND)
    trainer_left.fire(trainer=trainer, by=by)
    return trainer


@transaction.atomic
def trainer_assign(
    *, trainer: Trainer, supporter: User | None, programme: T3Programme | None, by: User
) -> Trainer:
    """Name a trainer's supporter (who may read their private notes) and their T3 programme."""
    trainer = (
        Trainer.objects.select_for_update(of=("self",))
        .select_related("user", "supporter", "programme")
        .get(pk=trainer.pk)
    )
    if supporter is not None and not supporter.is_active:
        raise ValidationError({"supporter": f"{supporter}’s account is switched off."})
    if supporter is not None and supporter.pk == trainer.user_id:
        raise ValidationError({"supporter": "A trainer cannot be their own supporter."})
    changes = {}
    if trainer.supporter_id != (supporter.pk if supporter else None):
        changes["supporter"] = (_name(trainer.supporter), _name(supporter))
    if trainer.programme_id != (programme.pk if programme else None):
        changes["programme"] = (_name(trainer.programme), _name(programme))
    if not changes:
        return trainer
    trainer.supporter, trainer.programme = supporter, programme
    trainer.save(update_fields=["supporter", "programme"])
    audit_record(action=TrainerAction.TRAINER_ASSIGNED, actor=by, obj=trainer, changes=changes)
    return trainer


def _name(obj) -> str | None:
    return None if obj is None else str(obj)
