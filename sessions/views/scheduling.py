"""The schedule and the session pages: the list, month and week calendars, and
scheduling, changing, confirming and cancelling a session, all for coordinators."""

import re
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView, View

from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from people.http import AuthenticatedHttpRequest
from people.models import Role
from sessions.forms import (
    AssignmentInviteForm,
    CalendarFilterForm,
    ScheduleFilterForm,
    SessionCancelForm,
    SessionForm,
)
from sessions.models import TrainingSession
from sessions.selectors import (
    BOOKED_STATUSES,
    MONTH_DAY_LIMIT,
    assignment_candidates,
    assignment_invitable_people,
    schedule_month,
    schedule_week,
    session_get_for_coordinator,
    session_is_service_user_led,
    session_list_for_coordinator,
)
from sessions.services import session_cancel, session_confirm, session_create, session_update

# The schedule, its calendars and the session pages are for coordinators.


class ScheduleCoordinatorMixin(RoleRequiredMixin):
    roles = (Role.COORDINATOR,)


def _month_asked(value: str | None, today: date) -> tuple[date, str]:
    """The month in ?month=2026-12, or this month and what could not be read."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", value or "")
    if match and 1900 <= int(match[1]) <= 2200 and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1), ""
    return today.replace(day=1), value or ""


def _week_asked(value: str | None, today: date) -> tuple[date, str]:
    """The Monday of the ISO week in ?week=2026-W50, or of this week and what could not be read."""
    match = re.fullmatch(r"(\d{4})-W(\d{1,2})", value or "", flags=re.IGNORECASE)
    if match and 1900 <= int(match[1]) <= 2200:
        try:
            return date.fromisocalendar(int(match[1]), int(match[2]), 1), ""
        except ValueError:
            pass
    return today - timedelta(days=today.weekday()), value or ""


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


class ScheduleListView(ScheduleCoordinatorMixin, ListView):
    """The schedule: sessions in time order, from today unless the filter says otherwise."""

    template_name = "sessions/schedule_list.html"
    context_object_name = "sessions"
    paginate_by = 50

    def get_queryset(self):
        data = self.request.GET
        if not any(name in data for name in ScheduleFilterForm.FIELDS):
            # Unfiltered, the schedule starts today: what is still to come is what matters.
            data = {"date_from": timezone.localdate().isoformat()}
        self.form = ScheduleFilterForm(data)
        if not self.form.is_valid():
            return TrainingSession.objects.none()
        return session_list_for_coordinator(**self.form.filters())

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(
            form=self.form, today=today, this_week=_iso_week(today), **kwargs
        )


class ScheduleMonthView(ScheduleCoordinatorMixin, TemplateView):
    """A month as a calendar table (a list of days on a phone), Monday first."""

    template_name = "sessions/schedule_month.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        month, unreadable = _month_asked(self.request.GET.get("month"), today)
        form = CalendarFilterForm(self.request.GET)
        weeks = (
            schedule_month(month=month, today=today, **form.filters()) if form.is_valid() else []
        )
        previous = (month - timedelta(days=1)).replace(day=1)
        following = (month + timedelta(days=32)).replace(day=1)
        return super().get_context_data(
            form=form,
            month=month,
            unreadable=unreadable,
            weeks=[(_iso_week(week[0].day), week) for week in weeks],
            busy_days=[day for week in weeks for day in week if day.entries],
            previous=previous,
            following=following,
            this_month=today.replace(day=1),
            month_limit=MONTH_DAY_LIMIT,
            today=today,
            **kwargs,
        )


class ScheduleWeekView(ScheduleCoordinatorMixin, TemplateView):
    """An ISO week, Monday to Sunday, as a list of days with their sessions."""

    template_name = "sessions/schedule_week.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        monday, unreadable = _week_asked(self.request.GET.get("week"), today)
        form = CalendarFilterForm(self.request.GET)
        days = (
            schedule_week(monday=monday, today=today, **form.filters()) if form.is_valid() else []
        )
        return super().get_context_data(
            form=form,
            monday=monday,
            sunday=monday + timedelta(days=6),
            week=_iso_week(monday),
            unreadable=unreadable,
            days=days,
            previous=_iso_week(monday - timedelta(days=7)),
            following=_iso_week(monday + timedelta(days=7)),
            this_week=_iso_week(today),
            today=today,
            **kwargs,
        )


class SessionCreateView(ScheduleCoordinatorMixin, FormView):
    """Schedule a session; ?date=2026-12-14 fills in the day (from the calendars)."""

    template_name = "sessions/session_form.html"
    form_class = SessionForm

    def get_initial(self):
        initial = {"coordinator": self.request.user.pk, "where": "venue"}
        try:
            initial["date"] = date.fromisoformat(self.request.GET.get("date", ""))
        except ValueError:
            initial["date"] = None
        return initial

    def form_valid(self, form):
        try:
            session = session_create(**form.service_arguments(), by=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error, aliases=SessionForm.ERROR_FIELDS)
            return self.form_invalid(form)
        messages.success(self.request, f"{session.code} is scheduled. Invite its trainers below.")
        return redirect("sessions:session-detail", pk=session.pk)


class SessionEditView(ScheduleCoordinatorMixin, FormView):
    """Change or move a planned or confirmed session."""

    template_name = "sessions/session_form.html"
    form_class = SessionForm

    @cached_property
    def session(self) -> TrainingSession:
        return session_get_for_coordinator(pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        if self.session.status not in BOOKED_STATUSES:
            messages.info(
                request,
                f"This session is {self.session.get_status_display().lower()}, so it cannot be "
                "changed.",
            )
            return redirect("sessions:session-detail", pk=self.session.pk)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return SessionForm.initial_for(self.session)

    def get_context_data(self, **kwargs):
        return super().get_context_data(session=self.session, **kwargs)

    def form_valid(self, form):
        was = self.session.status
        try:
            session = session_update(
                session=self.session, **form.service_arguments(), by=self.request.user
            )
        except ValidationError as error:
            add_service_errors(form, error, aliases=SessionForm.ERROR_FIELDS)
            return self.form_invalid(form)
        if was == TrainingSession.Status.CONFIRMED and session.status != was:
            messages.warning(
                self.request,
                "Saved. The session is planned again: no service-user trainer on it has a "
                "certification valid on the new date. Invite one, then confirm it.",
            )
        else:
            messages.success(self.request, "The session is saved.")
        return redirect("sessions:session-detail", pk=session.pk)


class SessionDetailView(ScheduleCoordinatorMixin, TemplateView):
    """A session's page: what, when and where; who is on it; suitable trainers to invite."""

    template_name = "sessions/session_detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.bound_forms = {}
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def session(self) -> TrainingSession:
        return session_get_for_coordinator(pk=self.kwargs["pk"])

    def invite_form(self, data=None) -> AssignmentInviteForm:
        trainers, staff = assignment_invitable_people(session=self.session)
        return AssignmentInviteForm(data, trainers=trainers, staff=staff)

    def get_context_data(self, **kwargs):
        session = self.session
        open_to_invites = session.status in BOOKED_STATUSES and session.starts_at > timezone.now()
        return super().get_context_data(
            session=session,
            assignments=list(session.assignments.all()),
            open_to_invites=open_to_invites,
            candidates=assignment_candidates(session=session) if open_to_invites else [],
            invite_form=self.bound_forms.get("invite_form")
            or (self.invite_form() if open_to_invites else None),
            service_user_led=session_is_service_user_led(session=session),
            **kwargs,
        )


class SessionConfirmView(ScheduleCoordinatorMixin, View):
    """Confirm a session that is service-user-led."""

    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        try:
            session_confirm(session=session_get_for_coordinator(pk=pk), by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The session is confirmed.")
        return redirect("sessions:session-detail", pk=pk)


class SessionCancelView(ScheduleCoordinatorMixin, FormView):
    """Cancel a session, with the reason the people on it are told."""

    template_name = "sessions/session_cancel.html"
    form_class = SessionCancelForm

    @cached_property
    def session(self) -> TrainingSession:
        return session_get_for_coordinator(pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        if self.session.status not in BOOKED_STATUSES:
            messages.info(
                request, f"This session is already {self.session.get_status_display().lower()}."
            )
            return redirect("sessions:session-detail", pk=self.session.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(session=self.session, **kwargs)

    def form_valid(self, form):
        try:
            session_cancel(session=self.session, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, "The session is cancelled. We have told the trainers invited to it."
        )
        return redirect("sessions:session-detail", pk=self.session.pk)
