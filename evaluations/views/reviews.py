"""Course review: a course version's review page, recording a review, and starting the
next version from one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, View

from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from evaluations.forms import CourseReviewForm
from evaluations.selectors import (
    course_draft_of,
    course_review_get,
    course_reviews_of,
    results_sessions,
    results_summary,
    review_can_record,
    review_change_notes,
    review_course_version_get,
    review_participant_choices,
)
from evaluations.services import (
    NextVersionExists,
    course_review_next_version_start,
    course_review_record,
)
from evaluations.views.results import RESULTS_ROLES
from people.http import AuthenticatedHttpRequest
from people.models import Role
from sessions.models import CourseVersion

# Coordinators and managers open any version's review page, a trainer one they delivered (another
# trainer gets a 404); team leads and admins are refused. Coordinators and the trainers who
# delivered the version record reviews; managers only read. Only coordinators start the next
# version from a review.


class CourseReviewView(RoleRequiredMixin, FormView):
    """A course version's evaluation results, its delivery reports' "what to change", its
    reviews (newest first) and the form to record one."""

    template_name = "evaluations/review_course_version.html"
    form_class = CourseReviewForm
    roles = RESULTS_ROLES

    @cached_property
    def version(self) -> CourseVersion:
        return review_course_version_get(user=self.request.user, pk=self.kwargs["pk"])

    @cached_property
    def can_record(self) -> bool:
        return review_can_record(user=self.request.user, version=self.version)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "participant_choices": review_participant_choices(
                version=self.version, user=self.request.user
            )
        }

    def get_context_data(self, **kwargs):
        user = self.request.user
        sessions = results_sessions(user=user, course_version=self.version)
        if not self.can_record:
            kwargs["form"] = None
        return super().get_context_data(
            version=self.version,
            results=results_summary(sessions=sessions, user=user),
            notes=review_change_notes(version=self.version),
            reviews=course_reviews_of(version=self.version),
            draft=course_draft_of(version=self.version),
            can_record=self.can_record,
            is_coordinator=user.is_coordinator,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not self.can_record:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            review = course_review_record(
                version=self.version, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Review of {review.held_on.day} {review.held_on:%B %Y} recorded."
        )
        return redirect("evaluations:review-course-version", pk=self.version.pk)


class CourseReviewNextVersionView(RoleRequiredMixin, View):
    """A coordinator starts the course's next version from a review."""

    roles = (Role.COORDINATOR,)
    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        review = course_review_get(pk=pk)
        try:
            draft = course_review_next_version_start(review=review, by=request.user)
        except NextVersionExists as exists:
            messages.info(request, " ".join(exists.messages))
            return redirect("evaluations:review-course-version", pk=review.course_version_id)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("evaluations:review-course-version", pk=review.course_version_id)
        messages.success(
            request, f"Draft version {draft.number} started from the review. Change it here."
        )
        return redirect("sessions:course-version-detail", pk=draft.pk)
