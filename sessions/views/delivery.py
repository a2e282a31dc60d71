"""Delivering a session: the attendance register, the check-in display and learners'
self check-in (with its limits on guessing), the session pack PDF, the delivery report and the
session's costs."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views.generic import FormView, TemplateView, View

from core.clientaddress import client_address
from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from core.ratelimit import CounterUnavailable, Limit, limit_count, limit_reached
from people.http import AuthenticatedHttpRequest
from people.models import Role
from sessions.forms import AttendanceForm, DeliveryReportForm, SelfCheckInForm, SessionCostForm
from sessions.models import Registration, TrainingSession
from sessions.pdf import render_session_pack_pdf
from sessions.selectors import (
    DELIVERY_TEAM_ROLES,
    REPORTING_ROLES,
    DeliveryReportPage,
    attendance_closed_reason,
    attendance_register,
    check_in_closed_reason,
    check_in_display,
    delivery_report_page,
    session_cost_get,
    session_costs,
    session_get_for_check_in,
    session_get_for_delivery_team,
    session_pack_get,
    session_page_links,
)
from sessions.services import (
    attendance_check_in,
    attendance_record,
    delivery_report_submit,
    session_cost_add,
    session_cost_remove,
    session_cost_room_hire_add,
)
from sessions.views.registrations import RegistrationCoordinatorMixin, _LearnerLinkMixin

# The register, the check-in display and the session pack are for coordinators and the
# session's delivery team (its accepted lead, co-trainers and staff co-facilitators); the
# delivery report is filed by its lead or co-trainers. Another trainer gets a 404. Learners
# have no account: self check-in works from a link alone. Coordinators manage the costs.


class DeliveryTeamMixin(RoleRequiredMixin):
    roles = (Role.COORDINATOR, Role.TRAINER)
    team_roles: tuple[str, ...] = DELIVERY_TEAM_ROLES
    # Set by the view this mixin is used with (View.setup), and read by the property below.
    request: HttpRequest
    kwargs: dict[str, Any]

    @cached_property
    def session(self) -> TrainingSession:
        return session_get_for_delivery_team(
            user=self.request.user, pk=self.kwargs["pk"], roles=self.team_roles
        )


class AttendanceRegisterView(DeliveryTeamMixin, FormView):
    """The register: each person with a place marked attended, partly or did not attend, saved
    in one go. Open from the session's start until a week after it ends."""

    template_name = "sessions/attendance_register.html"
    form_class = AttendanceForm

    @cached_property
    def registrations(self) -> list[Registration]:
        return attendance_register(session=self.session)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"registrations": self.registrations}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session=self.session,
            closed_reason=attendance_closed_reason(self.session),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            counts = attendance_record(
                session=self.session, marks=form.marks(), by=self.request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Attendance saved: {counts.attended} attended, {counts.partly_attended} partly, "
            f"{counts.no_show} did not attend, {counts.unmarked} not marked yet.",
        )
        return redirect("sessions:attendance", pk=self.session.pk)


class CheckInDisplayView(DeliveryTeamMixin, TemplateView):
    """A QR code and short link for trainers to show the room, for learners to check in."""

    template_name = "sessions/checkin_display.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session=self.session, display=check_in_display(session=self.session), **kwargs
        )


# Wrong emails at check-in before a pause. Per network address: enough for a room sharing one
# network to mistype, too few to try a list of addresses. Per session, from every address
# together: a room's worth of mistakes, so a code seen on a screen cannot be used from many
# addresses to find out who is booked. With the cache unreachable no guess is taken.
CHECK_IN_FAILURES_PER_ADDRESS = Limit("check-in-address", allowed=20, window=15 * 60)
CHECK_IN_FAILURES_PER_SESSION = Limit("check-in-session", allowed=100, window=60 * 60)
CHECK_IN_PAUSED = "There have been too many tries from here. Please speak to the trainer."
CHECK_IN_SESSION_PAUSED = (
    "There have been too many wrong tries on this session, so check-in is paused for a while. "
    "Please speak to the trainer, who can mark you on the register."
)
CHECK_IN_UNAVAILABLE = (
    "We cannot check you in just now. Please try again in a few minutes, or speak to the trainer."
)


class CheckInView(_LearnerLinkMixin, FormView):
    """Self check-in: a learner enters the email they registered with, during the session."""

    template_name = "sessions/checkin_form.html"
    form_class = SelfCheckInForm

    @cached_property
    def session(self) -> TrainingSession:
        return session_get_for_check_in(code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session=self.session, closed_reason=check_in_closed_reason(self.session), **kwargs
        )

    def _refused(self, form, message: str):
        form.add_error(None, message)
        return self.render_to_response(self.get_context_data(form=form), status=429)

    def form_valid(self, form):
        address = client_address(self.request)
        try:
            if limit_reached(CHECK_IN_FAILURES_PER_ADDRESS, self.session.pk, address):
                return self._refused(form, CHECK_IN_PAUSED)
            if limit_reached(CHECK_IN_FAILURES_PER_SESSION, self.session.pk):
                return self._refused(form, CHECK_IN_SESSION_PAUSED)
            try:
                attendance_check_in(session=self.session, email=form.cleaned_data["email"])
            except ValidationError as error:
                limit_count(CHECK_IN_FAILURES_PER_ADDRESS, self.session.pk, address)
                limit_count(CHECK_IN_FAILURES_PER_SESSION, self.session.pk)
                add_service_errors(form, error)
                return self.form_invalid(form)
        except CounterUnavailable:
            return self._refused(form, CHECK_IN_UNAVAILABLE)
        messages.success(self.request, "You are checked in. Welcome, and enjoy the session.")
        return redirect("sessions:checkin", code=self.session.check_in_code)


class SessionPackView(DeliveryTeamMixin, View):
    """The session pack PDF: the plan and a sign-in sheet."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        response = HttpResponse(
            render_session_pack_pdf(session_pack_get(session=self.session)),
            content_type="application/pdf",
        )
        filename = f"session-pack-{slugify(self.session.code) or self.session.pk}.pdf"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response


class DeliveryReportView(DeliveryTeamMixin, FormView):
    """The lead or co-trainer files the delivery report after the session; coordinators read
    it. The optional debrief is the trainer's private check-in: never shown here to anyone."""

    template_name = "sessions/report_form.html"
    form_class = DeliveryReportForm
    team_roles = REPORTING_ROLES

    @cached_property
    def page(self) -> DeliveryReportPage:
        return delivery_report_page(session=self.session, user=self.request.user)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"with_debrief": self.page.with_debrief}

    def get_initial(self):
        return {"attendee_count": self.page.attended}

    def get_context_data(self, **kwargs):
        links = session_page_links(session=self.session, user=self.request.user)
        return super().get_context_data(
            session=self.session, page=self.page, links=links if self.page.report else [], **kwargs
        )

    def post(self, request, *args, **kwargs):
        if not self.page.may_file:
            messages.error(request, self.page.refused_reason or "This report cannot be filed.")
            return redirect("sessions:delivery-report", pk=self.session.pk)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            report = delivery_report_submit(
                session=self.session, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        text = "Thank you. Your report is filed and the session is marked as delivered."
        if report.debrief_id:
            text += " Your debrief is saved privately: only you and your supporter can read it."
        messages.success(self.request, text)
        return redirect("sessions:delivery-report", pk=self.session.pk)


class SessionCostListView(RegistrationCoordinatorMixin, FormView):
    """A session's costs with their total, and a form to add one."""

    template_name = "sessions/cost_list.html"
    form_class = SessionCostForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session=self.session, costs=session_costs(session=self.session), **kwargs
        )

    def form_valid(self, form):
        try:
            cost = session_cost_add(session=self.session, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{cost.get_kind_display()} of £{cost.amount} added.")
        return redirect("sessions:session-costs", pk=self.session.pk)


class SessionCostRoomHireView(RegistrationCoordinatorMixin, View):
    """Add the room's recorded hire cost in one step."""

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        try:
            cost = session_cost_room_hire_add(session=self.session, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Room hire of £{cost.amount} added.")
        return redirect("sessions:session-costs", pk=pk)


class SessionCostRemoveView(RegistrationCoordinatorMixin, View):
    def post(self, request: AuthenticatedHttpRequest, pk: int, cost_pk: int) -> HttpResponse:
        cost = session_cost_get(session=self.session, pk=cost_pk)
        session_cost_remove(cost=cost, by=request.user)
        messages.success(request, f"{cost.get_kind_display()} of £{cost.amount} removed.")
        return redirect("sessions:session-costs", pk=pk)
