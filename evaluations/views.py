from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views.generic import FormView, TemplateView, View

from audit.models import Action
from audit.services import audit_record
from core.clientaddress import client_address
from core.csvsafe import csv_response
from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from core.ratelimit import CounterUnavailable, Limit, limit_count, limit_reached
from evaluations.forms import (
    CommentHideForm,
    CourseFormCreateForm,
    CourseReviewForm,
    EvaluationFormDetailsForm,
    QuestionForm,
    ResponseForm,
    ResultsFilterForm,
    SectionForm,
)
from evaluations.models import Answer, EvaluationForm, Invitation, Question, Section
from evaluations.pdf import certificates_zip, render_certificate_pdf, render_session_report_pdf
from evaluations.selectors import (
    SessionForms,
    course_draft_of,
    course_form_list,
    course_review_get,
    course_reviews_of,
    courses_without_own_questions,
    evaluation_forms_for_session,
    feedback_short_link_closed_reason,
    form_get,
    form_problems,
    form_versions_of,
    invitation_get_by_token,
    question_get,
    results_answer_rows,
    results_comment_get,
    results_course_version_get,
    results_sees_everything,
    results_session_get,
    results_sessions,
    results_summary,
    review_can_record,
    review_change_notes,
    review_course_version_get,
    review_participant_choices,
    section_get,
    session_evaluation_overview,
    session_get_for_short_link,
    standard_form_versions,
)
from evaluations.services import (
    InvitationExpired,
    InvitationUsed,
    NextVersionExists,
    answer_hide,
    course_form_create,
    course_review_next_version_start,
    course_review_record,
    form_copy,
    form_publish,
    form_update,
    free_text_release,
    invitation_for_attendee,
    invitation_refused_reason,
    invitations_chase,
    question_add,
    question_move,
    question_remove,
    question_update,
    response_submit,
    section_add,
    section_move,
    section_remove,
    section_rename,
)
from people.models import Role
from sessions.forms import SelfCheckInForm
from sessions.models import CourseVersion, TrainingSession
from sessions.selectors import registration_session_get

# --- The form ---
# Coordinators keep the standard form and each course's own questions. A draft is changed in
# place; a published or retired version is only shown, and a new version is made from it.


class FormCoordinatorMixin(RoleRequiredMixin):
    roles = (Role.COORDINATOR,)


class FormListView(FormCoordinatorMixin, TemplateView):
    """The standard form's versions and every course's own questions; a course's own
    questions are started here."""

    template_name = "evaluations/form_list.html"

    def get_context_data(self, **kwargs):
        courses = courses_without_own_questions()
        kwargs.setdefault("course_form", CourseFormCreateForm(courses=courses))
        return super().get_context_data(
            standard_versions=standard_form_versions(),
            course_forms=course_form_list(),
            can_add_course=courses.exists(),
            **kwargs,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CourseFormCreateForm(request.POST, courses=courses_without_own_questions())
        if form.is_valid():
            try:
                created = course_form_create(course=form.cleaned_data["course"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Draft version 1 of “{created.course}”'s own questions is started. Add a "
                    "section and its questions, then publish it.",
                )
                return redirect("evaluations:form-detail", pk=created.pk)
        return self.render_to_response(self.get_context_data(course_form=form))


class FormDetailView(FormCoordinatorMixin, TemplateView):
    """A version as learners see it, with what can be done with it."""

    template_name = "evaluations/form_detail.html"

    def get_context_data(self, **kwargs):
        form = form_get(pk=self.kwargs["pk"])
        is_draft = form.status == EvaluationForm.Status.DRAFT
        return super().get_context_data(
            form_version=form,
            is_draft=is_draft,
            is_standard=form.course_id is None,
            problems=form_problems(form) if is_draft else [],
            versions=form_versions_of(form=form),
            reflection_keys=Question.REFLECTION_KEYS,
            **kwargs,
        )


class _FormDraftOnlyMixin:
    """Pages that change a version: a published or retired one is shown instead."""

    def form_of_page(self) -> EvaluationForm:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        form = self.form_of_page()
        if form.status != EvaluationForm.Status.DRAFT:
            messages.info(
                request,
                f"Version {form.version} is {form.get_status_display().lower()}, so it cannot "
                "be changed. Make a new version from it instead.",
            )
            return redirect("evaluations:form-detail", pk=form.pk)
        return super().get(request, *args, **kwargs)


def _back_to_form(form_pk: int, anchor: str = "") -> HttpResponse:
    url = reverse("evaluations:form-detail", kwargs={"pk": form_pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


class FormEditView(FormCoordinatorMixin, _FormDraftOnlyMixin, FormView):
    """Change a draft's title and the note shown before its questions."""

    template_name = "evaluations/form_edit.html"
    form_class = EvaluationFormDetailsForm

    @cached_property
    def form_version(self) -> EvaluationForm:
        return get_object_or_404(
            EvaluationForm.objects.select_related("course"), pk=self.kwargs["pk"]
        )

    def form_of_page(self) -> EvaluationForm:
        return self.form_version

    def get_initial(self):
        return {"title": self.form_version.title, "content_note": self.form_version.content_note}

    def get_context_data(self, **kwargs):
        return super().get_context_data(form_version=self.form_version, **kwargs)

    def form_valid(self, form):
        try:
            form_update(form=self.form_version, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Draft version {self.form_version.version} saved.")
        return _back_to_form(self.form_version.pk)


class _FormActionView(FormCoordinatorMixin, View):
    http_method_names = ["post"]

    def act(self, form: EvaluationForm) -> EvaluationForm:
        raise NotImplementedError

    def done(self, form: EvaluationForm) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            form = self.act(get_object_or_404(EvaluationForm, pk=pk))
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return _back_to_form(pk)
        messages.success(request, self.done(form))
        return _back_to_form(form.pk)


class FormPublishView(_FormActionView):
    """Publish a draft; the version published until now is retired."""

    def act(self, form):
        return form_publish(form=form, by=self.request.user)

    def done(self, form):
        return (
            f"Version {form.version} is published: learners are asked it from now on. "
            "Answers already given stay with the version they answered."
        )


class FormCopyView(_FormActionView):
    """Make a new draft version from a published or retired one."""

    def act(self, form):
        return form_copy(form=form)

    def done(self, form):
        return f"Draft version {form.version} is made, copied from the version before."


class SectionCreateView(FormCoordinatorMixin, _FormDraftOnlyMixin, FormView):
    """Add a section at the end of a draft."""

    template_name = "evaluations/form_section_form.html"
    form_class = SectionForm

    @cached_property
    def form_version(self) -> EvaluationForm:
        return get_object_or_404(
            EvaluationForm.objects.select_related("course"), pk=self.kwargs["pk"]
        )

    def form_of_page(self) -> EvaluationForm:
        return self.form_version

    def get_context_data(self, **kwargs):
        return super().get_context_data(form_version=self.form_version, section=None, **kwargs)

    def form_valid(self, form):
        try:
            section = section_add(form=self.form_version, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"The section “{section.title}” is added. Now add its questions."
        )
        return _back_to_form(self.form_version.pk, f"section-{section.pk}")


class SectionEditView(FormCoordinatorMixin, _FormDraftOnlyMixin, FormView):
    """Rename a section."""

    template_name = "evaluations/form_section_form.html"
    form_class = SectionForm

    @cached_property
    def section(self) -> Section:
        return section_get(pk=self.kwargs["pk"])

    def form_of_page(self) -> EvaluationForm:
        return self.section.form

    def get_initial(self):
        return {"title": self.section.title}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            form_version=self.section.form, section=self.section, **kwargs
        )

    def form_valid(self, form):
        try:
            section_rename(section=self.section, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The section is renamed.")
        return _back_to_form(self.section.form_id, f"section-{self.section.pk}")


class SectionDeleteView(FormCoordinatorMixin, _FormDraftOnlyMixin, TemplateView):
    """Remove a section and its questions, after a confirmation page."""

    template_name = "evaluations/form_section_delete.html"

    @cached_property
    def section(self) -> Section:
        return section_get(pk=self.kwargs["pk"])

    def form_of_page(self) -> EvaluationForm:
        return self.section.form

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            section=self.section,
            form_version=self.section.form,
            questions=list(self.section.questions.all()),
            **kwargs,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            section_remove(section=self.section)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _back_to_form(self.section.form_id, f"section-{self.section.pk}")
        messages.success(request, f"The section “{self.section.title}” is removed.")
        return _back_to_form(self.section.form_id)


class SectionMoveView(FormCoordinatorMixin, View):
    """Move a section one place up or down."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        section = section_get(pk=pk)
        try:
            section_move(section=section, up=request.POST.get("direction") == "up")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return _back_to_form(section.form_id, f"section-{section.pk}")


class QuestionCreateView(FormCoordinatorMixin, _FormDraftOnlyMixin, FormView):
    """Add a question at the end of a section."""

    template_name = "evaluations/form_question_form.html"
    form_class = QuestionForm

    @cached_property
    def section(self) -> Section:
        return section_get(pk=self.kwargs["pk"])

    def form_of_page(self) -> EvaluationForm:
        return self.section.form

    def get_initial(self):
        return {"required": True, "kind": Question.Kind.RATING}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            form_version=self.section.form, section=self.section, question=None, **kwargs
        )

    def form_valid(self, form):
        try:
            question = question_add(section=self.section, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The question is added.")
        return _back_to_form(self.section.form_id, f"question-{question.pk}")


class QuestionEditView(FormCoordinatorMixin, _FormDraftOnlyMixin, FormView):
    """Change a question; its key stays so results compare across versions."""

    template_name = "evaluations/form_question_form.html"
    form_class = QuestionForm

    @cached_property
    def question(self) -> Question:
        return question_get(pk=self.kwargs["pk"])

    def form_of_page(self) -> EvaluationForm:
        return self.question.section.form

    def get_initial(self):
        return QuestionForm.initial_for(self.question)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            form_version=self.question.section.form,
            section=self.question.section,
            question=self.question,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            question_update(question=self.question, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The question is saved.")
        return _back_to_form(self.question.section.form_id, f"question-{self.question.pk}")


class QuestionDeleteView(FormCoordinatorMixin, _FormDraftOnlyMixin, TemplateView):
    """Remove a question, after a confirmation page."""

    template_name = "evaluations/form_question_delete.html"

    @cached_property
    def question(self) -> Question:
        return question_get(pk=self.kwargs["pk"])

    def form_of_page(self) -> EvaluationForm:
        return self.question.section.form

    def get_context_data(self, **kwargs):
        form = self.question.section.form
        return super().get_context_data(
            question=self.question,
            form_version=form,
            is_reflection=form.course_id is None and self.question.key in Question.REFLECTION_KEYS,
            **kwargs,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form_pk = self.question.section.form_id
        try:
            question_remove(question=self.question)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _back_to_form(form_pk, f"question-{self.question.pk}")
        messages.success(request, f"The question “{self.question.text}” is removed.")
        return _back_to_form(form_pk, f"section-{self.question.section_id}")


class QuestionMoveView(FormCoordinatorMixin, View):
    """Move a question one place up or down its section."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        question = question_get(pk=pk)
        try:
            question_move(question=question, up=request.POST.get("direction") == "up")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return _back_to_form(question.section.form_id, f"question-{question.pk}")


# --- Invitations and responses ---
# Learners have no account: their link (or the session's short link and the email they
# registered with) is the credential. Each refusal is its own clear page and stores nothing.
# Coordinators see who has not responded and send the one reminder.

# Wrong emails on a session's short link before a pause, per network address and from every
# address together, as for self check-in (the same code). The link stays open for 30 days, so
# the session's allowance is per day. With the cache unreachable no guess is taken.
SHORT_LINK_FAILURES_PER_ADDRESS = Limit("short-link-address", allowed=20, window=15 * 60)
SHORT_LINK_FAILURES_PER_SESSION = Limit("short-link-session", allowed=100, window=24 * 60 * 60)
SHORT_LINK_PAUSED = (
    "There have been too many tries from here. Please wait 15 minutes, or ask the coordinator "
    "for your own link."
)
SHORT_LINK_SESSION_PAUSED = (
    "There have been too many wrong tries on this session's link, so it is paused for today. "
    "Please use the link in your email, or ask the coordinator for your own link."
)
SHORT_LINK_UNAVAILABLE = (
    "We cannot check your email just now. Please try again in a few minutes, or use the link "
    "in your email."
)
REFUSED_STATUS = {"unknown": 404, "expired": 410, "used": 200, "not_ready": 200}


class _LearnerLinkMixin:
    """Pages reached by a link with a token in it: never kept by browsers or proxies, never
    indexed by search engines."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response


class RespondView(_LearnerLinkMixin, TemplateView):
    """A learner's personal feedback form, on a phone or anything else."""

    template_name = "evaluations/respond_form.html"
    refused_template_name = "evaluations/respond_refused.html"

    @cached_property
    def invitation(self) -> Invitation | None:
        return invitation_get_by_token(token=self.kwargs["token"])

    @cached_property
    def forms(self) -> SessionForms:
        return evaluation_forms_for_session(session=self.invitation.registration.session)

    def refused(self, state: str) -> HttpResponse:
        session = self.invitation.registration.session if self.invitation else None
        return TemplateResponse(
            self.request,
            self.refused_template_name,
            {"state": state, "session": session},
            status=REFUSED_STATUS[state],
        )

    def refused_reason(self) -> str:
        if self.invitation is None:
            return "unknown"
        return invitation_refused_reason(self.invitation) or (
            "not_ready" if self.forms.standard is None else ""
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ResponseForm(sections=self.forms.sections))
        return super().get_context_data(
            session=self.invitation.registration.session, forms=self.forms, **kwargs
        )

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        reason = self.refused_reason()
        if reason:
            return self.refused(reason)
        return self.render_to_response(self.get_context_data())

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        reason = self.refused_reason()
        if reason:
            return self.refused(reason)
        form = ResponseForm(request.POST, sections=self.forms.sections)
        if form.is_valid():
            try:
                response_submit(invitation=self.invitation, answers=form.answers())
            except InvitationUsed:
                return self.refused("used")
            except InvitationExpired:
                return self.refused("expired")
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("evaluations:respond-thanks", token=token)
        return self.render_to_response(self.get_context_data(form=form))


class RespondThanksView(_LearnerLinkMixin, TemplateView):
    """Thanks, once the link has taken its response."""

    template_name = "evaluations/respond_thanks.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = invitation_get_by_token(token=token)
        if invitation is None:
            return TemplateResponse(
                request, RespondView.refused_template_name, {"state": "unknown"}, status=404
            )
        if not invitation.used:
            return redirect("evaluations:respond", token=token)
        return self.render_to_response(
            self.get_context_data(session=invitation.registration.session)
        )


class RespondShortLinkView(_LearnerLinkMixin, FormView):
    """The session's short link and QR code, for learners without their email to hand: the
    email they registered with opens their own form, if they attended and have not responded."""

    template_name = "evaluations/respond_short_link.html"
    form_class = SelfCheckInForm

    @cached_property
    def session(self) -> TrainingSession:
        return session_get_for_short_link(code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session=self.session,
            closed_reason=feedback_short_link_closed_reason(self.session),
            **kwargs,
        )

    def _refused(self, form, message: str):
        form.add_error(None, message)
        return self.render_to_response(self.get_context_data(form=form), status=429)

    def form_valid(self, form):
        address = client_address(self.request)
        try:
            if limit_reached(SHORT_LINK_FAILURES_PER_ADDRESS, self.session.pk, address):
                return self._refused(form, SHORT_LINK_PAUSED)
            if limit_reached(SHORT_LINK_FAILURES_PER_SESSION, self.session.pk):
                return self._refused(form, SHORT_LINK_SESSION_PAUSED)
            try:
                invitation = invitation_for_attendee(
                    session=self.session, email=form.cleaned_data["email"]
                )
            except ValidationError as error:
                limit_count(SHORT_LINK_FAILURES_PER_ADDRESS, self.session.pk, address)
                limit_count(SHORT_LINK_FAILURES_PER_SESSION, self.session.pk)
                add_service_errors(form, error)
                return self.form_invalid(form)
        except CounterUnavailable:
            return self._refused(form, SHORT_LINK_UNAVAILABLE)
        return redirect("evaluations:respond", token=invitation.token)


class SessionEvaluationView(RoleRequiredMixin, TemplateView):
    """For coordinators: a session's response rate, who has not responded, the one reminder,
    and the short link and QR code for learners without their email."""

    roles = (Role.COORDINATOR,)
    template_name = "evaluations/invitation_overview.html"

    def get_context_data(self, **kwargs):
        session = registration_session_get(pk=self.kwargs["pk"])
        return super().get_context_data(
            session=session, overview=session_evaluation_overview(session=session), **kwargs
        )


class SessionEvaluationChaseView(RoleRequiredMixin, View):
    """Send the one reminder to everyone who has not responded yet."""

    roles = (Role.COORDINATOR,)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = registration_session_get(pk=pk)
        try:
            sent = invitations_chase(session=session, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            people = "person" if sent == 1 else "people"
            messages.success(
                request,
                f"Reminder sent to {sent} {people} who had not responded. Each person gets one "
                "reminder, so the button is now used up for them.",
            )
        return redirect("evaluations:session-evaluation", pk=pk)


# --- Results ---
# Coordinators and managers see every result; a session's own delivery team see its numbers,
# and its comments once released with 5 responses; another trainer gets a 404; team leads are
# refused for now. Only coordinators release or hide comments; coordinators and managers export.

RESULTS_ROLES = (Role.COORDINATOR, Role.MANAGER, Role.TRAINER)


class SessionResultsMixin(RoleRequiredMixin):
    roles = RESULTS_ROLES

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

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
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


# --- Documents ---
# The session report: coordinators and managers get it with the attendees' names, the session's
# own delivery team without them; another trainer gets a 404, team leads and admins a 403. The
# certificates zip is for coordinators. A learner downloads their own certificate through their
# feedback link, used or still valid, while they are marked as having attended.


def _pdf_response(content: bytes, filename: str, *, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class SessionReportPdfView(SessionResultsMixin, View):
    """A session's report as a PDF: attendance, results with charts, reflections."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        with_names = results_sees_everything(request.user)
        content = render_session_report_pdf(self.session, with_names=with_names)
        filename = f"session-report-{slugify(self.session.code)}.pdf"
        if with_names:  # learners' names leave the app: an export like any other
            audit_record(
                action=Action.EXPORT, request=request, obj=self.session, changes={"file": filename}
            )
        return _pdf_response(content, filename)


class SessionCertificatesZipView(RoleRequiredMixin, View):
    """Every attendee's certificate of attendance, one PDF each, in a zip."""

    roles = (Role.COORDINATOR,)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = get_object_or_404(
            TrainingSession.objects.select_related("course_version__course"), pk=pk
        )
        response = HttpResponse(certificates_zip(session), content_type="application/zip")
        filename = f"certificates-{slugify(session.code)}.zip"
        audit_record(action=Action.EXPORT, request=request, obj=session, changes={"file": filename})
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


class CertificateView(_LearnerLinkMixin, View):
    """A learner's own certificate of attendance, through their feedback link."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = invitation_get_by_token(token=token)
        state = ""
        if invitation is None:
            state = "unknown"
        elif invitation_refused_reason(invitation) == "expired":
            state = "expired"
        if state:
            return TemplateResponse(
                request,
                RespondView.refused_template_name,
                {"state": state, "session": invitation and invitation.registration.session},
                status=REFUSED_STATUS[state],
            )
        return _pdf_response(
            render_certificate_pdf(invitation.registration), "certificate-of-attendance.pdf"
        )


# --- Course review ---
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

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
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
