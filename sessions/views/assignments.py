"""Trainers and staff on a session: a coordinator invites and withdraws them; a person
answers an invitation from its emailed links or from "My sessions", their start page."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView, View

from core.forms import add_service_errors
from people.http import AuthenticatedHttpRequest
from sessions.models import TrainerAssignment, TrainingSession
from sessions.selectors import (
    BOOKED_STATUSES,
    assignment_get_by_token,
    assignment_get_for_coordinator,
    assignment_get_for_user,
    assignment_list_for_user,
)
from sessions.services import (
    assignment_accept,
    assignment_answered_already,
    assignment_decline,
    assignment_invite,
    assignment_withdraw,
)
from sessions.views.scheduling import ScheduleCoordinatorMixin, SessionDetailView

# A person answers an invitation from the emailed links (the token is the credential, so no
# sign-in is needed; a GET only shows a confirmation page, so a mail scanner that fetches
# links accepts nothing) or from their own "My sessions" page.


class SessionInviteView(SessionDetailView):
    """Invite a trainer or staff co-facilitator; refusals are shown on the session's page."""

    http_method_names = ["post"]

    def post(self, request, pk):
        form = self.invite_form(request.POST)
        if form.is_valid():
            try:
                assignment = assignment_invite(
                    session=self.session, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
        if not form.is_valid():
            self.bound_forms = {"invite_form": form}
            return self.render_to_response(self.get_context_data())
        messages.success(
            request,
            f"{assignment.user} is invited as {assignment.get_role_display().lower()}. "
            "We have emailed them links to accept or decline.",
        )
        return redirect("sessions:session-detail", pk=self.session.pk)


class AssignmentWithdrawView(ScheduleCoordinatorMixin, View):
    """Take someone off a session (or withdraw their invitation)."""

    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        assignment = assignment_get_for_coordinator(pk=pk)
        was = assignment.session.status
        try:
            assignment = assignment_withdraw(assignment=assignment, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            text = f"{assignment.user} is no longer on this session. We have told them."
            if assignment.session.status != was:
                text += (
                    " The session is planned again: confirm it once a service-user trainer "
                    "has accepted."
                )
            messages.success(request, text)
        return redirect("sessions:session-detail", pk=assignment.session_id)


class InvitationView(TemplateView):
    """Accept or decline from the emailed link: a GET shows what is being answered and a button;
    only the POST answers."""

    template_name = "sessions/assignment_invitation.html"
    answer = "accept"

    @cached_property
    def assignment(self) -> TrainerAssignment | None:
        return assignment_get_by_token(token=self.kwargs["token"])

    def get(self, request, *args, **kwargs):
        if self.assignment is None:
            return self._unknown()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        assignment = self.assignment
        session = assignment.session
        open_ = (
            assignment.status == TrainerAssignment.Status.INVITED
            and session.status in BOOKED_STATUSES
            and session.starts_at > timezone.now()
        )
        closed_because = ""
        if not open_:
            if assignment.status != TrainerAssignment.Status.INVITED:
                closed_because = assignment_answered_already(assignment)
            elif session.status == TrainingSession.Status.CANCELLED:
                closed_because = "This session has been cancelled, so there is nothing to answer."
            else:
                closed_because = "This session has already started or taken place."
        return super().get_context_data(
            assignment=assignment,
            session=session,
            answer=self.answer,
            open=open_,
            closed_because=closed_because,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if self.assignment is None:
            return self._unknown()
        service = assignment_accept if self.answer == "accept" else assignment_decline
        try:
            service(assignment=self.assignment)
        except ValidationError as error:
            del self.assignment
            return self.render_to_response(self.get_context_data(error=" ".join(error.messages)))
        return redirect(request.path)

    def _unknown(self) -> HttpResponse:
        return self.response_class(
            request=self.request,
            template="sessions/assignment_invitation_unknown.html",
            context={},
            status=404,
        )


class MySessionsView(LoginRequiredMixin, TemplateView):
    """A person's invitations to answer and the sessions they are on: a trainer's start page."""

    template_name = "sessions/assignment_list_mine.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            mine=assignment_list_for_user(user=self.request.user), **kwargs
        )


class MyAssignmentAnswerView(LoginRequiredMixin, View):
    """Accept, decline or step off from "My sessions"; someone else's is a 404."""

    http_method_names = ["post"]
    answer = "accept"

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        assignment = assignment_get_for_user(user=request.user, pk=pk)
        try:
            if self.answer == "accept":
                assignment_accept(assignment=assignment)
                text = "You have accepted. We will remind you before the session."
            elif self.answer == "decline":
                assignment_decline(assignment=assignment)
                text = "You have declined. Thank you for letting us know."
            else:
                assignment_withdraw(assignment=assignment, by=request.user)
                text = "You are no longer on this session. We have told the coordinator."
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, text)
        return redirect("sessions:my-sessions")
