"""The forms for scheduling: a session's details (typed in UK time), its cancellation,
and the filters of the schedule and its calendars."""

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.utils import timezone

from core.dates import LONDON
from core.forms import NativeDateInput, NativeTimeInput
from people.models import Region, Role, User
from sessions.models import Course, CourseVersion, Room, TrainingSession

# Dates and times are typed in UK time; the forms turn them into aware datetimes in
# Europe/London, and the services check everything else, so a refusal names the clash.


SCHEDULE_DATE_ERROR = "Enter a real date, like 14/12/2026."


def _schedule_date_field(label: str, *, error_messages=None, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=NativeDateInput,
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"],
        error_messages={"invalid": SCHEDULE_DATE_ERROR, **(error_messages or {})},
        **kwargs,
    )


class _CourseVersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: CourseVersion) -> str:
        return f"{obj.course.title} (version {obj.number}, {obj.get_status_display().lower()})"


class _RoomChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Room) -> str:
        return f"{obj.venue.name}, {obj.name} ({obj.venue.region}, holds {obj.capacity})"


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name or obj.email


class SessionForm(forms.Form):
    """Schedule or change a session. Saved only through session_create / session_update."""

    WHERE_CHOICES = [("venue", "At a venue"), ("online", "Online")]

    code = forms.CharField(
        label="Session code (optional)",
        required=False,
        max_length=40,
        help_text="Left empty, a code like S-2026-0001 is made for it.",
        error_messages={"max_length": "Keep the code to 40 characters or fewer."},
    )
    course_version = _CourseVersionChoice(
        label="Course",
        queryset=CourseVersion.objects.none(),
        empty_label="Choose a course",
        help_text="Only pilot and published versions can be scheduled.",
        error_messages={
            "required": "Choose the course.",
            "invalid_choice": "Choose one of the courses listed.",
        },
    )
    date = _schedule_date_field(
        "Date", error_messages={"required": "Enter the date of the session."}
    )
    start_time = forms.TimeField(
        label="Starts at",
        widget=NativeTimeInput,
        help_text="UK time, for example 10:00.",
        error_messages={
            "required": "Enter the time the session starts.",
            "invalid": "Enter a time, like 10:00.",
        },
    )
    end_time = forms.TimeField(
        label="Ends at",
        widget=NativeTimeInput,
        help_text="UK time, for example 13:00.",
        error_messages={
            "required": "Enter the time the session ends.",
            "invalid": "Enter a time, like 13:00.",
        },
    )
    where = forms.ChoiceField(
        label="Where",
        choices=WHERE_CHOICES,
        initial="venue",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether the session is at a venue or online.",
            "invalid_choice": "Choose at a venue or online.",
        },
    )
    room = _RoomChoice(
        label="Room (for a session at a venue)",
        required=False,
        queryset=Room.objects.none(),
        empty_label="Choose a room",
        error_messages={"invalid_choice": "Choose one of the rooms listed."},
    )
    joining_link = forms.URLField(
        label="Joining link (for an online session)",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="Sent only to people registered for the session.",
        error_messages={"invalid": "Enter a full web address, like https://meet.example.org/abc."},
    )
    region = forms.ModelChoiceField(
        label="Region",
        required=False,
        queryset=Region.objects.all(),
        empty_label="The room's region",
        help_text="Needed for an online session; at a venue, left empty, it is the venue's.",
        error_messages={"invalid_choice": "Choose one of the regions listed."},
    )
    phase = forms.ChoiceField(
        label="Rollout phase",
        choices=TrainingSession.Phase.choices,
        initial=TrainingSession.Phase.PILOT,
        error_messages={
            "required": "Choose the rollout phase.",
            "invalid_choice": "Choose one of the phases listed.",
        },
    )
    capacity = forms.IntegerField(
        label="Places",
        help_text="How many learners can book. No more than the room holds.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter how many places there are.",
            "invalid": "Enter a whole number, like 12.",
        },
    )
    coordinator = _PersonChoice(
        label="Coordinator",
        queryset=User.objects.none(),
        empty_label="Choose a coordinator",
        error_messages={
            "required": "Choose the coordinator.",
            "invalid_choice": "Choose one of the coordinators listed.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course_version"].queryset = (
            CourseVersion.objects.filter(
                status__in=[CourseVersion.Status.PILOT, CourseVersion.Status.PUBLISHED]
            )
            .select_related("course")
            .order_by("course__title", "-number")
        )
        self.fields["room"].queryset = Room.objects.select_related("venue__region").order_by(
            "venue__region__name", "venue__name", "name"
        )
        self.fields["coordinator"].queryset = User.objects.filter(
            is_active=True, groups__name=Role.COORDINATOR.label
        ).order_by("full_name", "pk")

    @staticmethod
    def initial_for(session: TrainingSession) -> dict:
        starts = timezone.localtime(session.starts_at, LONDON)
        ends = timezone.localtime(session.ends_at, LONDON)
        return {
            "code": session.code,
            "course_version": session.course_version_id,
            "date": starts.date(),
            "start_time": starts.time(),
            "end_time": ends.time(),
            "where": "online" if session.is_online else "venue",
            "room": session.room_id,
            "joining_link": session.joining_link,
            "region": session.region_id,
            "phase": session.phase,
            "capacity": session.capacity,
            "coordinator": session.coordinator_id,
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        day = cleaned.get("date")
        starts, ends = cleaned.get("start_time"), cleaned.get("end_time")
        if day is not None and starts is not None and ends is not None:
            cleaned["starts_at"] = datetime.combine(day, starts, tzinfo=LONDON)
            cleaned["ends_at"] = datetime.combine(day, ends, tzinfo=LONDON)
            # A time the clocks skip in March never happens: refused, as the import refuses it,
            # rather than quietly saved an hour later.
            for name, clock in (("start_time", starts), ("end_time", ends)):
                moment = datetime.combine(day, clock, tzinfo=LONDON)
                shown = moment.astimezone(UTC).astimezone(LONDON)
                if (shown.hour, shown.minute) != (clock.hour, clock.minute):
                    self.add_error(
                        name,
                        f"{clock:%H:%M} on {day:%-d %B %Y} does not exist in the UK: the clocks "
                        "go forward an hour that night. Enter the time as the clocks will show it.",
                    )
        cleaned["is_online"] = cleaned.get("where") == "online"
        return cleaned

    def service_arguments(self) -> dict:
        """What session_create and session_update take."""
        names = ["code", "course_version", "starts_at", "ends_at", "is_online", "room"]
        names += ["joining_link", "region", "phase", "capacity", "coordinator"]
        return {name: self.cleaned_data[name] for name in names}

    # Where each service refusal is shown.
    ERROR_FIELDS = {"starts_at": "date", "ends_at": "end_time", "is_online": "where"}


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the session cancelled?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The trainers invited to it or on it are told this.",
        error_messages={
            "required": "Say why the session is cancelled: the trainers on it are told.",
            "max_length": "Keep the reason to 2000 characters or fewer.",
        },
    )


class ScheduleFilterForm(forms.Form):
    """The schedule's filter; every field may be left empty."""

    FIELDS: tuple[str, ...] = ("date_from", "date_to", "region", "course", "status", "phase")

    date_from = _schedule_date_field("From", required=False)
    date_to = _schedule_date_field("To", required=False)
    region = forms.ModelChoiceField(
        label="Region",
        required=False,
        queryset=Region.objects.all(),
        empty_label="Any region",
        error_messages={"invalid_choice": "Choose one of the regions listed."},
    )
    course = forms.ModelChoiceField(
        label="Course",
        required=False,
        queryset=Course.objects.order_by("title"),
        empty_label="Any course",
        error_messages={"invalid_choice": "Choose one of the courses listed."},
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *TrainingSession.Status.choices],
        error_messages={"invalid_choice": "Choose one of the statuses listed."},
    )
    phase = forms.ChoiceField(
        label="Phase",
        required=False,
        choices=[("", "Any phase"), *TrainingSession.Phase.choices],
        error_messages={"invalid_choice": "Choose one of the phases listed."},
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", "The end of the range must not be before its start.")
        return cleaned

    def filters(self) -> dict:
        return {name: self.cleaned_data.get(name) or None for name in self.FIELDS}


class CalendarFilterForm(ScheduleFilterForm):
    """The calendars' filter: the same, without dates (the month or week is the range)."""

    FIELDS = ("region", "course", "status", "phase")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["date_from"]
        del self.fields["date_to"]
