"""Courses and their versioned handbooks: creating a course, changing a draft version's aims,
learning outcomes and activities, moving a version to pilot, publishing it, and starting the next
version as a copy."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import audit_record
from core.text import one_line
from people.models import User
from sessions.audit_actions import SessionAction
from sessions.models import Activity, Course, CourseVersion, LearningOutcome
from sessions.selectors import course_version_problems, course_version_with_handbook
from trainers.models import RoleDescription, Trainer

# A single activity longer than a training day is a typing mistake, not a plan.
ACTIVITY_LONGEST_MINUTES = 480


def _course_title_free(title: str, *, exclude_pk: int | None = None) -> None:
    # Titles are unique whatever their case: "Hearing voices" and "Hearing Voices" are one course.
    courses = Course.objects.filter(title__iexact=title)
    if exclude_pk is not None:
        courses = courses.exclude(pk=exclude_pk)
    clash = courses.first()
    if clash is not None:
        raise ValidationError({"title": f"There is already a course called “{clash.title}”."})


@transaction.atomic
def course_create(*, title: str, aims: str = "") -> CourseVersion:
    """Create a course with its first version, a draft to fill in."""
    title = one_line(title)
    if not title:
        raise ValidationError({"title": "Give the course a title."})
    _course_title_free(title)
    try:
        with transaction.atomic():
            course = Course.objects.create(title=title)
    except IntegrityError as error:  # the same title saved by someone else a moment ago
        raise ValidationError({"title": f"There is already a course called “{title}”."}) from error
    return CourseVersion.objects.create(course=course, number=1, aims=aims.strip())


def _course_version_locked(version: CourseVersion) -> CourseVersion:
    return (
        CourseVersion.objects.select_for_update(of=("self",))
        .select_related("course")
        .get(pk=version.pk)
    )


def _course_version_draft(version: CourseVersion) -> CourseVersion:
    """The version, locked, if it may still be changed; a refusal saying why if not."""
    version = _course_version_locked(version)
    if version.status != CourseVersion.Status.DRAFT:
        raise ValidationError(
            f"Version {version.number} of “{version.course}” is "
            f"{version.get_status_display().lower()}, so it cannot be changed. "
            "Start a new version from it instead."
        )
    return version


@transaction.atomic
def course_version_update(
    *,
    version: CourseVersion,
    aims: str,
    support_guidance: str = "",
    role_description: RoleDescription | None = None,
    co_designers: Iterable[Trainer] = (),
) -> CourseVersion:
    """Change a draft's aims, support guidance, role description and co-designers."""
    version = _course_version_draft(version)
    if role_description is not None and role_description.status not in (
        RoleDescription.Status.PUBLISHED,
        RoleDescription.Status.RETIRED,
    ):
        raise ValidationError(
            {"role_description": "Choose a role description that has been published."}
        )
    version.aims = aims.strip()
    version.support_guidance = support_guidance.strip()
    version.role_description = role_description
    version.save(update_fields=["aims", "support_guidance", "role_description"])
    version.co_designers.set(co_designers)
    return version


def _outcome_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say what learners will be able to do."})
    return text


@transaction.atomic
def outcome_add(*, version: CourseVersion, text: str) -> LearningOutcome:
    """Add a learning outcome at the end of a draft version."""
    version = _course_version_draft(version)
    text = _outcome_text(text)
    last = version.outcomes.aggregate(last=Max("order"))["last"] or 0
    return LearningOutcome.objects.create(version=version, text=text, order=last + 1)


@transaction.atomic
def outcome_update(*, outcome: LearningOutcome, text: str) -> LearningOutcome:
    """Change the wording of a draft version's learning outcome."""
    _course_version_draft(outcome.version)
    outcome.text = _outcome_text(text)
    outcome.save(update_fields=["text"])
    return outcome


@transaction.atomic
def outcome_remove(*, outcome: LearningOutcome) -> None:
    """Remove a learning outcome, and its activities, from a draft version."""
    _course_version_draft(outcome.version)
    outcome.delete()


def _renumber(items: list, moved_pk: int, up: bool) -> None:
    """Swap an item with its neighbour and number the list afresh from 1, so earlier gaps or
    ties cannot make the order ambiguous."""
    index = next(i for i, item in enumerate(items) if item.pk == moved_pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for number, item in enumerate(items, start=1):
        item.order = number


@transaction.atomic
def outcome_move(*, outcome: LearningOutcome, up: bool) -> None:
    """Move a learning outcome one place earlier (up) or later in its draft version."""
    version = _course_version_draft(outcome.version)
    outcomes = list(version.outcomes.order_by("order", "pk"))
    _renumber(outcomes, outcome.pk, up)
    LearningOutcome.objects.bulk_update(outcomes, ["order"])


def _activity_fields(
    *, title: str, duration_minutes: int, materials: str, instructions: str, trainer_notes: str
) -> dict:
    title = one_line(title)
    errors = {}
    if not title:
        errors["title"] = "Give the activity a title."
    if not 1 <= duration_minutes <= ACTIVITY_LONGEST_MINUTES:
        errors["duration_minutes"] = (
            f"Enter a duration from 1 to {ACTIVITY_LONGEST_MINUTES} minutes."
        )
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "duration_minutes": duration_minutes,
        "materials": materials.strip(),
        "instructions": instructions.strip(),
        "trainer_notes": trainer_notes.strip(),
    }


@transaction.atomic
def activity_add(
    *,
    outcome: LearningOutcome,
    title: str,
    duration_minutes: int,
    materials: str = "",
    instructions: str = "",
    trainer_notes: str = "",
) -> Activity:
    """Add an activity at the end of a learning outcome's choices, in a draft version."""
    _course_version_draft(outcome.version)
    fields = _activity_fields(
        title=title,
        duration_minutes=duration_minutes,
        materials=materials,
        instructions=instructions,
        trainer_notes=trainer_notes,
    )
    last = outcome.activities.aggregate(last=Max("order"))["last"] or 0
    return Activity.objects.create(outcome=outcome, order=last + 1, **fields)


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    title: str,
    duration_minutes: int,
    materials: str = "",
    instructions: str = "",
    trainer_notes: str = "",
) -> Activity:
    """Change an activity of a draft version."""
    _course_version_draft(activity.outcome.version)
    fields = _activity_fields(
        title=title,
        duration_minutes=duration_minutes,
        materials=materials,
        instructions=instructions,
        trainer_notes=trainer_notes,
    )
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.save(update_fields=list(fields))
    return activity


@transaction.atomic
def activity_remove(*, activity: Activity) -> None:
    """Remove an activity from a draft version."""
    _course_version_draft(activity.outcome.version)
    activity.delete()


@transaction.atomic
def activity_move(*, activity: Activity, up: bool) -> None:
    """Move an activity one place earlier (up) or later among its outcome's choices."""
    _course_version_draft(activity.outcome.version)
    activities = list(
        Activity.objects.filter(outcome_id=activity.outcome_id).order_by("order", "pk")
    )
    _renumber(activities, activity.pk, up)
    Activity.objects.bulk_update(activities, ["order"])


def _course_version_ready(version: CourseVersion, *, to: str) -> None:
    loaded = course_version_with_handbook().get(pk=version.pk)
    problems = course_version_problems(loaded)
    if problems:
        raise ValidationError(
            [f"Version {version.number} of “{version.course}” cannot {to} yet.", *problems]
        )


@transaction.atomic
def course_version_pilot(*, version: CourseVersion, by: User) -> CourseVersion:
    """Move a draft to pilot, so it can be delivered to try it out; it is never changed again."""
    version = _course_version_locked(version)
    if version.status != CourseVersion.Status.DRAFT:
        raise ValidationError(
            f"Version {version.number} of “{version.course}” is already "
            f"{version.get_status_display().lower()}. Only a draft can go to pilot."
        )
    _course_version_ready(version, to="go to pilot")
    version.status = CourseVersion.Status.PILOT
    version.save(update_fields=["status"])
    audit_record(
        action=SessionAction.COURSE_VERSION_PILOTED,
        actor=by,
        obj=version,
        changes={"status": (CourseVersion.Status.DRAFT, CourseVersion.Status.PILOT)},
    )
    return version


@transaction.atomic
def course_version_publish(*, version: CourseVersion, by: User) -> CourseVersion:
    """Publish a draft or pilot version. Sessions already scheduled keep their own version."""
    version = _course_version_locked(version)
    if version.status == CourseVersion.Status.PUBLISHED:
        raise ValidationError(
            f"Version {version.number} of “{version.course}” is already published."
        )
    _course_version_ready(version, to="be published")
    before = version.status
    version.status = CourseVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    audit_record(
        action=SessionAction.COURSE_VERSION_PUBLISHED,
        actor=by,
        obj=version,
        changes={"status": (before, CourseVersion.Status.PUBLISHED)},
    )
    return version


@transaction.atomic
def course_version_copy(*, version: CourseVersion) -> CourseVersion:
    """Start the course's next version as a draft copied from a pilot or published version:
    aims, guidance, role description, co-designers, outcomes and activities. The source stays
    as it is."""
    # The course is locked so two people starting a new version at once cannot both get one.
    course = Course.objects.select_for_update().get(pk=version.course_id)
    source = course_version_with_handbook().get(pk=version.pk)
    if source.status == CourseVersion.Status.DRAFT:
        raise ValidationError(
            f"Version {source.number} of “{course}” is a draft: change it instead of copying it."
        )
    draft = course.versions.filter(status=CourseVersion.Status.DRAFT).first()
    if draft is not None:
        raise ValidationError(
            f"“{course}” already has a draft, version {draft.number}. Change that one, or "
            "publish it before starting another."
        )
    last = course.versions.aggregate(last=Max("number"))["last"] or 0
    copy = CourseVersion.objects.create(
        course=course,
        number=last + 1,
        aims=source.aims,
        support_guidance=source.support_guidance,
        role_description=source.role_description,
    )
    copy.co_designers.set(source.co_designers.all())
    activities = []
    for outcome in source.outcomes.all():
        new_outcome = LearningOutcome.objects.create(
            version=copy, text=outcome.text, order=outcome.order
        )
        activities += [
            Activity(
                outcome=new_outcome,
                title=activity.title,
                duration_minutes=activity.duration_minutes,
                materials=activity.materials,
                instructions=activity.instructions,
                trainer_notes=activity.trainer_notes,
                order=activity.order,
            )
            for activity in outcome.activities.all()
        ]
    Activity.objects.bulk_create(activities)
    return copy
