from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from core.charts import bar_chart_svg
from core.qr import qr_svg
from evaluations.models import (
    Answer,
    CourseReview,
    EvaluationForm,
    Invitation,
    Question,
    Response,
    Section,
)
from people.models import Region, Role, User
from sessions.models import (
    Course,
    CourseVersion,
    DeliveryReport,
    Registration,
    TrainerAssignment,
    TrainingSession,
)
from trainers.models import Trainer

# --- The form ---


def _form_with_questions() -> QuerySet[EvaluationForm]:
    return EvaluationForm.objects.select_related("course").prefetch_related(
        Prefetch(
            "sections",
            queryset=Section.objects.order_by("order", "pk").prefetch_related(
                Prefetch("questions", queryset=Question.objects.order_by("order", "pk"))
            ),
        )
    )


def form_get(*, pk: int) -> EvaluationForm:
    """A version of the standard form or of a course's own questions, with its sections and
    their questions in order."""
    return get_object_or_404(_form_with_questions(), pk=pk)


def form_versions_of(*, form: EvaluationForm) -> QuerySet[EvaluationForm]:
    """Every version of the same form (the standard one, or one course's), newest first."""
    return EvaluationForm.objects.filter(course=form.course_id).order_by("-version")


def standard_form_versions() -> QuerySet[EvaluationForm]:
    """The standard form's versions, newest first, with how many questions each asks."""
    return (
        EvaluationForm.objects.filter(course=None)
        .annotate(question_count=Count("sections__questions"))
        .order_by("-version")
    )


def course_form_list() -> QuerySet[EvaluationForm]:
    """Every version of every course's own questions, by course and newest first."""
    return (
        EvaluationForm.objects.filter(course__isnull=False)
        .select_related("course")
        .annotate(question_count=Count("sections__questions"))
        .order_by("course__title", "course_id", "-version")
    )


def courses_without_own_questions() -> QuerySet[Course]:
    """Courses that have not started their own questions yet."""
    return Course.objects.exclude(
        Exists(EvaluationForm.objects.filter(course=OuterRef("pk")))
    ).order_by("title")


def standard_form_current() -> EvaluationForm | None:
    """The published standard form, with its sections and questions in order."""
    return (
        _form_with_questions().filter(course=None, status=EvaluationForm.Status.PUBLISHED).first()
    )


def course_form_current(*, course: Course) -> EvaluationForm | None:
    """A course's published own questions, if it has any, with sections and questions."""
    return (
        _form_with_questions().filter(course=course, status=EvaluationForm.Status.PUBLISHED).first()
    )


def section_get(*, pk: int) -> Section:
    return get_object_or_404(Section.objects.select_related("form", "form__course"), pk=pk)


def question_get(*, pk: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("section", "section__form", "section__form__course"),
        pk=pk,
    )


def form_problems(form: EvaluationForm) -> list[str]:
    """What stops a draft being published, in words a coordinator can act on. Reads the
    sections and questions the caller prefetched."""
    problems = []
    sections = list(form.sections.all())
    if not any(section.questions.all() for section in sections):
        problems.append("Add at least one question.")
    for section in sections:
        if not section.questions.all():
            problems.append(
                f"The section “{section.title}” has no questions: add one or remove it."
            )
    if form.course_id is None:
        keys = {question.key for section in sections for question in section.questions.all()}
        missing = [key for key in Question.REFLECTION_KEYS if key not in keys]
        if missing:
            problems.append(
                "The standard form must ask the three reflections: what will you do more of, "
                "less of, and stop doing."
            )
        if not form.content_note.strip():
            problems.append(
                "Write the note shown before the questions, with where to find support."
            )
    return problems


# --- Invitations and responses ---

# How long a learner can give feedback after a session (emailed links and the short link).
FEEDBACK_OPEN_FOR = timedelta(days=30)
# Only attendees are invited and counted (DESIGN.md §4).
ATTENDEE_STATUSES = (Registration.Status.ATTENDED, Registration.Status.PARTLY_ATTENDED)


@dataclass(frozen=True)
class SessionForms:
    """The published standard form and the course's published extra questions (if any), with
    their sections and questions in the order a learner answers them."""

    standard: EvaluationForm | None
    course: EvaluationForm | None
    sections: list[Section]

    @property
    def questions(self) -> list[Question]:
        return [question for section in self.sections for question in section.questions.all()]


def evaluation_forms_for_session(*, session: TrainingSession) -> SessionForms:
    """What a learner of this session is asked: the standard form, then the course's own."""
    forms = list(
        EvaluationForm.objects.filter(status=EvaluationForm.Status.PUBLISHED).filter(
            Q(course=None) | Q(course__versions=session.course_version_id)
        )
    )
    standard = next((form for form in forms if form.course_id is None), None)
    course = next((form for form in forms if form.course_id is not None), None)
    sections = sorted(
        Section.objects.filter(form__in=[form for form in (standard, course) if form])
        .select_related("form")
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order", "pk"))),
        key=lambda section: (section.form.course_id is not None, section.order, section.pk),
    )
    return SessionForms(standard=standard, course=course, sections=sections)


def invitation_get_by_token(*, token: str) -> Invitation | None:
    """The invitation a learner's link is for, with its session; None for an unknown link and
    for the link of someone no longer marked as having attended."""
    return (
        Invitation.objects.select_related(
            "registration__session__course_version__course",
            "registration__session__room__venue",
        )
        .filter(token=token, registration__status__in=ATTENDEE_STATUSES)
        .first()
    )


def session_get_for_short_link(*, code: str) -> TrainingSession:
    """The session a feedback short link is for (its check-in code, in any case)."""
    return get_object_or_404(
        TrainingSession.objects.select_related("course_version__course", "room__venue"),
        check_in_code=code.strip().upper(),
    )


def feedback_short_link_closes(session: TrainingSession) -> datetime:
    """The short link takes feedback for as long as an emailed link would: 30 days after the
    session ends."""
    return session.ends_at + FEEDBACK_OPEN_FOR


def feedback_short_link_closed_reason(
    session: TrainingSession, *, now: datetime | None = None
) -> str:
    """Why the session's short link opens no form now, in words; empty while it is open."""
    now = now or timezone.now()
    if session.status == TrainingSession.Status.CANCELLED:
        return "This session was cancelled, so there is no feedback to give."
    if session.status != TrainingSession.Status.DELIVERED:
        return (
            "Feedback opens when the trainers have finished the session and marked it "
            "delivered. Please come back to this link later."
        )
    if now > feedback_short_link_closes(session):
        closes = timezone.localtime(feedback_short_link_closes(session))
        return f"Feedback for this session closed on {date_format(closes, 'j F Y')}."
    return ""


@dataclass(frozen=True)
class EvaluationOverview:
    invited: int
    responded: int
    not_responded: list[Invitation]
    chaseable: int
    short_url: str
    qr_svg: str

    @property
    def rate(self) -> int | None:
        """The response rate in whole per cent, halves rounded up; None before any invitation."""
        if not self.invited:
            return None
        return int((Decimal(100 * self.responded) / self.invited).quantize(0, ROUND_HALF_UP))


def session_evaluation_overview(*, session: TrainingSession) -> EvaluationOverview:
    """For a coordinator: how many attendees were invited and responded, and who has not (the
    invitations know who; the responses never do)."""
    invitations = Invitation.objects.filter(
        registration__session=session, registration__status__in=ATTENDEE_STATUSES
    )
    counts = invitations.aggregate(invited=Count("pk"), responded=Count("pk", filter=Q(used=True)))
    not_responded = list(
        invitations.filter(used=False)
        .select_related("registration__participant")
        .order_by("registration__participant__full_name", "pk")
    )
    now = timezone.now()
    url = settings.SITE_URL + reverse(
        "evaluations:respond-short-link", kwargs={"code": session.check_in_code}
    )
    return EvaluationOverview(
        invited=counts["invited"],
        responded=counts["responded"],
        not_responded=not_responded,
        chaseable=sum(1 for one in not_responded if not one.chased and one.expires_at > now),
        short_url=url.split("://", 1)[-1],
        qr_svg=qr_svg(url, title=f"QR code for giving feedback: {url}"),
    )


# --- Results ---
# Who sees results: coordinators and managers see every page. A session's delivery team (its
# accepted lead, co-trainers and staff co-facilitators) see that session and the course versions
# they delivered; any other trainer gets a 404. Free text (DESIGN.md §4) reaches trainers only
# from sessions whose comments a coordinator released, and never a comment a coordinator hid.
# Every figure is counted by the database, grouped by session, question and value, so a page
# costs the same few queries for 10 responses or 100,000.
#
# Anonymity, for everyone, in pages, the session report and the spreadsheet alike (they all read
# results_summary or results_answer_rows): nothing drawn from learners' answers (counts, means,
# charts, the change in confidence, comments, reflections, rows of answers) is shown while it
# rests on fewer than MIN_RESPONSES_TO_SHOW people. A session counts only once it has that many
# responses, and its answers to a question only where that many of its learners answered it; so
# figures across sessions (a course version, a region, a trainer) are sums of figures each
# session's own page would show, and subtracting one page from another picks nobody out. How
# many responded (and who has not, on the invitations page) stays visible: coordinators chase
# with it, and it says nothing about what anyone answered. And because that list changes one
# person at a time, results count a session's responses only in whole batches of
# MIN_RESPONSES_TO_SHOW, oldest first (Response.counted): a sixth answer changes nothing until
# the tenth, so no two views of the results differ by one person.

RESULTS_TEAM_ROLES = (
    TrainerAssignment.Role.LEAD,
    TrainerAssignment.Role.CO_TRAINER,
    TrainerAssignment.Role.STAFF,
)
# The one threshold for anonymity (DESIGN.md §4): no figure drawn from learners' answers is
# shown while it rests on fewer than this many people.
MIN_RESPONSES_TO_SHOW = 5
RESULTS_WITHHELD = (
    f"Results appear once at least {MIN_RESPONSES_TO_SHOW} people have answered, so nobody's "
    "answers can be picked out."
)
CSV_WITHHELD = f"[fewer than {MIN_RESPONSES_TO_SHOW} answers]"
QUESTION_WITHHELD = (
    f"Fewer than {MIN_RESPONSES_TO_SHOW} people answered this question, so its results are not "
    "shown: nobody's answers can be picked out."
)
COMMENTS_PER_QUESTION = 50
COMMENTS_RULE = (
    "Comments are shown once a coordinator has released them and at least "
    f"{MIN_RESPONSES_TO_SHOW} people have responded."
)
COMMENTS_ACROSS_SESSIONS_RULE = (
    "Comments come only from sessions whose comments a coordinator has released and that at "
    f"least {MIN_RESPONSES_TO_SHOW} people have responded to."
)
CONFIDENCE_KEYS = ("confidence_before", "confidence_after")


def results_sees_everything(user) -> bool:
    """Coordinators and managers see every result and every comment."""
    return user.has_role(Role.COORDINATOR, Role.MANAGER)


def _sessions_delivered_by(user) -> QuerySet[TrainerAssignment]:
    return TrainerAssignment.objects.filter(
        user=user, status=TrainerAssignment.Status.ACCEPTED, role__in=RESULTS_TEAM_ROLES
    ).values("session")


def results_session_get(*, user, pk: int) -> TrainingSession:
    """A session whose results `user` may see; a 404 for a trainer not on it."""
    sessions = TrainingSession.objects.select_related(
        "course_version__course", "region", "free_text_release__released_by"
    )
    if not results_sees_everything(user):
        sessions = sessions.filter(pk__in=_sessions_delivered_by(user))
    return get_object_or_404(sessions, pk=pk)


def results_course_version_get(*, user, pk: int) -> CourseVersion:
    """A course version whose results `user` may see: any, or one they delivered a session of."""
    versions = CourseVersion.objects.select_related("course")
    if not results_sees_everything(user):
        delivered = TrainingSession.objects.filter(pk__in=_sessions_delivered_by(user))
        versions = versions.filter(pk__in=delivered.values("course_version"))
    return get_object_or_404(versions, pk=pk)


def results_sessions(
    *,
    user,
    session: TrainingSession | None = None,
    course_version: CourseVersion | None = None,
    region: Region | None = None,
    trainer: User | None = None,
) -> QuerySet[TrainingSession]:
    """The sessions a results page counts: one session, a course version's, or those of a
    region or a trainer. A trainer who is not also a coordinator or manager counts only the
    sessions they delivered, whatever they ask for. (A course version's page shows the whole
    version to those who delivered part of it: its reach is checked before.)"""
    sessions = TrainingSession.objects.all()
    if session is not None:
        return sessions.filter(pk=session.pk)
    if course_version is not None:
        return sessions.filter(course_version=course_version)
    if not results_sees_everything(user):
        trainer = user
    if region is not None:
        sessions = sessions.filter(region=region)
    if trainer is not None:
        sessions = sessions.filter(pk__in=_sessions_delivered_by(trainer))
    return sessions


@dataclass(frozen=True)
class Bar:
    label: str
    count: int


@dataclass
class QuestionResult:
    key: str
    text: str
    kind: str
    bars: list[Bar] = field(default_factory=list)
    answered: int = 0
    mean: float | None = None
    withheld: bool = False  # fewer than MIN_RESPONSES_TO_SHOW answered: no figure at all

    @property
    def withheld_note(self) -> str:
        return QUESTION_WITHHELD if self.withheld else ""

    @property
    def chart(self) -> SafeString:
        return bar_chart_svg(
            title=self.text,
            labels=[bar.label for bar in self.bars],
            values=[bar.count for bar in self.bars],
            chart_id=f"chart-{self.key}",
        )

    @property
    def mean_text(self) -> str:
        return "" if self.mean is None else f"{self.mean:.1f}"


@dataclass(frozen=True)
class ConfidenceChange:
    before: QuestionResult
    after: QuestionResult

    @property
    def change(self) -> float | None:
        if self.before.mean is None or self.after.mean is None:
            return None
        return self.after.mean - self.before.mean

    @property
    def change_text(self) -> str:
        change = self.change
        return "" if change is None else f"{change:+.1f}"


@dataclass(frozen=True)
class Comment:
    pk: int
    text: str
    hidden: bool
    hidden_by: str
    hidden_reason: str


@dataclass
class CommentGroup:
    key: str
    text: str
    comments: list[Comment] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.comments))


@dataclass
class Results:
    attendees: int
    responses: int
    questions: list[QuestionResult]
    confidence: ConfidenceChange | None
    comments: list[CommentGroup]
    reflections: list[CommentGroup]
    comments_open: bool
    comments_note: str
    withheld: bool = False  # fewer than MIN_RESPONSES_TO_SHOW responses counted: no figure at all
    across_sessions: bool = False
    sessions_left_out: int = 0  # sessions with responses, but too few to count
    counted: int = 0  # the responses the figures rest on (whole batches of the shown sessions)

    @property
    def withheld_note(self) -> str:
        return RESULTS_WITHHELD if self.withheld else ""

    @property
    def batch_note(self) -> str:
        """When some responses wait for their batch: what the figures count, and why."""
        if self.withheld or self.counted >= self.responses:
            return ""
        why = (
            "so nobody's answers can be picked out by comparing the results from before and "
            "after they answered."
        )
        if not self.across_sessions:
            return (
                f"{self.responses} people have responded; these results show the first "
                f"{self.counted} and next change when {self.counted + MIN_RESPONSES_TO_SHOW} have "
                f"responded, {why}"
            )
        return (
            f"These results count {self.counted} of the {self.responses} responses: each "
            f"session's answers are added {MIN_RESPONSES_TO_SHOW} at a time, in the order they "
            f"arrived, {why}"
        )

    @property
    def left_out_note(self) -> str:
        """Across sessions: which answers the figures leave out, and why."""
        if not self.across_sessions or self.withheld:
            return ""
        note = (
            f"A session's answers to a question are counted only where at least "
            f"{MIN_RESPONSES_TO_SHOW} of its learners answered it, so nobody's answers can be "
            "picked out by comparing pages."
        )
        n = self.sessions_left_out
        if n:
            verb = "is" if n == 1 else "are"
            note = (
                f"{n} session{pluralize(n)} with fewer than {MIN_RESPONSES_TO_SHOW} responses "
                f"{verb} left out of these results. {note}"
            )
        return note

    @property
    def response_rate(self) -> str:
        if not self.attendees:
            return f"{self.responses} (no attendance recorded)"
        percent = round(self.responses * 100 / self.attendees)
        return f"{self.responses} of {self.attendees} ({percent}%)"


def _questions_of(responses: QuerySet[Response]) -> list[Question]:
    """The questions the responses answered, one per key: the newest form's wording wins, in the
    order that form asks them (the standard form first, then a course's own)."""
    questions = (
        Question.objects.filter(
            Q(section__form__in=responses.values("form"))
            | Q(section__form__in=responses.values("course_form"))
        )
        .select_related("section__form")
        .order_by("-section__form__version", "section__order", "section__pk", "order", "pk")
    )
    by_key: dict[str, Question] = {}
    for question in questions:
        by_key.setdefault(question.key, question)
    return sorted(
        by_key.values(),
        key=lambda q: (
            q.section.form.course_id is not None,
            q.section.order,
            q.section.pk,
            q.order,
            q.pk,
        ),
    )


def _rating_label(value: int, question: Question) -> str:
    end = {1: question.low_label, 5: question.high_label}.get(value)
    return f"{value} ({end})" if end else str(value)


def _counted(question: Question, counts: dict) -> QuestionResult:
    result = QuestionResult(key=question.key, text=question.text, kind=question.kind)
    kind = question.kind
    if kind == Question.Kind.RATING:
        result.bars = [Bar(_rating_label(v, question), counts.get(v, 0)) for v in range(1, 6)]
        result.answered = sum(bar.count for bar in result.bars)
        if result.answered:
            total = sum(v * counts.get(v, 0) for v in range(1, 6))
            result.mean = total / result.answered
    elif kind == Question.Kind.YES_NO:
        result.bars = [Bar("Yes", counts.get(True, 0)), Bar("No", counts.get(False, 0))]
        result.answered = sum(bar.count for bar in result.bars)
    else:
        extra = [c for c in counts if c is not None and c not in question.choices]
        choices = list(question.choices) + extra
        result.bars = [Bar(str(choice), counts.get(choice, 0)) for choice in choices]
        if kind == Question.Kind.MULTIPLE:
            result.answered = counts.get(None, 0)
        else:
            result.answered = sum(bar.count for bar in result.bars)
    if result.answered < MIN_RESPONSES_TO_SHOW:
        return QuestionResult(key=question.key, text=question.text, kind=kind, withheld=True)
    return result


def _comment_sessions(shown: list[int], *, user) -> QuerySet[TrainingSession]:
    """Of the sessions `shown` (those with enough responses), those whose comments `user` may
    read: every one for coordinators and managers, the released ones for trainers."""
    sessions = TrainingSession.objects.filter(pk__in=shown)
    if results_sees_everything(user):
        return sessions
    return sessions.filter(free_text_release__isnull=False)


def _response_counts(sessions: QuerySet[TrainingSession]) -> dict[int, tuple[int, int]]:
    """How many responses each of `sessions` has, and how many of those are counted in its
    results (those with none are left out)."""
    return {
        pk: (n, counted)
        for pk, n, counted in Response.objects.filter(session__in=sessions)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"), counted=Count("pk", filter=Q(counted=True)))
        .values_list("session", "n", "counted")
    }


def _shown_sessions(counts: dict[int, tuple[int, int]]) -> list[int]:
    """The sessions with enough counted responses for anything drawn from their answers to be
    shown."""
    return sorted(pk for pk, (_, counted) in counts.items() if counted >= MIN_RESPONSES_TO_SHOW)


def results_summary(
    *, sessions: QuerySet[TrainingSession], user, session: TrainingSession | None = None
) -> Results:
    """Response rate, each question's counts and mean, the change in confidence, and the
    comments and reflections `user` may read, for the responses to `sessions` (or to `session`
    alone, whose release then decides whether its trainers read any comments). Only sessions
    with at least MIN_RESPONSES_TO_SHOW responses count, and only a question that many answered
    shows a figure; with none to count, nothing but the response rate is returned."""
    attendees = Registration.objects.filter(
        session__in=sessions, status__in=ATTENDEE_STATUSES
    ).count()
    per_session = _response_counts(sessions)
    response_count = sum(n for n, _ in per_session.values())
    shown = _shown_sessions(per_session)
    counted = sum(per_session[pk][1] for pk in shown)
    nothing_shown = Results(
        attendees=attendees,
        responses=response_count,
        counted=counted,
        questions=[],
        confidence=None,
        comments=[],
        reflections=[],
        comments_open=False,
        comments_note="",
        withheld=True,
        across_sessions=session is None,
        sessions_left_out=len(per_session) - len(shown),
    )
    if not shown:
        return nothing_shown
    responses = Response.objects.filter(session__in=shown, counted=True)
    answers = Answer.objects.filter(response__session__in=shown, response__counted=True).order_by()
    questions = _questions_of(responses)
    counts = _answer_counts(answers)

    results = [_counted(q, counts[q.key]) for q in questions if q.kind not in Question.TEXT_KINDS]
    by_key = {result.key: result for result in results}
    confidence = None
    if all(key in by_key for key in CONFIDENCE_KEYS):
        confidence = ConfidenceChange(
            before=by_key[CONFIDENCE_KEYS[0]], after=by_key[CONFIDENCE_KEYS[1]]
        )
        results = [r for r in results if r.key not in CONFIDENCE_KEYS]

    everything = results_sees_everything(user)
    if everything:
        is_open, note = True, ""
    elif session is not None:
        is_open = results_comments_open_to_trainers(session=session, responses=counted)
        note = "" if is_open else COMMENTS_RULE
    else:
        is_open, note = True, COMMENTS_ACROSS_SESSIONS_RULE
    comments, reflections = (
        _comments(shown=shown, questions=questions, user=user, answers=answers)
        if is_open
        else ([], [])
    )
    return replace(
        nothing_shown,
        questions=results,
        confidence=confidence,
        comments=comments,
        reflections=reflections,
        comments_open=is_open,
        comments_note=note,
        withheld=False,
    )


def _answer_counts(answers: QuerySet[Answer]) -> dict[str, dict]:
    """Question key → value → how many chose it (and, under None, how many answered a question
    of several choices), counting a session's answers to a question only where at least
    MIN_RESPONSES_TO_SHOW of its learners answered it."""
    per_session: dict[tuple[int, str], dict] = defaultdict(dict)
    answered: dict[tuple[int, str], int] = defaultdict(int)
    grouped = (
        answers.filter(
            question__kind__in=[Question.Kind.RATING, Question.Kind.YES_NO, Question.Kind.SINGLE]
        )
        .values("response__session", "question__key", "question__kind", "number", "boolean", "text")
        .annotate(n=Count("pk"))
    )
    for row in grouped:
        value = {
            Question.Kind.RATING: row["number"],
            Question.Kind.YES_NO: row["boolean"],
        }.get(row["question__kind"], row["text"])
        if value is None or value == "":
            continue
        group = (row["response__session"], row["question__key"])
        per_session[group][value] = per_session[group].get(value, 0) + row["n"]
        answered[group] += row["n"]
    # Several choices: the database counts each combination, and each choice is summed from them.
    combinations = (
        answers.filter(question__kind=Question.Kind.MULTIPLE)
        .values("response__session", "question__key", "selected")
        .annotate(n=Count("pk"))
    )
    for row in combinations:
        group = (row["response__session"], row["question__key"])
        key_counts = per_session[group]
        key_counts[None] = key_counts.get(None, 0) + row["n"]  # how many answered
        answered[group] += row["n"]
        for choice in row["selected"] or []:
            key_counts[choice] = key_counts.get(choice, 0) + row["n"]
    counts: dict[str, dict] = defaultdict(dict)
    for group, values in per_session.items():
        if answered[group] < MIN_RESPONSES_TO_SHOW:
            continue
        key = group[1]
        for value, n in values.items():
            counts[key][value] = counts[key].get(value, 0) + n
    return counts


def _comments(
    *, shown: list[int], questions: list[Question], user, answers: QuerySet[Answer]
) -> tuple[list[CommentGroup], list[CommentGroup]]:
    text_questions = [q for q in questions if q.kind in Question.TEXT_KINDS]
    if not text_questions:
        return [], []
    everything = results_sees_everything(user)
    readable = (
        answers.filter(
            question__kind__in=Question.TEXT_KINDS,
            response__session__in=_comment_sessions(shown, user=user),
        )
        .exclude(text="")
        .order_by()
    )
    if not everything:
        readable = readable.filter(hidden_at__isnull=True)
    totals = dict(readable.values_list("question__key").annotate(n=Count("pk")))
    # The newest are chosen, but shown in the order of their words: an order by date would
    # put the last to answer (often the one person chased by name) first.
    newest = ("-response__submitted_on", "text", "pk")
    rows = (
        readable.annotate(
            place=Window(RowNumber(), partition_by=[F("question__key")], order_by=newest)
        )
        .filter(place__lte=COMMENTS_PER_QUESTION)
        .values("pk", "text", "question__key", "hidden_at", "hidden_reason", "hidden_by__full_name")
        .order_by("text", "pk")
    )
    groups = {
        q.key: CommentGroup(key=q.key, text=q.text, total=totals.get(q.key, 0))
        for q in text_questions
    }
    for row in rows:
        groups[row["question__key"]].comments.append(
            Comment(
                pk=row["pk"],
                text=row["text"],
                hidden=row["hidden_at"] is not None,
                hidden_by=row["hidden_by__full_name"] or "a coordinator",
                hidden_reason=row["hidden_reason"],
            )
        )
    comments = [g for k, g in groups.items() if k not in Question.REFLECTION_KEYS]
    reflections = [g for k, g in groups.items() if k in Question.REFLECTION_KEYS]
    return comments, reflections


def results_comments_open_to_trainers(*, session: TrainingSession, responses: int) -> bool:
    """Whether the session's trainers may read its comments (released, 5 counted responses)."""
    released = hasattr(session, "free_text_release")
    return released and responses >= MIN_RESPONSES_TO_SHOW


def results_comment_get(*, pk: int) -> Answer:
    """A comment (an answer in words) for a coordinator to hide; a 404 for one from a session
    with fewer than MIN_RESPONSES_TO_SHOW responses, whose results show no comment either
    (answer ids run in order, so any id can be tried)."""
    answer = get_object_or_404(
        Answer.objects.select_related("question", "response__session__course_version__course"),
        pk=pk,
        question__kind__in=Question.TEXT_KINDS,
    )
    # Not yet counted in the results (a batch still filling up): not shown there either.
    if not answer.response.counted:
        raise Http404("No comment to show.")
    return answer


def _csv_value(kind: str, number, boolean, text: str, selected, hidden_at) -> str | int:
    if kind in Question.TEXT_KINDS and hidden_at is not None:
        return "[hidden]"
    if kind == Question.Kind.RATING:
        return "" if number is None else number
    if kind == Question.Kind.YES_NO:
        return "" if boolean is None else ("yes" if boolean else "no")
    if kind == Question.Kind.MULTIPLE:
        return "; ".join(selected or [])
    return text


def _too_few_answered(shown: list[int], questions: list[Question]) -> set[tuple[int, str]]:
    """(session, question key) pairs of each question in figures (not words) that fewer than
    MIN_RESPONSES_TO_SHOW of the session's learners answered."""
    figure_keys = [q.key for q in questions if q.kind not in Question.TEXT_KINDS]
    answered = (
        Answer.objects.filter(
            response__session__in=shown, response__counted=True, question__key__in=figure_keys
        )
        .exclude(question__kind__in=Question.TEXT_KINDS)
        .filter(
            Q(question__kind=Question.Kind.MULTIPLE)
            | Q(number__isnull=False)
            | Q(boolean__isnull=False)
            | (Q(question__kind=Question.Kind.SINGLE) & ~Q(text=""))
        )
        .order_by()
        .values_list("response__session", "question__key")
        .annotate(n=Count("pk"))
    )
    enough = {(pk, key) for pk, key, n in answered if n >= MIN_RESPONSES_TO_SHOW}
    return {(pk, key) for pk in shown for key in figure_keys if (pk, key) not in enough}


def results_answer_rows(*, sessions: QuerySet[TrainingSession]) -> tuple[list[str], list[list]]:
    """The answers for a spreadsheet: a header of question keys and one row per response, with
    the session's code but nothing about the learner. Rows are sorted by their values, so their
    order says nothing about who answered first. Hidden comments read "[hidden]". Like every
    result, only sessions with at least MIN_RESPONSES_TO_SHOW responses are in it, and a
    question in figures that fewer than that answered in a session reads CSV_WITHHELD in each
    of the session's rows."""
    shown = _shown_sessions(_response_counts(sessions))
    questions = _questions_of(Response.objects.filter(session__in=shown, counted=True))
    keys = [q.key for q in questions]
    answers = (
        Answer.objects.filter(response__session__in=shown, response__counted=True)
        .values_list(
            "response_id",
            "response__session",
            "response__session__code",
            "question__key",
            "question__kind",
            "number",
            "boolean",
            "text",
            "selected",
            "hidden_at",
        )
        .order_by("response_id")
    )
    too_few = _too_few_answered(shown, questions)

    def row(session_pk: int, code: str, values: dict) -> list:
        return [
            code,
            *[CSV_WITHHELD if (session_pk, k) in too_few else values.get(k, "") for k in keys],
        ]

    rows: list[list] = []
    current, values, code, session_pk = None, {}, "", None
    for response_id, pk, session_code, key, *answer in answers.iterator(chunk_size=5000):
        if response_id != current:
            if current is not None:
                rows.append(row(session_pk, code, values))
            current, values, code, session_pk = response_id, {}, session_code, pk
        values[key] = _csv_value(*answer)
    if current is not None:
        rows.append(row(session_pk, code, values))
    rows.sort(key=lambda row: [str(cell) for cell in row])
    return ["session", *keys], rows


# --- Documents ---
# The session report and the certificates of attendance. The report reads the Results
# section's summary through a reader with no role, so its comments and reflections follow the
# trainers' rule whoever downloads it: only from a session whose comments were released and that
# has at least 5 responses, and never a hidden comment.


class _DocumentReader:
    """Who a document is written for: nobody in particular, so no role widens what it shows."""

    def has_role(self, *roles) -> bool:
        return False


@dataclass
class SessionReport:
    session: TrainingSession
    results: Results
    attendance: list[tuple[str, int]]
    attendees: list[Registration] | None  # None: names left out


def document_attendees(*, session: TrainingSession) -> QuerySet[Registration]:
    """The people who attended all or part of `session`, by name."""
    return (
        Registration.objects.filter(session=session, status__in=ATTENDEE_STATUSES)
        .select_related("participant", "session__course_version__course")
        .order_by("participant__full_name", "pk")
    )


def document_session_report(*, session: TrainingSession, with_names: bool) -> SessionReport:
    """What a session's report shows: attendance by status (and who attended, when
    `with_names`), and the evaluation summary under the trainers' rule for comments."""
    counts = dict(
        Registration.objects.filter(session=session)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    attendance = [(label, counts.get(value, 0)) for value, label in Registration.Status.choices]
    results = results_summary(
        sessions=TrainingSession.objects.filter(pk=session.pk),
        user=_DocumentReader(),
        session=session,
    )
    attendees = list(document_attendees(session=session)) if with_names else None
    return SessionReport(
        session=session, results=results, attendance=attendance, attendees=attendees
    )


# --- Course review ---
# A course version's review page: its evaluation results (results_summary, above) and what the
# delivery reports of its delivered sessions say to change in the course (never the private
# debrief). Coordinators and managers open any version (managers only read); a trainer opens a
# version they delivered (accepted lead or co-trainer on one of its delivered sessions), anyone
# else gets a 404.

REVIEW_TEAM_ROLES = (TrainerAssignment.Role.LEAD, TrainerAssignment.Role.CO_TRAINER)


def _review_delivery_assignments(version: CourseVersion) -> QuerySet[TrainerAssignment]:
    return TrainerAssignment.objects.filter(
        session__course_version=version,
        session__status=TrainingSession.Status.DELIVERED,
        status=TrainerAssignment.Status.ACCEPTED,
        role__in=REVIEW_TEAM_ROLES,
    )


def review_course_version_get(*, user, pk: int) -> CourseVersion:
    """A course version whose review page `user` may open; a 404 for a trainer who did not
    deliver it."""
    versions = CourseVersion.objects.select_related("course")
    if not results_sees_everything(user):
        delivered = TrainerAssignment.objects.filter(
            user=user,
            status=TrainerAssignment.Status.ACCEPTED,
            role__in=REVIEW_TEAM_ROLES,
            session__status=TrainingSession.Status.DELIVERED,
        ).values("session__course_version")
        versions = versions.filter(pk__in=delivered)
    return get_object_or_404(versions, pk=pk)


def review_can_record(*, user, version: CourseVersion) -> bool:
    """Coordinators and the trainers who delivered the version record reviews; managers read."""
    if user.is_coordinator:
        return True
    return _review_delivery_assignments(version).filter(user=user).exists()


@dataclass(frozen=True)
class ChangeNote:
    session_code: str
    starts_at: datetime
    to_change: str


def review_change_notes(*, version: CourseVersion) -> list[ChangeNote]:
    """Every delivered session's "what to change in the course", oldest session first. Only
    that field is read: the report's private debrief never leaves the database."""
    rows = (
        DeliveryReport.objects.filter(
            session__course_version=version, session__status=TrainingSession.Status.DELIVERED
        )
        .exclude(to_change="")
        .order_by("session__starts_at", "session__pk")
        .values_list("session__code", "session__starts_at", "to_change")
    )
    return [ChangeNote(code, starts_at, text) for code, starts_at, text in rows]


def review_participant_choices(*, version: CourseVersion, user) -> QuerySet[User]:
    """Who can take part in a review: the coordinators of the version's sessions (and the
    coordinator recording it) and the trainers who delivered it. `is_service_user_trainer` marks
    those who delivered it with a trainer profile."""
    delivered = _review_delivery_assignments(version)
    coordinators = TrainingSession.objects.filter(
        course_version=version, coordinator__isnull=False
    ).values("coordinator")
    people = Q(pk__in=delivered.values("user")) | Q(pk__in=coordinators)
    if user.is_coordinator:
        people |= Q(pk=user.pk)
    return (
        User.objects.filter(people)
        .annotate(
            is_service_user_trainer=Exists(delivered.filter(user=OuterRef("pk")))
            & Exists(Trainer.objects.filter(user=OuterRef("pk")))
        )
        .order_by("full_name", "pk")
    )


def course_reviews_of(*, version: CourseVersion) -> QuerySet[CourseReview]:
    """A version's reviews, newest first, with who took part and the version started from each."""
    return (
        CourseReview.objects.filter(course_version=version)
        .select_related("next_version", "recorded_by")
        .prefetch_related(Prefetch("participants", queryset=User.objects.order_by("full_name")))
        .order_by("-held_on", "-pk")
    )


def course_review_get(*, pk: int) -> CourseReview:
    return get_object_or_404(
        CourseReview.objects.select_related("course_version__course", "next_version"), pk=pk
    )


def course_review_started_from(*, version: CourseVersion) -> CourseReview | None:
    """The review a version was started from, if any."""
    return (
        CourseReview.objects.filter(next_version=version)
        .select_related("course_version")
        .order_by("-pk")
        .first()
    )


def course_draft_of(*, version: CourseVersion) -> CourseVersion | None:
    """The course's draft version, if one exists (a course has at most one)."""
    return (
        CourseVersion.objects.filter(course_id=version.course_id, status=CourseVersion.Status.DRAFT)
        .order_by("-number")
        .first()
    )
