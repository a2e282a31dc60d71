"""Courses and venues: the course list, a version with the handbook it shows and what stops it
going to pilot or being published, outcomes and activities, and venues with their rooms."""

from django.db.models import (
    Case,
    Count,
    Max,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils.text import Truncator

from sessions.models import (
    Activity,
    Course,
    CourseVersion,
    LearningOutcome,
    Room,
    Venue,
)
from trainers.models import Trainer


def course_list() -> QuerySet[Course]:
    """Every course with its newest version and the number of its newest published version."""
    newest = CourseVersion.objects.filter(course=OuterRef("pk")).order_by("-number")
    return (
        Course.objects.annotate(
            newest_version_pk=Subquery(newest.values("pk")[:1]),
            newest_version_number=Subquery(newest.values("number")[:1]),
            newest_version_status=Subquery(newest.values("status")[:1]),
            published_version_number=Subquery(
                newest.filter(status=CourseVersion.Status.PUBLISHED).values("number")[:1]
            ),
        )
        .annotate(
            newest_version_status_label=Case(
                *[
                    When(newest_version_status=value, then=Value(label))
                    for value, label in CourseVersion.Status.choices
                ],
                default=Value(""),
            )
        )
        .order_by("title")
    )


def course_version_with_handbook() -> QuerySet[CourseVersion]:
    """Versions with everything their page and handbook show, in order, in four queries."""
    return CourseVersion.objects.select_related("course", "role_description").prefetch_related(
        Prefetch(
            "co_designers",
            queryset=Trainer.objects.select_related("user").order_by("user__full_name", "pk"),
        ),
        Prefetch(
            "outcomes",
            queryset=LearningOutcome.objects.order_by("order", "pk").prefetch_related(
                Prefetch("activities", queryset=Activity.objects.order_by("order", "pk"))
            ),
        ),
    )


def course_version_get(*, pk: int) -> CourseVersion:
    return get_object_or_404(course_version_with_handbook(), pk=pk)


def course_version_problems(version: CourseVersion) -> list[str]:
    """What stops a version going to pilot or being published, in words; empty when it is
    ready. Reads the outcomes and activities, so pass a version from course_version_get."""
    problems = []
    if not version.aims.strip():
        problems.append("Write the learning aims.")
    outcomes = list(version.outcomes.all())
    if not outcomes:
        problems.append("Add at least one learning outcome.")
    for number, outcome in enumerate(outcomes, start=1):
        if not outcome.activities.all():
            text = Truncator(outcome.text).chars(60)
            problems.append(f"Add at least one activity to outcome {number}, “{text}”.")
    return problems


def course_versions_of(*, course: Course) -> QuerySet[CourseVersion]:
    """All versions of a course, newest first, for moving between them."""
    return course.versions.only("pk", "course_id", "number", "status").order_by("-number")


def outcome_get(*, pk: int) -> LearningOutcome:
    return get_object_or_404(
        LearningOutcome.objects.select_related("version__course").annotate(
            activity_count=Count("activities")
        ),
        pk=pk,
    )


def activity_get(*, pk: int) -> Activity:
    return get_object_or_404(Activity.objects.select_related("outcome__version__course"), pk=pk)


def venue_list() -> QuerySet[Venue]:
    """Every venue with its region and how many rooms it has."""
    return (
        Venue.objects.select_related("region")
        .annotate(room_count=Count("rooms"), largest_room=Max("rooms__capacity"))
        .order_by("region__name", "name")
    )


def venue_get(*, pk: int) -> Venue:
    return get_object_or_404(
        Venue.objects.select_related("region").prefetch_related(
            Prefetch("rooms", queryset=Room.objects.order_by("name"))
        ),
        pk=pk,
    )


def room_get(*, pk: int) -> Room:
    return get_object_or_404(Room.objects.select_related("venue__region"), pk=pk)
