from datetime import UTC, datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from core.forms import NativeDateInput, NativeTimeInput, PlainEmailField
from core.uploads import format_megabytes
from people.models import Participant, ParticipantType, Region, Role, Team, User
from sessions.imports import KINDS as IMPORT_KINDS
from sessions.imports import MAX_IMPORT_BYTES
from sessions.models import (
    Activity,
    Course,
    CourseVersion,
    Registration,
    Room,
    SessionCost,
    TrainerAssignment,
    TrainingSession,
    Venue,
)
from sessions.selectors import LONDON
from sessions.services import ACTIVITY_LONGEST_MINUTES
from trainers.models import RoleDescription, Trainer, WellbeingCheckIn

# --- Courses and venues ---


class CourseCreateForm(forms.Form):
    title = forms.CharField(
        label="Course title",
        max_length=200,
        error_messages={
            "required": "Give the course a title.",
            "max_length": "Keep the title to 200 characters or fewer.",
        },
    )
    aims = forms.CharField(
        label="Learning aims (optional for now)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the course sets out to do. You can write or change them later, while "
        "the version is a draft.",
    )


class _TrainerChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Trainer) -> str:
        return f"{obj.user.full_name or obj.user.email} ({obj.region})"


class _RoleDescriptionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: RoleDescription) -> str:
        return f"{obj.title}, version {obj.version} ({obj.get_status_display().lower()})"


class CourseVersionForm(forms.Form):
    """A draft version's texts, role description and co-designers."""

    aims = forms.CharField(
        label="Learning aims",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the course sets out to do. Needed before a pilot or publishing.",
    )
    support_guidance = forms.CharField(
        label="Support guidance",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="How trainers and learners are supported before, during and after a session.",
    )
    role_description = _RoleDescriptionChoice(
        label="Trainer role description",
        required=False,
        queryset=RoleDescription.objects.none(),
        empty_label="None",
        help_text="The version of the role description printed in the handbook.",
        error_messages={"invalid_choice": "Choose one of the role descriptions listed."},
    )
    co_designers = _TrainerChoices(
        label="Trainers who co-designed this version",
        required=False,
        queryset=Trainer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose only from the trainers listed."},
    )

    def __init__(self, *args, version: CourseVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role_description"].queryset = RoleDescription.objects.filter(
            status__in=[RoleDescription.Status.PUBLISHED, RoleDescription.Status.RETIRED]
        ).order_by("-version")
        # Trainers who have left are offered only if they are already credited.
        current = [trainer.pk for trainer in version.co_designers.all()]
        self.fields["co_designers"].queryset = (
            Trainer.objects.filter(~Q(status=Trainer.Status.LEFT) | Q(pk__in=current))
            .select_related("user", "region")
            .order_by("user__full_name", "pk")
        )

    @staticmethod
    def initial_for(version: CourseVersion) -> dict:
        return {
            "aims": version.aims,
            "support_guidance": version.support_guidance,
            "role_description": version.role_description_id,
            "co_designers": [trainer.pk for trainer in version.co_designers.all()],
        }


class LearningOutcomeForm(forms.Form):
    text = forms.CharField(
        label="Learning outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What learners will be able to do, for example “Describe three ways of "
        "supporting someone who hears voices”.",
        error_messages={"required": "Say what learners will be able to do."},
    )


class ActivityForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": "Give the activity a title.",
            "max_length": "Keep the title to 200 characters or fewer.",
        },
    )
    duration_minutes = forms.IntegerField(
        label="Duration in minutes",
        min_value=1,
        max_value=ACTIVITY_LONGEST_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": f"Enter a duration from 1 to {ACTIVITY_LONGEST_MINUTES} minutes.",
            "invalid": "Enter the duration as a whole number of minutes, like 20.",
            "min_value": f"Enter a duration from 1 to {ACTIVITY_LONGEST_MINUTES} minutes.",
            "max_value": f"Enter a duration from 1 to {ACTIVITY_LONGEST_MINUTES} minutes.",
        },
    )
    materials = forms.CharField(
        label="Materials (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    instructions = forms.CharField(
        label="Instructions (optional)", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    trainer_notes = forms.CharField(
        label="Notes for trainers (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, where a story may be hard to hear and a break may help.",
    )

    @staticmethod
    def initial_for(activity: Activity) -> dict:
        return {name: getattr(activity, name) for name in ActivityForm.base_fields}


class VenueForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        error_messages={
            "required": "Give the venue a name.",
            "max_length": "Keep the name to 200 characters or fewer.",
        },
    )
    address = forms.CharField(
        label="Address",
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
        error_messages={"required": "Enter the venue's address."},
    )
    region = forms.ModelChoiceField(
        label="Region",
        queryset=Region.objects.order_by("name"),
        empty_label="Choose a region",
        error_messages={
            "required": "Choose a region.",
            "invalid_choice": "Choose one of the regions listed.",
        },
    )
    accessibility = forms.CharField(
        label="Accessibility information (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example step-free access, lifts, accessible toilets, hearing loops, "
        "parking and quiet spaces. Learners and trainers read this before they come.",
    )

    @staticmethod
    def initial_for(venue: Venue) -> dict:
        return {
            "name": venue.name,
            "address": venue.address,
            "region": venue.region_id,
            "accessibility": venue.accessibility,
        }


class RoomForm(forms.Form):
    name = forms.CharField(
        label="Room name",
        max_length=100,
        error_messages={
            "required": "Give the room a name.",
            "max_length": "Keep the name to 100 characters or fewer.",
        },
    )
    capacity = forms.IntegerField(
        label="Capacity (people)",
        min_value=1,
        max_value=10000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter how many people the room holds.",
            "invalid": "Enter the capacity as a whole number, like 24.",
            "min_value": "A room holds at least 1 person.",
            "max_value": "Enter a capacity of 10,000 people or fewer.",
        },
    )
    hire_cost = forms.DecimalField(
        label="Hire cost in pounds",
        min_value=0,
        max_digits=8,
        decimal_places=2,
        initial=Decimal("0.00"),
        help_text="For a session, like 45 or 45.50. Enter 0 if the room is free.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": "Enter the hire cost, or 0 if the room is free.",
            "invalid": "Enter an amount in pounds, like 45 or 45.50.",
            "min_value": "The hire cost cannot be less than £0.",
            "max_digits": "Enter an amount under £1,000,000.",
            "max_whole_digits": "Enter an amount under £1,000,000.",
            "max_decimal_places": "Enter pounds and pence, with at most 2 digits for pence.",
        },
    )

    @staticmethod
    def initial_for(room: Room) -> dict:
        return {"name": room.name, "capacity": room.capacity, "hire_cost": room.hire_cost}


# --- Scheduling and trainers ---
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

    def clean(self) -> dict:
        cleaned = super().clean()
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


class _InviteeField(forms.ChoiceField):
    """People in two groups, trainers and staff, chosen by id."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit()


class AssignmentInviteForm(forms.Form):
    user = _InviteeField(
        label="Person",
        error_messages={"required": "Choose who to invite."},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose a role"), *TrainerAssignment.Role.choices],
        error_messages={
            "required": "Choose the role.",
            "invalid_choice": "Choose one of the roles listed.",
        },
    )
    override_reason = forms.CharField(
        label="Reason, if this goes beyond what the trainer asked for (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only to invite a trainer past their own monthly limit or outside how "
        "they like to be involved. It is recorded with your name.",
        error_messages={"max_length": "Keep the reason to 2000 characters or fewer."},
    )

    def __init__(self, *args, trainers: list[User], staff: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [
            ("", "Choose a person"),
            ("Service-user trainers", [(u.pk, u.full_name or u.email) for u in trainers]),
            ("Staff co-facilitators", [(u.pk, u.full_name or u.email) for u in staff]),
        ]

    def clean_user(self) -> User:
        user = User.objects.filter(pk=self.cleaned_data["user"], is_active=True).first()
        if user is None:
            raise ValidationError("Choose one of the people listed.")
        return user


class ScheduleFilterForm(forms.Form):
    """The schedule's filter; every field may be left empty."""

    FIELDS = ("date_from", "date_to", "region", "course", "status", "phase")

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

    def clean(self) -> dict:
        cleaned = super().clean()
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


# --- Registrations and attendance ---


class _TeamChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.name} ({obj.region.name})"


class RegistrationForm(forms.Form):
    """A person's details for a session: the public link's form, and the coordinators' "add a
    new person". Saved through the services. On the public page `website` is a honeypot in a
    block nobody sees or reaches, so only a bot fills it in."""

    HONEYPOT = "website"

    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        error_messages={
            "required": "Enter the person's full name.",
            "max_length": "Keep the name to 200 characters.",
        },
    )
    email = PlainEmailField(
        label="Email address",
        max_length=254,
        help_text="We send the confirmation and a calendar invitation here.",
        error_messages={
            "required": "Enter an email address.",
            "invalid": "Enter an email address like name@example.org.",
            "max_length": "Keep the email address to 254 characters.",
        },
    )
    participant_type = forms.ChoiceField(
        label="Which describes you?",
        choices=ParticipantType.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose staff, service user or other.",
            "invalid_choice": "Choose staff, service user or other.",
        },
    )
    team = _TeamChoice(
        label="Team (optional)",
        queryset=Team.objects.select_related("region").order_by("region__name", "name"),
        required=False,
        empty_label="Not in a team, or my team is not listed",
        error_messages={"invalid_choice": "Choose a team from the list, or none."},
    )

    def __init__(self, *args, for_coordinator: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        name, email, kind = (
            self.fields["full_name"],
            self.fields["email"],
            self.fields["participant_type"],
        )
        if for_coordinator:
            kind.label = "Type"
            email.help_text = (
                "They get the confirmation and a calendar invitation here. Someone already known "
                "by this address is booked as they are recorded."
            )
        else:
            name.error_messages["required"] = "Enter your full name."
            email.error_messages["required"] = "Enter your email address."
            email.help_text = (
                "We send your confirmation, a calendar invitation and a link to cancel here."
            )

    @property
    def is_from_a_bot(self) -> bool:
        return bool(self.data.get(self.HONEYPOT, "").strip())


class ParticipantSearchForm(forms.Form):
    q = forms.CharField(
        label="Find someone already known by name or email",
        required=False,
        max_length=100,
        help_text="Type at least 2 letters.",
    )


class RegistrationExistingForm(forms.Form):
    participant = forms.ModelChoiceField(
        queryset=Participant.objects.all(),
        error_messages={
            "required": "Choose someone to add.",
            "invalid_choice": "That person could not be found. Search again.",
        },
    )


class AttendanceForm(forms.Form):
    """One choice per person on the register: attended, partly or did not attend. Left empty,
    a person stays unmarked."""

    MARK_CHOICES = [
        (Registration.Status.ATTENDED, "Attended"),
        (Registration.Status.PARTLY_ATTENDED, "Partly"),
        (Registration.Status.NO_SHOW, "Did not attend"),
    ]

    def __init__(self, *args, registrations: list[Registration], **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for registration in registrations:
            marked = registration.status in dict(self.MARK_CHOICES)
            self.fields[f"mark_{registration.pk}"] = forms.ChoiceField(
                label=registration.participant.full_name,
                choices=self.MARK_CHOICES,
                required=False,
                initial=registration.status if marked else None,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choose attended, partly or did not attend."},
            )

    def rows(self):
        """(registration, bound field) for each person, in the register's order."""
        return [
            (registration, self[f"mark_{registration.pk}"]) for registration in self.registrations
        ]

    def marks(self) -> dict[int, str]:
        return {
            registration.pk: self.cleaned_data[f"mark_{registration.pk}"]
            for registration in self.registrations
            if self.cleaned_data.get(f"mark_{registration.pk}")
        }


class SelfCheckInForm(forms.Form):
    email = forms.EmailField(
        label="The email address you registered with",
        max_length=254,
        error_messages={
            "required": "Enter the email address you registered with.",
            "invalid": "Enter an email address like name@example.org.",
        },
    )


class _YesNo(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=[("yes", "Yes"), ("no", "No")],
            coerce=lambda value: value == "yes",
            widget=forms.RadioSelect,
            **kwargs,
        )


class DeliveryReportForm(forms.Form):
    delivered_as_planned = _YesNo(
        label="Was the session delivered as planned?",
        error_messages={"required": "Say whether the session was delivered as planned."},
    )
    changes_on_the_day = forms.CharField(
        label="What was different from the plan?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed if it was not delivered as planned.",
    )
    attendee_count = forms.IntegerField(
        label="Number of learners",
        min_value=0,
        max_value=10000,
        error_messages={
            "required": "Enter the number of learners.",
            "invalid": "Enter a whole number, like 12.",
            "min_value": "Enter the number of learners: 0 or more.",
            "max_value": "Enter the number of learners who came, like 12.",
        },
    )
    went_well = forms.CharField(
        label="What went well?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    to_change = forms.CharField(
        label="What should change in the course?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Coordinators read this when they write the course's next version.",
    )
    debrief_feeling = forms.TypedChoiceField(
        label="How are you feeling after delivering?",
        choices=WellbeingCheckIn.Feeling.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    debrief_notes = forms.CharField(
        label="Anything you would like to note",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    wants_debrief = forms.BooleanField(
        label="I would like a debrief with my supporter",
        required=False,
        help_text="We email your supporter straight away to say you asked, without your notes.",
    )

    DEBRIEF_FIELDS = ("debrief_feeling", "debrief_notes", "wants_debrief")

    def __init__(self, *args, with_debrief: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_debrief:
            for name in self.DEBRIEF_FIELDS:
                del self.fields[name]

    def report_fields(self):
        return [self[name] for name in self.fields if name not in self.DEBRIEF_FIELDS]

    def debrief_fields(self):
        return [self[name] for name in self.fields if name in self.DEBRIEF_FIELDS]


class _PoundsField(forms.DecimalField):
    """Pounds as people write them: "45", "45.50", "£1,200"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removeprefix("£").replace(",", "").strip()
        return super().to_python(value)


class SessionCostForm(forms.Form):
    kind = forms.ChoiceField(
        label="Cost",
        choices=[("", "Choose…"), *SessionCost.Kind.choices],
        error_messages={
            "required": "Choose room hire, refreshments, support or other.",
            "invalid_choice": "Choose room hire, refreshments, support or other.",
        },
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=200,
        help_text="Needed for “Other”.",
        error_messages={"max_length": "Keep the description to 200 characters."},
    )
    amount = _PoundsField(
        label="Amount (£)",
        min_value=0,
        max_digits=9,
        decimal_places=2,
        error_messages={
            "required": "Enter an amount in pounds, like 45 or 45.50.",
            "invalid": "Enter an amount in pounds, like 45 or 45.50.",
            "min_value": "The amount cannot be less than £0.",
            "max_decimal_places": "Enter pounds and pence, with at most 2 digits for pence.",
            "max_digits": "Enter an amount under £10,000,000.",
            "max_whole_digits": "Enter an amount under £10,000,000.",
        },
    )


# --- Calendar feeds and imports ---


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is in the file?",
        choices=[(kind.key, kind.label) for kind in IMPORT_KINDS.values()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what the file holds: workforce, sessions or attendance.",
            "invalid_choice": "Choose workforce, sessions or attendance.",
        },
    )
    file = forms.FileField(
        label="CSV file",
        help_text=f"A CSV file saved as UTF-8, at most {format_megabytes(MAX_IMPORT_BYTES)} MB.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": "Choose the CSV file to check.",
            "empty": "This file is empty. Choose the CSV file with your rows.",
            "invalid": "Choose a file to upload.",
        },
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"This file is {format_megabytes(file.size, round_up=True)} MB; an import can be "
                f"at most {format_megabytes(MAX_IMPORT_BYTES)} MB. Split it into smaller files."
            )
        return file


class ImportConfirmForm(forms.Form):
    """Names the checked file by its digest, so only the file that was shown can be imported."""

    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
