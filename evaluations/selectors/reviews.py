"""Course review: a course version's review page, who may open it and record a review, and
the reviews themselves."""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from evaluations.models import CourseReview
from evaluations.selectors.results import results_sees_everything
from people.models import User
from sessions.models import CourseVersion, DeliveryReport, TrainerAssignment, TrainingSession
from trainers.models import Trainer

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# A course version's review page: its evaluation results (results_summary) and what the
# delivery reports of its delivered sessions say to change in the course (never the private
# debrief). Coordinators and managers open any version (managers only read); a trainer opens a
# version they delivered (accepted lead or co-trainer on one of its delivered sessions), anyone
# else gets a 404.

REVIEW_TEAM_ROLES = (TrainerAssignment.Role.LEAD, TrainerAssignment.Role.CO_TRAINER)


def _review_delivery_assignments(version: CourseVersion) -> QuerySet[TrainerAssignment]:
    return TrainerAssignment.objects.filter(
        session__course_version=version,
        session__status=TrainingSession.Status.DELIVERED,
        status=TrainerAssignment.Status.ACCEPTED,
        role__in=REVIEW_TEAM_ROLES,
    )


def review_course_version_get(*, user, pk: int) -> CourseVersion:
    """A course version whose review page `user` may open; a 404 for a trainer who did not
    deliver it."""
    versions = CourseVersion.objects.select_related("course")
    if not results_sees_everything(user):
        delivered = TrainerAssignment.objects.filter(
            user=user,
            status=TrainerAssignment.Status.ACCEPTED,
            role__in=REVIEW_TEAM_ROLES,
            session__status=TrainingSession.Status.DELIVERED,
        ).values("session__course_version")
        versions = versions.filter(pk__in=delivered)
    return get_object_or_404(versions, pk=pk)


def review_can_record(*, user, version: CourseVersion) -> bool:
    """Coordinators and the trainers who delivered the version record reviews; managers read."""
    if user.is_coordinator:
        return True
    return _review_delivery_assignments(version).filter(user=user).exists()


@dataclass(frozen=True)
class ChangeNote:
    session_code: str
    starts_at: datetime
    to_change: str


def review_change_notes(*, version: CourseVersion) -> list[ChangeNote]:
    """Every delivered session's "what to change in the course", oldest session first. Only
    that field is read: the report's private debrief never leaves the database."""
    rows = (
        DeliveryReport.objects.filter(
            session__course_version=version, session__status=TrainingSession.Status.DELIVERED
        )
        .exclude(to_change="")
        .order_by("session__starts_at", "session__pk")
        .values_list("session__code", "session__starts_at", "to_change")
    )
    return [ChangeNote(code, starts_at, text) for code, starts_at, text in rows]


class ServiceUserTrainerMark(TypedDict):
    is_service_user_trainer: bool


def review_participant_choices(
    *, version: CourseVersion, user
) -> "QuerySet[WithAnnotations[User, ServiceUserTrainerMark]]":
    """Who can take part in a review: the coordinators of the version's sessions (and the
    coordinator recording it) and the trainers who delivered it. `is_service_user_trainer` marks
    those who delivered it with a trainer profile."""
    delivered = _review_delivery_assignments(version)
    coordinators = TrainingSession.objects.filter(
        course_version=version, coordinator__isnull=False
    ).values("coordinator")
    people = Q(pk__in=delivered.values("user")) | Q(pk__in=coordinators)
    if user.is_coordinator:
        people |= Q(pk=user.pk)
    return (
        User.objects.filter(people)
        .annotate(
            is_service_user_trainer=Exists(delivered.filter(user=OuterRef("pk")))
            & Exists(Trainer.objects.filter(user=OuterRef("pk")))
        )
        .order_by("full_name", "pk")
    )


def course_reviews_of(*, version: CourseVersion) -> QuerySet[CourseReview]:
    """A version's reviews, newest first, with who took part and the version started from each."""
    return (
        CourseReview.objects.filter(course_version=version)
        .select_related("next_version", "recorded_by")
        .prefetch_related(Prefetch("participants", queryset=User.objects.order_by("full_name")))
        .order_by("-held_on", "-pk")
    )


def course_review_get(*, pk: int) -> CourseReview:
    return get_object_or_404(
        CourseReview.objects.select_related("course_version__course", "next_version"), pk=pk
    )


def course_review_started_from(*, version: CourseVersion) -> CourseReview | None:
    """The review a version was started from, if any."""
    return (
        CourseReview.objects.filter(next_version=version)
        .select_related("course_version")
        .order_by("-pk")
        .first()
    )


def course_draft_of(*, version: CourseVersion) -> CourseVersion | None:
    """The course's draft version, if one exists (a course has at most one)."""
    return (
        CourseVersion.objects.filter(course_id=version.course_id, status=CourseVersion.Status.DRAFT)
        .order_by("-number")
        .first()
    )
