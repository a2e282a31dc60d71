"""Service-user trainers: how they are recruited, trained (Train the Trainer), supported and
protected.

Privacy (docs/domain.md#privacy): lived-experience notes, boundaries (topics they will not speak
about, how much of their story they share), wellbeing check-ins and supervision content are visible
only to the trainer and their named supporter. Those fields are listed in PRIVATE_FIELDS and are
never shown in lists, exports or the admin.
"""

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from people.models import Region


class Involvement(models.TextChoices):
    CO_DESIGN = "co_design", "Co-design courses"
    CO_DELIVER = "co_deliver", "Co-deliver sessions"
    LEAD = "lead", "Lead sessions"
    EVALUATE = "evaluate", "Evaluate sessions"


class RoleDescription(models.Model):
    """One version of the trainer role description. A published version is never edited: a new
    version is published instead, and people who applied under an old one keep it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    title = models.CharField(max_length=200)
    version = models.PositiveIntegerField(editable=False)
    purpose = models.TextField()
    involves = models.TextField("what the role involves")
    time_commitment = models.TextField()
    support_offered = models.TextField()
    payment_policy = models.TextField("expenses and payment policy")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["version"], name="trainers_role_description_version"),
            # At most one version is the one people apply under.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="published"),
                name="trainers_one_published_role_description",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class Application(models.Model):
    """An expression of interest from someone who would like to become a trainer."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        CONVERSATION_BOOKED = "conversation_booked", "Conversation booked"
        OFFERED = "offered", "Offered a place"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    role_description = models.ForeignKey(
        RoleDescription, on_delete=models.PROTECT, related_name="applications"
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    involvement = models.JSONField("how they would like to be involved", default=list)
    about_involvement = models.TextField(
        "anything else about how they would like to help", blank=True
    )
    access_needs = models.TextField(blank=True)
    consent_given_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    conversation_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    trainer = models.OneToOneField(
        "Trainer", on_delete=models.SET_NULL, null=True, blank=True, related_name="application"
    )

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            # One open application per person: the public form cannot duplicate one.
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(status__in=["received", "conversation_booked", "offered"]),
                name="one_open_application_per_email",
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class ApplicationNote(models.Model):
    """A dated step in the recruitment pipeline: a status change and/or a coordinator's note."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    status = models.CharField(max_length=20, choices=Application.Status.choices, blank=True)
    text = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.status or 'note'} {self.at:%Y-%m-%d}"


class T3Programme(models.Model):
    """A Train the Trainer programme: the requirements a trainer meets to be certified."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    certification_months = models.PositiveSmallIntegerField(
        "certification lasts (months)",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "Train the Trainer programme"

    def __str__(self) -> str:
        return self.name


class T3Requirement(models.Model):
    programme = models.ForeignKey(
        T3Programme, on_delete=models.CASCADE, related_name="requirements"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["programme", "order", "pk"]
        verbose_name = "Train the Trainer requirement"

    def __str__(self) -> str:
        return self.title


class Trainer(models.Model):
    """A service-user trainer's profile; the person signs in as `user`."""

    class Status(models.TextChoices):
        IN_TRAINING = "in_training", "In training"
        ACTIVE = "active", "Active"
        STEPPING_BACK = "stepping_back", "Stepping back"
        LEFT = "left", "Left"

    class Payment(models.TextChoices):
        PAID = "paid", "Paid a fee and expenses"
        EXPENSES_ONLY = "expenses_only", "Expenses only"
        DECLINE = "decline", "No payment"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trainer"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="trainers")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_TRAINING)
    role_description = models.ForeignKey(
        RoleDescription, on_delete=models.PROTECT, null=True, blank=True, related_name="trainers"
    )
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supported_trainers",
        help_text="The named person who supports this trainer and may see their private notes.",
    )
    programme = models.ForeignKey(
        T3Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="trainers"
    )
    # Involvement preferences.
    involvement = models.JSONField("how I like to be involved", default=list, blank=True)
    topics_will_speak_about = models.TextField(blank=True)
    topics_will_not_speak_about = models.TextField(blank=True)
    story_sharing = models.TextField("how much of my story I share", blank=True)
    lived_experience_notes = models.TextField(blank=True)
    max_sessions_per_month = models.PositiveSmallIntegerField(
        "most sessions a month",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    reasonable_adjustments = models.TextField(blank=True)
    reminder_lead_days = models.PositiveSmallIntegerField(
        "remind me this many days before a session",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # Payment.
    payment_choice = models.CharField(max_length=20, choices=Payment.choices, default=Payment.PAID)
    yearly_earnings_limit = models.DecimalField(
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="If you receive benefits, the most you can earn in a year. We warn before a fee "
        "would go past it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Visible only to the trainer and their supporter (docs/domain.md#privacy).
    PRIVATE_FIELDS = (
        "topics_will_speak_about",
        "topics_will_not_speak_about",
        "story_sharing",
        "lived_experience_notes",
    )

    class Meta:
        ordering = ["user__full_name"]

    def __str__(self) -> str:
        return str(self.user)


class T3Progress(models.Model):
    """A requirement a trainer has met, when, and the evidence."""

    trainer = models.ForeignKey(Trainer, on_delete=models.CASCADE, related_name="progress")
    requirement = models.ForeignKey(T3Requirement, on_delete=models.PROTECT, related_name="+")
    completed_on = models.DateField()
    evidence = models.TextField("evidence notes", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["requirement__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "requirement"], name="trainers_progress_once_per_requirement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trainer}: {self.requirement}"


class Certification(models.Model):
    """Train the Trainer certification: given when every requirement is met; it expires."""

    trainer = models.ForeignKey(Trainer, on_delete=models.CASCADE, related_name="certifications")
    programme = models.ForeignKey(T3Programme, on_delete=models.PROTECT, related_name="+")
    certified_on = models.DateField()
    expires_on = models.DateField()

    class Meta:
        ordering = ["-certified_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("certified_on")),
                name="trainers_certification_expires_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.trainer} certified {self.certified_on}"

    def is_valid_on(self, day: date) -> bool:
        return self.certified_on <= day < self.expires_on


class SupportSession(models.Model):
    """A one-to-one support or supervision session. Private to the trainer and their supporter."""

    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "One-to-one support"
        SUPERVISION = "supervision", "Supervision"

    trainer = models.ForeignKey(Trainer, on_delete=models.CASCADE, related_name="support_sessions")
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ONE_TO_ONE)
    held_on = models.DateField()
    notes = models.TextField(blank=True)
    agreed_actions = models.TextField(blank=True)
    next_on = models.DateField("next session", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_on}"


class WellbeingCheckIn(models.Model):
    """How a trainer feels before or after delivering. Private to the trainer and supporter."""

    class Moment(models.TextChoices):
        BEFORE = "before", "Before delivering"
        AFTER = "after", "After delivering"

    class Feeling(models.IntegerChoices):
        VERY_LOW = 1, "Very low"
        LOW = 2, "Low"
        OKAY = 3, "Okay"
        GOOD = 4, "Good"
        VERY_GOOD = 5, "Very good"

    trainer = models.ForeignKey(Trainer, on_delete=models.CASCADE, related_name="check_ins")
    moment = models.CharField(max_length=10, choices=Moment.choices)
    feeling = models.PositiveSmallIntegerField(choices=Feeling.choices)
    notes = models.TextField(blank=True)
    wants_debrief = models.BooleanField("I would like a debrief", default=False)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"Check-in {self.recorded_at:%Y-%m-%d}"
