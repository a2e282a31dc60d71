"""Course review: recording a review of a course version, and starting the next version
from it."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from evaluations.audit_actions import EvaluationAction
from evaluations.models import CourseReview
from evaluations.selectors import course_draft_of, review_participant_choices
from people.models import User
from sessions.models import Course, CourseVersion
from sessions.services import course_version_copy


class NextVersionExists(ValidationError):
    """The course already has a draft: it is linked to instead of starting another."""

    def __init__(self, message: str, *, draft: CourseVersion):
        super().__init__(message)
        self.draft = draft


@transaction.atomic
def course_review_record(
    *,
    version: CourseVersion,
    by: User,
    held_on: date | None,
    participants: Iterable[User],
    findings: str,
    decisions: str,
) -> CourseReview:
    """Record a review of a course version: when it was held, who took part (from the
    coordinators and the trainers who delivered it, at least one of them a service-user
    trainer), what it found and what it decided."""
    participants = list(participants)
    findings = (findings or "").strip()
    decisions = (decisions or "").strip()
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = "Enter the date the review was held."
    elif held_on > timezone.localdate():
        errors["held_on"] = "The review date cannot be in the future."
    choices = {person.pk: person for person in review_participant_choices(version=version, user=by)}
    if not participants:
        errors["participants"] = "Choose who took part in the review."
    elif any(person.pk not in choices for person in participants):
        errors["participants"] = (
            "Only the coordinators and the trainers who delivered this version can be chosen."
        )
    elif not any(choices[person.pk].is_service_user_trainer for person in participants):
        errors["participants"] = (
            "At least one service-user trainer who delivered this version must take part in "
            "its review."
        )
    if not findings:
        errors["findings"] = "Write down what the review found."
    if not decisions:
        errors["decisions"] = "Write down what the review decided to change."
    if errors or held_on is None:
        raise ValidationError(errors)
    review = CourseReview.objects.create(
        course_version=version,
        held_on=held_on,
        findings=findings,
        decisions=decisions,
        recorded_by=by,
    )
    review.participants.set(participants)
    audit_record(
        action=EvaluationAction.COURSE_REVIEW_RECORDED,
        actor=by,
        obj=version,
        changes={"review": review.pk, "held_on": held_on.isoformat()},
    )
    return review


@transaction.atomic
def course_review_next_version_start(*, review: CourseReview, by: User) -> CourseVersion:
    """Start the course's next version as a draft copied from the reviewed version, and link it
    on the review. If the course already has a draft, NextVersionExists names it."""
    review = CourseReview.objects.select_for_update().get(pk=review.pk)
    version = review.course_version
    # The course is locked so two people starting a new version at once cannot both get one.
    Course.objects.select_for_update().get(pk=version.course_id)
    draft = review.next_version
    if draft is not None:
        raise NextVersionExists(
            f"Version {draft.number} was already started from this review.", draft=draft
        )
    draft = course_draft_of(version=version)
    if draft is not None:
        raise NextVersionExists(
            f"“{version.course}” already has a draft, version {draft.number}. Change that one "
            "instead of starting another.",
            draft=draft,
        )
    copy = course_version_copy(version=version)
    review.next_version = copy
    review.save(update_fields=["next_version"])
    audit_record(
        action=EvaluationAction.COURSE_REVIEW_NEXT_VERSION,
        actor=by,
        obj=copy,
        changes={"review": review.pk, "from_version": version.number},
    )
    return copy
