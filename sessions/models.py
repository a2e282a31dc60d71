"""Courses, venues, training sessions, the trainers on them, registrations and attendance."""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from core.tokens import new_token
from people.models import Participant, Region
from trainers.models import RoleDescription, Trainer, WellbeingCheckIn


def new_short_code() -> str:
    """A short code a learner can type from a screen: 8 letters and digits, no look-alikes."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Course(models.Model):
    title = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            # "Hearing Voices" and "hearing voices" are one course, even when saved at once.
            models.UniqueConstraint(Lower("title"), name="sessions_course_title_any_case"),
        ]

    def __str__(self) -> str:
        return self.title


class CourseVersion(models.Model):
    """One version of a course's handbook. A session keeps the version it was delivered with;
    a published version is never edited (a new version is made instead)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PILOT = "pilot", "Pilot"
        PUBLISHED = "published", "Published"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    aims = models.TextField("learning aims")
    support_guidance = models.TextField(
        blank=True, help_text="How trainers and learners are supported before, during and after."
    )
    role_description = models.ForeignKey(
        RoleDescription, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    co_designers = models.ManyToManyField(Trainer, blank=True, related_name="co_designed_versions")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["course", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="sessions_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.course} (version {self.number})"


class LearningOutcome(models.Model):
    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="outcomes")
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Activity(models.Model):
    """One of the activities a trainer can choose from to reach a learning outcome."""

    outcome = models.ForeignKey(
        LearningOutcome, on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField(max_length=200)
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    materials = models.TextField(blank=True)
    instructions = models.TextField(blank=True)
    trainer_notes = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["outcome", "order", "pk"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.title


class Venue(models.Model):
    name = models.CharField(max_length=200)
    address = models.TextField()
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="venues")
    accessibility = models.TextField("accessibility information", blank=True)

    class Meta:
        ordering = ["region__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="sessions_venue_name")
        ]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    hire_cost = models.DecimalField(
        "hire cost (£)",
        max_digits=8,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["venue", "name"]
        constraints = [models.UniqueConstraint(fields=["venue", "name"], name="sessions_room_name")]

    def __str__(self) -> str:
        return f"{self.venue}, {self.name}"


class TrainingSession(models.Model):
    """A session of a course version, at a venue room or online. Times are stored in UTC and
    shown and entered in Europe/London."""

    class Phase(models.TextChoices):
        PILOT = "pilot", "Pilot"
        REGIONAL = "regional", "Regional"
        NATIONAL = "national", "National"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        CONFIRMED = "confirmed", "Confirmed"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    code = models.CharField(max_length=40, unique=True)
    course_version = models.ForeignKey(
        CourseVersion, on_delete=models.PROTECT, related_name="sessions"
    )
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="sessions")
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    is_online = models.BooleanField(default=False)
    joining_link = models.URLField(
        blank=True, help_text="Sent only to people registered for the session."
    )
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.PILOT)
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_sessions",
    )
    # The public registration link, and the short code for self check-in during the session.
    registration_token = models.CharField(max_length=64, unique=True, default=new_token)
    check_in_code = models.CharField(max_length=12, unique=True, default=new_short_code)
    created_at = models.DateTimeField(auto_now_add=True)
    # Every save() moves this on (a save with update_fields must name it too): calendar files
    # derive their SEQUENCE from it, so a moved or cancelled session replaces the old event.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="sessions_ends_after_it_starts"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="sessions_capacity_positive"),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.starts_at)
        return f"{self.course_version.course} — {when:%a %d %b %Y %H:%M}"


class TrainerAssignment(models.Model):
    """A person invited to a session in a role. Service-user trainers have a Trainer profile;
    staff co-facilitators are users without one."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead trainer"
        CO_TRAINER = "co_trainer", "Co-trainer"
        STAFF = "staff", "Staff co-facilitator"
        SHADOWING = "shadowing", "Shadowing (trainee)"

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField(max_length=12, choices=Role.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    # For accepting or declining straight from the invitation email.
    token = models.CharField(max_length=64, unique=True, default=new_token)
    # Going beyond the trainer's own limits or preferences needs a coordinator's reason.
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="sessions_assignment_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class Registration(models.Model):
    """A learner's place on a session, from booking (or the waitlist) to attendance."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        WAITLISTED = "waitlisted", "On the waitlist"
        ATTENDED = "attended", "Attended"
        PARTLY_ATTENDED = "partly_attended", "Partly attended"
        NO_SHOW = "no_show", "Did not attend"
        CANCELLED = "cancelled", "Cancelled"

    class Source(models.TextChoices):
        COORDINATOR = "coordinator", "Added by a coordinator"
        PUBLIC = "public", "Registered through the link"
        IMPORT = "import", "Imported"

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="registrations"
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="registrations"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)
    source = models.CharField(max_length=12, choices=Source.choices)
    # For the learner's own links (cancel; later the evaluation invitation knows it was used).
    token = models.CharField(max_length=64, unique=True, default=new_token)
    # The waitlist is promoted oldest first.
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant"], name="sessions_registration_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.get_status_display()}"


class DeliveryReport(models.Model):
    """What the trainer reports after delivering. The wellbeing debrief is a private check-in."""

    session = models.OneToOneField(
        TrainingSession, on_delete=models.CASCADE, related_name="delivery_report"
    )
    delivered_as_planned = models.BooleanField()
    changes_on_the_day = models.TextField("what was different from the plan", blank=True)
    attendee_count = models.PositiveIntegerField("number of learners")
    went_well = models.TextField("what went well", blank=True)
    to_change = models.TextField("what to change in the course", blank=True)
    debrief = models.OneToOneField(
        WellbeingCheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Delivery report for {self.session}"


class SessionCost(models.Model):
    class Kind(models.TextChoices):
        ROOM_HIRE = "room_hire", "Room hire"
        REFRESHMENTS = "refreshments", "Refreshments"
        SUPPORT = "support", "Support"
        OTHER = "other", "Other"

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="costs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(
        "amount (£)", max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} £{self.amount}"


class CalendarFeed(models.Model):
    """A person's secret iCal feed address; making a new token revokes the old address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
