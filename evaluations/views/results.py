"""Results: a session's and a course version's results pages and spreadsheets, the results
overview, and releasing and hiding comments."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views.generic import FormView, TemplateView, View

from audit.exports import csv_response
from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from evaluations.forms import CommentHideForm, ResultsFilterForm
from evaluations.models import Answer
from evaluations.selectors import (
    results_answer_rows,
    results_comment_get,
    results_course_version_get,
    results_sees_everything,
    results_session_get,
    results_sessions,
    results_summary,
)
from evaluations.services import answer_hide, free_text_release
from people.http import AuthenticatedHttpRequest
from people.models import Role
from sessions.models import CourseVersion, TrainingSession

# Coordinators and managers see every result; a session's own delivery team see its numbers,
# and its comments once released with 5 responses; another trainer gets a 404; team leads are
# refused for now. Only coordinators release or hide comments; coordinators and managers export.

RESULTS_ROLES: tuple[str, ...] = (Role.COORDINATOR, Role.MANAGER, Role.TRAINER)


class SessionResultsMixin(RoleRequiredMixin):
    roles = RESULTS_ROLES
    # Set by the view this mixin is used with (View.setup), and read by the property below.
    request: HttpRequest
    kwargs: dict[str, Any]

    @cached_property
    def session(self) -> TrainingSession:
        # Read only once the role check has passed, so nobody else learns which ids exist.
        return results_session_get(user=self.request.user, pk=self.kwargs["pk"])


class SessionResultsView(SessionResultsMixin, TemplateView):
    """A session's evaluation results: response rate, each question, confidence, comments."""

    template_name = "evaluations/results_session.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        sessions = results_sessions(user=user, session=self.session)
        return super().get_context_data(
            session=self.session,
            results=results_summary(sessions=sessions, user=user, session=self.session),
            release=getattr(self.session, "free_text_release", None),
            is_coordinator=user.is_coordinator,
            can_export=user.has_role(Role.COORDINATOR, Role.MANAGER),
            **kwargs,
        )


class SessionCommentsReleaseView(SessionResultsMixin, View):
    """A coordinator releases a session's comments to its trainers."""

    roles = (Role.COORDINATOR,)
    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        try:
            free_text_release(session=self.session, by=request.user)
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                "Comments released. The trainers see them once at least 5 people have responded.",
            )
        return redirect("evaluations:results-session", pk=pk)


class SessionAnswersCsvView(SessionResultsMixin, View):
    """A session's answers as a spreadsheet, one row per response."""

    roles = (Role.COORDINATOR, Role.MANAGER)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        sessions = results_sessions(user=request.user, session=self.session)
        header, rows = results_answer_rows(sessions=sessions)
        return csv_response(request, f"evaluation-answers-{self.session.code}.csv", header, rows)


class CourseVersionResultsMixin(RoleRequiredMixin):
    roles = RESULTS_ROLES
    # Set by the view this mixin is used with (View.setup), and read by the property below.
    request: HttpRequest
    kwargs: dict[str, Any]

    @cached_property
    def version(self) -> CourseVersion:
        return results_course_version_get(user=self.request.user, pk=self.kwargs["pk"])


class CourseVersionResultsView(CourseVersionResultsMixin, TemplateView):
    """Results across every session of a course version."""

    template_name = "evaluations/results_course_version.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        sessions = results_sessions(user=user, course_version=self.version)
        return super().get_context_data(
            version=self.version,
            results=results_summary(sessions=sessions, user=user),
            can_export=user.has_role(Role.COORDINATOR, Role.MANAGER),
            **kwargs,
        )


class CourseVersionAnswersCsvView(CourseVersionResultsMixin, View):
    roles = (Role.COORDINATOR, Role.MANAGER)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        sessions = results_sessions(user=request.user, course_version=self.version)
        header, rows = results_answer_rows(sessions=sessions)
        filename = (
            f"evaluation-answers-{slugify(self.version.course.title)}-v{self.version.number}.csv"
        )
        return csv_response(request, filename, header, rows)


class ResultsOverviewView(RoleRequiredMixin, TemplateView):
    """Results across sessions, for a region and/or a trainer. A trainer sees only the sessions
    they delivered themselves."""

    template_name = "evaluations/results_overview.html"
    roles = RESULTS_ROLES

    def get_context_data(self, **kwargs):
        user = self.request.user
        sees_everything = results_sees_everything(user)
        form = ResultsFilterForm(self.request.GET or None) if sees_everything else None
        results = None
        if form is None or not form.is_bound or form.is_valid():
            filters = form.cleaned_data if form is not None and form.is_bound else {}
            sessions = results_sessions(
                user=user, region=filters.get("region"), trainer=filters.get("trainer")
            )
            results = results_summary(sessions=sessions, user=user)
        return super().get_context_data(form=form, results=results, **kwargs)


class CommentHideView(RoleRequiredMixin, FormView):
    """A coordinator hides a comment from the session's trainers, saying why."""

    template_name = "evaluations/results_comment_hide.html"
    form_class = CommentHideForm
    roles = (Role.COORDINATOR,)

    @cached_property
    def answer(self) -> Answer:
        return results_comment_get(pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            answer=self.answer, session=self.answer.response.session, **kwargs
        )

    def form_valid(self, form):
        try:
            answer_hide(answer=self.answer, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The comment is hidden from the trainers.")
        return redirect("evaluations:results-session", pk=self.answer.response.session_id)
