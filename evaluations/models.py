"""The standard evaluation form, learners' anonymous responses and what is done with them.

Anonymity (docs/domain.md, Evaluations): a Response is never linked to a participant or a
registration. The Invitation remembers only *that* it was used (a boolean, no time), and a
response records only the day it was given, so the two cannot be matched up by time either.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.tokens import new_token
from sessions.models import Course, CourseVersion, Registration, TrainingSession


class EvaluationForm(models.Model):
    """A version of the standard form (course is empty) or a course's own extra questions.
    A published version is never edited: a new version is made from it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="evaluation_forms"
    )
    version = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    content_note = models.TextField(
        blank=True,
        help_text="Shown before the questions: what they ask about, and where to get support.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["version"], condition=Q(course=None), name="evaluations_standard_version"
            ),
            models.UniqueConstraint(
                fields=["course", "version"], name="evaluations_course_version"
            ),
            # One published standard form, and one published set of extra questions per course.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="published", course=None),
                name="evaluations_one_published_standard",
            ),
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(status="published"),
                name="evaluations_one_published_per_course",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class Section(models.Model):
    form = models.ForeignKey(EvaluationForm, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["form", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", "Rating 1 to 5"
        YES_NO = "yes_no", "Yes or no"
        SINGLE = "single", "One choice"
        MULTIPLE = "multiple", "Several choices"
        SHORT_TEXT = "short_text", "Short answer"
        LONG_TEXT = "long_text", "Long answer"

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    # A stable name across versions, so results can be compared: e.g. "confidence_before",
    # "confidence_after", "more_of", "less_of", "stop_doing".
    key = models.SlugField(max_length=60)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    required = models.BooleanField(default=True)
    choices = models.JSONField(default=list, blank=True)
    low_label = models.CharField("label for 1", max_length=60, blank=True)
    high_label = models.CharField("label for 5", max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    TEXT_KINDS = (Kind.SHORT_TEXT, Kind.LONG_TEXT)
    # The reflections every form asks (docs/domain.md, Evaluations).
    REFLECTION_KEYS = ("more_of", "less_of", "stop_doing")

    class Meta:
        ordering = ["section", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class Invitation(models.Model):
    """A learner's personal link to the form. It takes one response and then only remembers
    that it was used."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="evaluation_invitation"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    expires_at = models.DateTimeField()
    used = models.BooleanField(default=False)
    chased = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Invitation for {self.registration}"


class Response(models.Model):
    """One learner's answers, with no link to who they are."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="evaluation_responses"
    )
    form = models.ForeignKey(EvaluationForm, on_delete=models.PROTECT, related_name="responses")
    course_form = models.ForeignKey(
        EvaluationForm, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_on = models.DateField()
    # Results count a session's responses in whole batches of five, oldest first
    # (evaluations.services.response_batches_count), so two views of them never differ by fewer
    # than five people: a sixth answer shows nothing until the tenth.
    counted = models.BooleanField(default=False)

    class Meta:
        ordering = ["session", "pk"]
        # Every results query reads a session's counted responses; a submission, its waiting ones.
        indexes = [models.Index(fields=["session", "counted"], name="evaluations_response_batch")]

    def __str__(self) -> str:
        return f"Response to {self.session}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.PositiveSmallIntegerField(null=True, blank=True)  # ratings 1–5
    boolean = models.BooleanField(null=True, blank=True)  # yes/no
    text = models.TextField(blank=True)  # short and long answers, the one choice
    selected = models.JSONField(default=list, blank=True)  # several choices
    # A coordinator may hide a comment from trainers: kept, not deleted, with who and why.
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["response", "question"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="evaluations_answer_once"
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=1, number__lte=5),
                name="evaluations_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question}"


class FreeTextRelease(models.Model):
    """A coordinator's release of a session's free text to its trainers (shown only once at
    least 5 responses exist)."""

    session = models.OneToOneField(
        TrainingSession, on_delete=models.CASCADE, related_name="free_text_release"
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    released_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Free text released for {self.session}"


class CourseReview(models.Model):
    """The coordinator and the trainers who delivered a course version review its evaluations
    and delivery reports, and decide what changes in the next version."""

    course_version = models.ForeignKey(
        CourseVersion, on_delete=models.PROTECT, related_name="reviews"
    )
    held_on = models.DateField()
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    findings = models.TextField()
    decisions = models.TextField()
    next_version = models.ForeignKey(
        CourseVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"Review of {self.course_version} on {self.held_on}"
