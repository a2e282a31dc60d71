"""Train the Trainer: programmes, their requirements in order, and each trainer's progress
through them. Meeting the last requirement certifies the trainer (see certification)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import audit_record
from people.models import User
from trainers.audit_actions import TrainerAction
from trainers.models import T3Programme, T3Progress, T3Requirement, Trainer
from trainers.services.certification import _certify, _day
from trainers.services.profiles import _check_range


def _programme_fields_check(*, name: str, certification_months: int, exclude_pk=None) -> str:
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Give the programme a name."
    elif T3Programme.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = f"There is already a programme called “{name}”."
    _check_range(errors, "certification_months", certification_months, 1, 120, "a number of months")
    if errors:
        raise ValidationError(errors)
    return name


@transaction.atomic
def t3_programme_create(
    *, name: str, description: str = "", certification_months: int = 24
) -> T3Programme:
    """Create a Train the Trainer programme (its requirements are added after)."""
    name = _programme_fields_check(name=name, certification_months=certification_months)
    programme = T3Programme(
        name=name, description=description.strip(), certification_months=certification_months
    )
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def t3_programme_update(
    *, programme: T3Programme, name: str, description: str, certification_months: int
) -> T3Programme:
    """Change a programme's name, description or how long its certification lasts (for
    certifications given from now on; earlier ones keep their expiry date)."""
    programme.name = _programme_fields_check(
        name=name, certification_months=certification_months, exclude_pk=programme.pk
    )
    programme.description = description.strip()
    programme.certification_months = certification_months
    programme.full_clean()
    programme.save()
    return programme


def _requirement_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the requirement a title."})
    return title


@transaction.atomic
def t3_requirement_add(
    *, programme: T3Programme, title: str, description: str = ""
) -> T3Requirement:
    """Add a requirement at the end of a programme."""
    title = _requirement_title(title)
    # The programme row is locked so two requirements added at once get different places.
    T3Programme.objects.select_for_update().get(pk=programme.pk)
    last = programme.requirements.aggregate(last=Max("order"))["last"] or 0
    requirement = T3Requirement(
        programme=programme, title=title, description=description.strip(), order=last + 1
    )
    requirement.full_clean()
    requirement.save()
    return requirement


@transaction.atomic
def t3_requirement_update(
    *, requirement: T3Requirement, title: str, description: str = ""
) -> T3Requirement:
    """Change a requirement's title or description."""
    requirement.title = _requirement_title(title)
    requirement.description = description.strip()
    requirement.full_clean()
    requirement.save(update_fields=["title", "description"])
    return requirement


@transaction.atomic
def t3_requirement_move(*, requirement: T3Requirement, up: bool) -> T3Requirement:
    """Move a requirement one place earlier (up) or later in its programme."""
    T3Programme.objects.select_for_update().get(pk=requirement.programme_id)
    requirements = list(
        T3Requirement.objects.filter(programme_id=requirement.programme_id).order_by("order", "pk")
    )
    index = next(i for i, item in enumerate(requirements) if item.pk == requirement.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(requirements):
        requirements[index], requirements[other] = requirements[other], requirements[index]
    # Numbered afresh from 1, so earlier gaps or ties cannot make the order ambiguous.
    for number, item in enumerate(requirements, start=1):
        item.order = number
    T3Requirement.objects.bulk_update(requirements, ["order"])
    return next(item for item in requirements if item.pk == requirement.pk)


@transaction.atomic
def t3_progress_record(
    *,
    trainer: Trainer,
    requirement: T3Requirement,
    completed_on: date,
    evidence: str = "",
    by: User,
) -> T3Progress:
    """Record that a trainer met a requirement; meeting the last one certifies them at once."""
    # The trainer's row is locked so two requirements recorded at once certify them only once.
    trainer = (
        Trainer.objects.select_for_update(of=("self",))
        .select_related("user", "programme")
        .get(pk=trainer.pk)
    )
    if trainer.programme is None:
        raise ValidationError(
            {"requirement": f"{trainer} has no Train the Trainer programme yet. Choose it first."}
        )
    if requirement.programme_id != trainer.programme_id:
        raise ValidationError(
            {
                "requirement": f"“{requirement}” is not part of {trainer}’s programme, "
                f"{trainer.programme}."
            }
        )
    if completed_on > timezone.localdate():
        raise ValidationError(
            {"completed_on": "This date is in the future. Record a requirement once it is met."}
        )
    earlier = T3Progress.objects.filter(trainer=trainer, requirement=requirement).first()
    if earlier is not None:
        raise ValidationError(
            {
                "requirement": f"“{requirement}” was already recorded as met on "
                f"{_day(earlier.completed_on)}."
            }
        )
    progress = T3Progress(
        trainer=trainer,
        requirement=requirement,
        completed_on=completed_on,
        evidence=evidence.strip(),
        recorded_by=by,
    )
    progress.full_clean(validate_constraints=False)
    progress.save()
    # The evidence notes are not copied to the audit trail: they may say anything about a person.
    audit_record(
        action=TrainerAction.T3_PROGRESS_RECORDED,
        actor=by,
        obj=trainer,
        changes={"requirement": requirement.title, "completed_on": completed_on},
    )
    met = T3Progress.objects.filter(trainer=trainer, requirement__programme=trainer.programme)
    if met.count() == trainer.programme.requirements.count():
        _certify(
            trainer=trainer,
            programme=trainer.programme,
            certified_on=met.aggregate(on=Max("completed_on"))["on"],
            by=by,
        )
    return progress
