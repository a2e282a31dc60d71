import base64
import hashlib
import hmac
import re
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views.generic import FormView, ListView, TemplateView, View

from core.clientaddress import client_address
from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from core.ratelimit import (
    LOCAL,
    CounterUnavailable,
    Limit,
    limit_count,
    limit_reached,
    limit_take,
)
from people.models import Role
from sessions.forms import (
    ActivityForm,
    AssignmentInviteForm,
    AttendanceForm,
    CalendarFilterForm,
    CourseCreateForm,
    CourseVersionForm,
    DeliveryReportForm,
    ImportConfirmForm,
    ImportForm,
    LearningOutcomeForm,
    ParticipantSearchForm,
    RegistrationExistingForm,
    RegistrationForm,
    RoomForm,
    ScheduleFilterForm,
    SelfCheckInForm,
    SessionCancelForm,
    SessionCostForm,
    SessionForm,
    VenueForm,
)
from sessions.models import (
    Activity,
    CourseVersion,
    LearningOutcome,
    Registration,
    Room,
    TrainerAssignment,
    TrainingSession,
    Venue,
)
from sessions.pdf import render_handbook_pdf, render_session_pack_pdf
from sessions.selectors import (
    BOOKED_STATUSES,
    DELIVERY_TEAM_ROLES,
    MONTH_DAY_LIMIT,
    REPORTING_ROLES,
    DeliveryReportPage,
    activity_get,
    assignment_candidates,
    assignment_get_by_token,
    assignment_get_for_coordinator,
    assignment_get_for_user,
    assignment_invitable_people,
    assignment_list_for_user,
    attendance_closed_reason,
    attendance_register,
    calendar_feed_for,
    calendar_feed_ics,
    check_in_closed_reason,
    check_in_display,
    course_list,
    course_version_get,
    course_version_problems,
    course_versions_of,
    delivery_report_page,
    outcome_get,
    registration_cancel_refused_reason,
    registration_closed_reason,
    registration_counts,
    registration_get_by_token,
    registration_get_on_session,
    registration_list_for_session,
    registration_overview,
    registration_session_get,
    room_get,
    schedule_month,
    schedule_week,
    session_cost_get,
    session_costs,
    session_get_for_check_in,
    session_get_for_coordinator,
    session_get_for_delivery_team,
    session_get_for_registration,
    session_is_service_user_led,
    session_list_for_coordinator,
    session_pack_get,
    venue_get,
    venue_list,
    waitlist_positions,
)
from sessions.services import (
    activity_add,
    activity_move,
    activity_remove,
    activity_update,
    assignment_accept,
    assignment_answered_already,
    assignment_decline,
    assignment_invite,
    assignment_withdraw,
    attendance_check_in,
    attendance_record,
    calendar_feed_renew,
    course_create,
    course_version_copy,
    course_version_pilot,
    course_version_publish,
    course_version_update,
    csv_import_run,
    delivery_report_submit,
    outcome_add,
    outcome_move,
    outcome_remove,
    outcome_update,
    registration_add_existing,
    registration_add_new,
    registration_cancel,
    registration_public_submit,
    room_add,
    room_remove,
    room_update,
    session_cancel,
    session_confirm,
    session_cost_add,
    session_cost_remove,
    session_cost_room_hire_add,
    session_create,
    session_update,
    venue_create,
    venue_update,
)

# --- Courses and venues ---

# Coordinators maintain courses and venues. The handbook PDF is also for trainers.


class CourseCoordinatorMixin(RoleRequiredMixin):
    roles = (Role.COORDINATOR,)


class CourseListView(CourseCoordinatorMixin, ListView):
    """Every course, with its newest version and the version published now."""

    template_name = "sessions/course_list.html"
    context_object_name = "courses"
    paginate_by = 50

    def get_queryset(self):
        return course_list()


class CourseCreateView(CourseCoordinatorMixin, FormView):
    """A new course and its first version, a draft."""

    template_name = "sessions/course_create.html"
    form_class = CourseCreateForm

    def form_valid(self, form):
        try:
            version = course_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"“{version.course}” is created with a draft version 1. Add its learning outcomes "
            "and activities.",
        )
        return redirect("sessions:course-version-detail", pk=version.pk)


class CourseVersionDetailView(CourseCoordinatorMixin, TemplateView):
    """A version of a course as its handbook reads, with what can be done with it."""

    template_name = "sessions/course_version_detail.html"

    def get_context_data(self, **kwargs):
        version = course_version_get(pk=self.kwargs["pk"])
        return super().get_context_data(
            version=version,
            course=version.course,
            is_draft=version.status == CourseVersion.Status.DRAFT,
            problems=course_version_problems(version),
            versions=course_versions_of(course=version.course),
            **kwargs,
        )


class _DraftOnlyMixin:
    """Pages that change a version: a pilot or published one is shown instead, never edited."""

    def version_of_page(self) -> CourseVersion:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        version = self.version_of_page()
        if version.status != CourseVersion.Status.DRAFT:
            messages.info(
                request,
                f"Version {version.number} is {version.get_status_display().lower()}, so it "
                "cannot be changed. Start a new version from it instead.",
            )
            return redirect("sessions:course-version-detail", pk=version.pk)
        return super().get(request, *args, **kwargs)


class CourseVersionEditView(CourseCoordinatorMixin, _DraftOnlyMixin, FormView):
    """Change a draft's aims, support guidance, role description and co-designers."""

    template_name = "sessions/course_version_form.html"
    form_class = CourseVersionForm

    @cached_property
    def version(self) -> CourseVersion:
        return course_version_get(pk=self.kwargs["pk"])

    def version_of_page(self) -> CourseVersion:
        return self.version

    def get_initial(self):
        return CourseVersionForm.initial_for(self.version)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"version": self.version}

    def get_context_data(self, **kwargs):
        return super().get_context_data(version=self.version, **kwargs)

    def form_valid(self, form):
        try:
            course_version_update(version=self.version, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Draft version {self.version.number} saved.")
        return redirect("sessions:course-version-detail", pk=self.version.pk)


class _CourseVersionActionView(CourseCoordinatorMixin, View):
    http_method_names = ["post"]

    def act(self, version: CourseVersion) -> CourseVersion:
        raise NotImplementedError

    def done(self, version: CourseVersion) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            version = self.act(get_object_or_404(CourseVersion, pk=pk))
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect("sessions:course-version-detail", pk=pk)
        messages.success(request, self.done(version))
        return redirect("sessions:course-version-detail", pk=version.pk)


class CourseVersionPilotView(_CourseVersionActionView):
    """Move a draft to pilot."""

    def act(self, version):
        return course_version_pilot(version=version, by=self.request.user)

    def done(self, version):
        return f"Version {version.number} is now a pilot. It can no longer be changed."


class CourseVersionPublishView(_CourseVersionActionView):
    """Publish a draft or pilot version."""

    def act(self, version):
        return course_version_publish(version=version, by=self.request.user)

    def done(self, version):
        return (
            f"Version {version.number} is published. Sessions already scheduled keep the "
            "version they were scheduled with."
        )


class CourseVersionCopyView(_CourseVersionActionView):
    """Start a new draft version copied from a pilot or published one."""

    def act(self, version):
        return course_version_copy(version=version)

    def done(self, version):
        return f"Draft version {version.number} started, copied from the version before."


class CourseHandbookView(RoleRequiredMixin, View):
    """A version's handbook as a PDF, for coordinators and trainers."""

    roles = (Role.COORDINATOR, Role.TRAINER)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = course_version_get(pk=pk)
        response = HttpResponse(render_handbook_pdf(version), content_type="application/pdf")
        name = slugify(version.course.title) or "course"
        filename = f"handbook-{name}-version-{version.number}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class OutcomeCreateView(CourseCoordinatorMixin, _DraftOnlyMixin, FormView):
    """Add a learning outcome at the end of a draft."""

    template_name = "sessions/course_outcome_form.html"
    form_class = LearningOutcomeForm

    @cached_property
    def version(self) -> CourseVersion:
        return get_object_or_404(
            CourseVersion.objects.select_related("course"), pk=self.kwargs["pk"]
        )

    def version_of_page(self) -> CourseVersion:
        return self.version

    def get_context_data(self, **kwargs):
        return super().get_context_data(version=self.version, outcome=None, **kwargs)

    def form_valid(self, form):
        try:
            outcome_add(version=self.version, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The learning outcome is added. Now add its activities.")
        return redirect("sessions:course-version-detail", pk=self.version.pk)


class OutcomeEditView(CourseCoordinatorMixin, _DraftOnlyMixin, FormView):
    """Change a learning outcome's wording."""

    template_name = "sessions/course_outcome_form.html"
    form_class = LearningOutcomeForm

    @cached_property
    def outcome(self) -> LearningOutcome:
        return outcome_get(pk=self.kwargs["pk"])

    def version_of_page(self) -> CourseVersion:
        return self.outcome.version

    def get_initial(self):
        return {"text": self.outcome.text}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            version=self.outcome.version, outcome=self.outcome, **kwargs
        )

    def form_valid(self, form):
        try:
            outcome_update(outcome=self.outcome, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The learning outcome is saved.")
        return redirect("sessions:course-version-detail", pk=self.outcome.version_id)


class OutcomeDeleteView(CourseCoordinatorMixin, _DraftOnlyMixin, TemplateView):
    """Remove a learning outcome and its activities, after a confirmation page."""

    template_name = "sessions/course_outcome_delete.html"

    @cached_property
    def outcome(self) -> LearningOutcome:
        return outcome_get(pk=self.kwargs["pk"])

    def version_of_page(self) -> CourseVersion:
        return self.outcome.version

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            outcome=self.outcome, version=self.outcome.version, **kwargs
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            outcome_remove(outcome=self.outcome)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The learning outcome and its activities are removed.")
        return redirect("sessions:course-version-detail", pk=self.outcome.version_id)


class OutcomeMoveView(CourseCoordinatorMixin, View):
    """Move a learning outcome one place up or down."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        outcome = outcome_get(pk=pk)
        try:
            outcome_move(outcome=outcome, up=request.POST.get("direction") == "up")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(
            reverse("sessions:course-version-detail", kwargs={"pk": outcome.version_id})
            + f"#outcome-{outcome.pk}"
        )


class ActivityCreateView(CourseCoordinatorMixin, _DraftOnlyMixin, FormView):
    """Add an activity to a learning outcome's choices."""

    template_name = "sessions/course_activity_form.html"
    form_class = ActivityForm

    @cached_property
    def outcome(self) -> LearningOutcome:
        return outcome_get(pk=self.kwargs["pk"])

    def version_of_page(self) -> CourseVersion:
        return self.outcome.version

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            outcome=self.outcome, version=self.outcome.version, activity=None, **kwargs
        )

    def form_valid(self, form):
        try:
            activity_add(outcome=self.outcome, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The activity is added.")
        return redirect(
            reverse("sessions:course-version-detail", kwargs={"pk": self.outcome.version_id})
            + f"#outcome-{self.outcome.pk}"
        )


class ActivityEditView(CourseCoordinatorMixin, _DraftOnlyMixin, FormView):
    """Change an activity."""

    template_name = "sessions/course_activity_form.html"
    form_class = ActivityForm

    @cached_property
    def activity(self) -> Activity:
        return activity_get(pk=self.kwargs["pk"])

    def version_of_page(self) -> CourseVersion:
        return self.activity.outcome.version

    def get_initial(self):
        return ActivityForm.initial_for(self.activity)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            outcome=self.activity.outcome,
            version=self.activity.outcome.version,
            activity=self.activity,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            activity_update(activity=self.activity, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The activity is saved.")
        return redirect(
            reverse(
                "sessions:course-version-detail",
                kwargs={"pk": self.activity.outcome.version_id},
            )
            + f"#activity-{self.activity.pk}"
        )


class ActivityDeleteView(CourseCoordinatorMixin, _DraftOnlyMixin, TemplateView):
    """Remove an activity, after a confirmation page."""

    template_name = "sessions/course_activity_delete.html"

    @cached_property
    def activity(self) -> Activity:
        return activity_get(pk=self.kwargs["pk"])

    def version_of_page(self) -> CourseVersion:
        return self.activity.outcome.version

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            activity=self.activity, version=self.activity.outcome.version, **kwargs
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            activity_remove(activity=self.activity)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"The activity “{self.activity.title}” is removed.")
        return redirect(
            reverse(
                "sessions:course-version-detail",
                kwargs={"pk": self.activity.outcome.version_id},
            )
            + f"#outcome-{self.activity.outcome_id}"
        )


class ActivityMoveView(CourseCoordinatorMixin, View):
    """Move an activity one place up or down its outcome's choices."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = activity_get(pk=pk)
        try:
            activity_move(activity=activity, up=request.POST.get("direction") == "up")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(
            reverse("sessions:course-version-detail", kwargs={"pk": activity.outcome.version_id})
            + f"#activity-{activity.pk}"
        )


class VenueListView(CourseCoordinatorMixin, ListView):
    """Every venue, by region."""

    template_name = "sessions/venue_list.html"
    context_object_name = "venues"
    paginate_by = 50

    def get_queryset(self):
        return venue_list()


class VenueCreateView(CourseCoordinatorMixin, FormView):
    """Add a venue; rooms are added on its page."""

    template_name = "sessions/venue_form.html"
    form_class = VenueForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(venue=None, **kwargs)

    def form_valid(self, form):
        try:
            venue = venue_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{venue} is added. Now add its rooms.")
        return redirect("sessions:venue-detail", pk=venue.pk)


class VenueDetailView(CourseCoordinatorMixin, TemplateView):
    """A venue's address, accessibility information and rooms."""

    template_name = "sessions/venue_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(venue=venue_get(pk=self.kwargs["pk"]), **kwargs)


class VenueEditView(CourseCoordinatorMixin, FormView):
    """Change a venue's details."""

    template_name = "sessions/venue_form.html"
    form_class = VenueForm

    @cached_property
    def venue(self) -> Venue:
        return venue_get(pk=self.kwargs["pk"])

    def get_initial(self):
        return VenueForm.initial_for(self.venue)

    def get_context_data(self, **kwargs):
        return super().get_context_data(venue=self.venue, **kwargs)

    def form_valid(self, form):
        try:
            venue_update(venue=self.venue, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The venue is saved.")
        return redirect("sessions:venue-detail", pk=self.venue.pk)


class RoomCreateView(CourseCoordinatorMixin, FormView):
    """Add a room to a venue."""

    template_name = "sessions/venue_room_form.html"
    form_class = RoomForm

    @cached_property
    def venue(self) -> Venue:
        return venue_get(pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(venue=self.venue, room=None, **kwargs)

    def form_valid(self, form):
        try:
            room = room_add(venue=self.venue, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{room.name} is added.")
        return redirect("sessions:venue-detail", pk=self.venue.pk)


class RoomEditView(CourseCoordinatorMixin, FormView):
    """Change a room's name, capacity or hire cost."""

    template_name = "sessions/venue_room_form.html"
    form_class = RoomForm

    @cached_property
    def room(self) -> Room:
        return room_get(pk=self.kwargs["pk"])

    def get_initial(self):
        return RoomForm.initial_for(self.room)

    def get_context_data(self, **kwargs):
        return super().get_context_data(venue=self.room.venue, room=self.room, **kwargs)

    def form_valid(self, form):
        try:
            room = room_update(room=self.room, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{room.name} is saved.")
        return redirect("sessions:venue-detail", pk=self.room.venue_id)


class RoomDeleteView(CourseCoordinatorMixin, TemplateView):
    """Remove a room no session was ever booked in, after a confirmation page."""

    template_name = "sessions/venue_room_delete.html"

    @cached_property
    def room(self) -> Room:
        return room_get(pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(room=self.room, venue=self.room.venue, **kwargs)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            room_remove(room=self.room)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{self.room.name} is removed.")
        return redirect("sessions:venue-detail", pk=self.room.venue_id)


# --- Scheduling and trainers ---
# The schedule, its calendars and the session pages are for coordinators. A person answers an
# invitation from the emailed links (the token is the credential, so no sign-in is needed; a
# GET only shows a confirmation page, so a mail scanner that fetches links accepts nothing) or
# from their own "My sessions" page.


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


class SessionConfirmView(ScheduleCoordinatorMixin, View):
    """Confirm a session that is service-user-led."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
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


class AssignmentWithdrawView(ScheduleCoordinatorMixin, View):
    """Take someone off a session (or withdraw their invitation)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
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

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
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


# --- Registrations and attendance ---
# Coordinators manage a session's registrations and costs. The register, the check-in display
# and the session pack are for coordinators and the session's delivery team (its accepted lead,
# co-trainers and staff co-facilitators); the delivery report is filed by its lead or
# co-trainers. Another trainer gets a 404. Learners have no account: the registration page, their
# own cancel link and self check-in work from links alone.


def _registration_message(request: HttpRequest, result) -> None:
    """What a coordinator's booking did. (The public page says the same whatever happened.)"""
    registration = result.registration
    name = registration.participant.full_name
    if result.already_registered:
        where = (
            "on the waitlist for"
            if registration.status == Registration.Status.WAITLISTED
            else "registered for"
        )
        messages.info(
            request,
            f"{name} is already {where} this session with this email address, so nothing "
            f"has changed and no new email was sent.",
        )
    elif registration.status == Registration.Status.BOOKED:
        messages.success(
            request,
            f"{name} is booked on this session. We have emailed them a confirmation with a "
            "calendar invitation.",
        )
    else:
        position = waitlist_positions(session=registration.session).get(registration.pk)
        messages.warning(
            request,
            f"This session is full, so {name} is on the waitlist (number {position}). We have "
            "emailed them, and will email again if a place frees up.",
        )


class RegistrationCoordinatorMixin(RoleRequiredMixin):
    roles = (Role.COORDINATOR,)

    @cached_property
    def session(self) -> TrainingSession:
        # Read only once the role check has passed, so nobody else learns which ids exist.
        return registration_session_get(pk=self.kwargs["pk"])


class DeliveryTeamMixin(RoleRequiredMixin):
    roles = (Role.COORDINATOR, Role.TRAINER)
    team_roles: tuple[str, ...] = DELIVERY_TEAM_ROLES

    @cached_property
    def session(self) -> TrainingSession:
        return session_get_for_delivery_team(
            user=self.request.user, pk=self.kwargs["pk"], roles=self.team_roles
        )


class RegistrationListView(RegistrationCoordinatorMixin, ListView):
    """A session's registrations, with forms to add someone already known or someone new."""

    template_name = "sessions/registration_list.html"
    context_object_name = "registrations"
    paginate_by = 50

    def get_queryset(self):
        return registration_list_for_session(session=self.session)

    def get_context_data(self, **kwargs):
        search_form = ParticipantSearchForm(self.request.GET or None)
        query = search_form.cleaned_data["q"] if search_form.is_valid() else ""
        kwargs.setdefault("form", RegistrationForm(for_coordinator=True))
        overview = registration_overview(session=self.session, query=query)
        context = super().get_context_data(
            session=self.session,
            overview=overview,
            search_form=search_form,
            query=query,
            **kwargs,
        )
        open_places = (Registration.Status.BOOKED, Registration.Status.WAITLISTED)
        for registration in context["registrations"]:
            registration.waitlist_position = overview.positions.get(registration.pk)
            registration.can_cancel = (
                not overview.closed_reason and registration.status in open_places
            )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = RegistrationForm(request.POST, for_coordinator=True)
        if form.is_valid():
            try:
                result = registration_add_new(
                    session=self.session, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                _registration_message(request, result)
                return redirect("sessions:registration-list", pk=pk)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


class RegistrationAddExistingView(RegistrationCoordinatorMixin, View):
    """Book someone chosen from the search onto the session."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = RegistrationExistingForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["participant"]))
            return redirect("sessions:registration-list", pk=pk)
        try:
            result = registration_add_existing(
                session=self.session, participant=form.cleaned_data["participant"], by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            _registration_message(request, result)
        return redirect("sessions:registration-list", pk=pk)


class RegistrationCancelView(RegistrationCoordinatorMixin, View):
    """A coordinator cancels someone's place (or waitlist entry); the waitlist moves up."""

    def post(self, request: HttpRequest, pk: int, registration_pk: int) -> HttpResponse:
        registration = registration_get_on_session(session=self.session, pk=registration_pk)
        try:
            promoted = registration_cancel(registration=registration, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("sessions:registration-list", pk=pk)
        name = registration.participant.full_name
        text = f"{name}'s registration is cancelled and they have been emailed."
        if promoted is not None:
            text += (
                f" {promoted.participant.full_name} was next on the waitlist, now has the place "
                "and has been emailed."
            )
        messages.success(request, text)
        return redirect("sessions:registration-list", pk=pk)


class _LearnerLinkMixin:
    """Pages a learner reaches by a link with a token in it: never kept by browsers or proxies,
    never indexed by search engines."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response


# The public registration form sends an email to whatever address is typed in, so it must not
# become a way to send our emails to anyone. Per recipient address a day: enough for a learner
# booking several sessions of an open day (and a retry), then nothing more goes there today.
# Per network address an hour: settings say how many (a training room or a trust sharing one
# address must all be able to register). When the cache is down the limits count in each
# worker's memory, so bookings go on and the limits still hold.
REGISTRATIONS_PER_RECIPIENT = Limit(
    "registration-recipient", allowed=6, window=24 * 60 * 60, when_unavailable=LOCAL
)
REGISTRATION_RECEIVED = (
    "Thank you. We have emailed that address to say what happens next. If the email has not "
    "arrived in a few minutes, check your spam folder."
)
REGISTRATIONS_PAUSED_HERE = (
    "A lot of registrations have come from your network in the last hour, so we have paused "
    "them for a while. Please try again later, or ask the course coordinator to book you."
)
REGISTRATIONS_PAUSED_FOR_ADDRESS = (
    "We have already sent several emails to this address today, so we will not send another. "
    "Please look for them (and in your spam folder), or try again tomorrow."
)


def _registrations_per_address() -> Limit:
    return Limit(
        "registration-address",
        allowed=settings.PUBLIC_REGISTRATIONS_PER_ADDRESS_PER_HOUR,
        window=60 * 60,
        when_unavailable=LOCAL,
    )


class RegisterView(_LearnerLinkMixin, FormView):
    """The public registration page of a session: no account needed. It answers the same
    whatever the email address's state (new, booked, waiting, cancelled): only the email sent to
    that address says which."""

    template_name = "sessions/register_form.html"
    form_class = RegistrationForm

    @cached_property
    def session(self) -> TrainingSession:
        return session_get_for_registration(token=self.kwargs["token"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session=self.session,
            counts=registration_counts(session=self.session),
            closed_reason=registration_closed_reason(self.session),
            **kwargs,
        )

    def _refused(self, form, message: str):
        form.add_error(None, message)
        return self.render_to_response(self.get_context_data(form=form), status=429)

    def form_valid(self, form):
        if form.is_from_a_bot:
            # The page a person would reach, so a bot learns nothing; nothing is kept or sent.
            return redirect("sessions:register-done", token=self.kwargs["token"])
        if not limit_take(_registrations_per_address(), client_address(self.request)):
            return self._refused(form, REGISTRATIONS_PAUSED_HERE)
        if not limit_take(REGISTRATIONS_PER_RECIPIENT, form.cleaned_data["email"].strip()):
            return self._refused(form, REGISTRATIONS_PAUSED_FOR_ADDRESS)
        try:
            registration_public_submit(session=self.session, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, REGISTRATION_RECEIVED)
        return redirect("sessions:register-done", token=self.kwargs["token"])


class RegisterDoneView(_LearnerLinkMixin, TemplateView):
    """What happened to a registration just made (the message says), and what comes next."""

    template_name = "sessions/register_done.html"

    def get_context_data(self, **kwargs):
        session = session_get_for_registration(token=self.kwargs["token"])
        return super().get_context_data(session=session, **kwargs)


class RegistrationSelfCancelView(_LearnerLinkMixin, TemplateView):
    """A learner's own link: confirm, then cancel their place or leave the waitlist."""

    template_name = "sessions/registration_cancel.html"

    def get_context_data(self, **kwargs):
        registration = registration_get_by_token(token=self.kwargs["token"])
        return super().get_context_data(
            registration=registration,
            session=registration.session,
            refused_reason=registration_cancel_refused_reason(registration),
            **kwargs,
        )

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        registration = registration_get_by_token(token=token)
        try:
            registration_cancel(registration=registration)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, "Your registration is cancelled. We have emailed you to confirm it."
            )
        return redirect("sessions:registration-self-cancel", token=token)


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
        return super().get_context_data(session=self.session, page=self.page, **kwargs)

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

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            cost = session_cost_room_hire_add(session=self.session, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Room hire of £{cost.amount} added.")
        return redirect("sessions:session-costs", pk=pk)


class SessionCostRemoveView(RegistrationCoordinatorMixin, View):
    def post(self, request: HttpRequest, pk: int, cost_pk: int) -> HttpResponse:
        cost = session_cost_get(session=self.session, pk=cost_pk)
        session_cost_remove(cost=cost, by=request.user)
        messages.success(request, f"{cost.get_kind_display()} of £{cost.amount} removed.")
        return redirect("sessions:session-costs", pk=pk)


# --- Calendar feeds and imports ---

# A calendar app fetches a feed without signing in: the secret address is the credential.


class CalendarFeedView(View):
    """The iCal feed at a person's secret address, for calendar apps to subscribe to."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        response = HttpResponse(
            calendar_feed_ics(token=token), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = 'inline; filename="coproduce-sessions.ics"'
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        response["X-Robots-Tag"] = "noindex"
        return response


class MyCalendarView(RoleRequiredMixin, TemplateView):
    """The person's calendar address and how to add it to their calendar app."""

    roles = (Role.TRAINER, Role.COORDINATOR)
    template_name = "sessions/feed_mine.html"

    def get_context_data(self, **kwargs):
        feed = calendar_feed_for(user=self.request.user)
        context = super().get_context_data(feed=feed, **kwargs)
        if feed is not None:
            path = reverse("sessions:calendar-feed", kwargs={"token": feed.token})
            context["feed_url"] = f"{settings.SITE_URL}{path}"
            context["webcal_url"] = "webcal://" + context["feed_url"].split("://", 1)[1]
        return context


class CalendarFeedRenewView(RoleRequiredMixin, View):
    """Make the person's calendar address, or replace it (the old one stops working)."""

    roles = (Role.TRAINER, Role.COORDINATOR)
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        calendar_feed_renew(user=request.user)
        messages.success(
            request,
            "Your calendar address is below. Any address you had before no longer works: add "
            "this one to your calendar apps.",
        )
        return redirect("sessions:my-calendar")


# CSV imports: the upload is checked first (a dry run) and the checked file waits in the
# coordinator's own session, under its SHA-256 digest, until they choose "Import for real". The
# session lives in the database and ends at sign-out or after 12 hours; the file is at most 2 MB.
PENDING_IMPORT = "pending_import"


class ImportView(RoleRequiredMixin, FormView):
    """Upload a CSV file and see what it would change, and every problem in it."""

    roles = (Role.COORDINATOR,)
    template_name = "sessions/import_upload.html"
    preview_template_name = "sessions/import_preview.html"
    form_class = ImportForm

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        content = upload.read()
        file_name = (upload.name or "")[:100]
        result = csv_import_run(kind=kind, content=content, dry_run=True, by=self.request.user)
        confirm_form = None
        if result.ok:
            digest = hashlib.sha256(content).hexdigest()
            self.request.session[PENDING_IMPORT] = {
                "kind": kind,
                "name": file_name,
                "digest": digest,
                "content": base64.b64encode(content).decode("ascii"),
            }
            confirm_form = ImportConfirmForm(initial={"digest": digest})
        else:
            self.request.session.pop(PENDING_IMPORT, None)
        return TemplateResponse(
            self.request,
            self.preview_template_name,
            {
                "result": result,
                "file_name": file_name,
                "confirm_form": confirm_form,
                "form": ImportForm(initial={"kind": kind}),
            },
        )


class ImportApplyView(RoleRequiredMixin, View):
    """Import the file that was just checked, all or nothing."""

    roles = (Role.COORDINATOR,)
    http_method_names = ["post"]
    template_name = "sessions/import_preview.html"

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ImportConfirmForm(request.POST)
        pending = request.session.get(PENDING_IMPORT)
        if not (
            form.is_valid()
            and pending
            and hmac.compare_digest(pending["digest"], form.cleaned_data["digest"])
        ):
            messages.error(
                request,
                "There is no checked file waiting to be imported, or another file was checked "
                "since. Choose the file again: it will be checked before anything is saved.",
            )
            return redirect("sessions:import")
        del request.session[PENDING_IMPORT]
        result = csv_import_run(
            kind=pending["kind"],
            content=base64.b64decode(pending["content"]),
            dry_run=False,
            by=request.user,
        )
        if not result.applied:
            # Something in Coproduce changed since the check: show what is wrong now.
            return TemplateResponse(
                request,
                self.template_name,
                {
                    "result": result,
                    "file_name": pending["name"],
                    "confirm_form": None,
                    "form": ImportForm(initial={"kind": pending["kind"]}),
                },
            )
        messages.success(request, f"Imported {pending['name']}: {result.summary}.")
        return redirect("sessions:import")
