"""Invitations and responses: the learner's feedback form behind their link or the session's
short link, the thanks page, and the coordinator's response rate and one reminder."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView, View

from core.clientaddress import client_address
from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from core.ratelimit import CounterUnavailable, Limit, limit_count, limit_reached
from evaluations.forms import ResponseForm
from evaluations.models import Invitation
from evaluations.selectors import (
    SessionForms,
    evaluation_forms_for_session,
    feedback_short_link_closed_reason,
    invitation_get_by_token,
    session_evaluation_overview,
    session_get_for_short_link,
)
from evaluations.services import (
    InvitationExpired,
    InvitationUsed,
    invitation_for_attendee,
    invitation_refused_reason,
    invitations_chase,
    response_submit,
)
from people.http import AuthenticatedHttpRequest
from people.models import Role
from sessions.forms import SelfCheckInForm
from sessions.models import TrainingSession
from sessions.selectors import registration_session_get

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

    @property
    def known_invitation(self) -> Invitation:
        """The invitation of a link refused_reason() let through: an unknown one never gets
        this far."""
        if self.invitation is None:
            raise Http404
        return self.invitation

    @cached_property
    def forms(self) -> SessionForms:
        return evaluation_forms_for_session(session=self.known_invitation.registration.session)

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
                response_submit(invitation=self.known_invitation, answers=form.answers())
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

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
