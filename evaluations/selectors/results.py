"""Results: who sees which, and what they show, under one rule for anonymity."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.utils.safestring import SafeString

from core.charts import bar_chart_svg
from evaluations.models import Answer, Question, Response
from evaluations.selectors.invitations import ATTENDEE_STATUSES
from people.models import Region, Role, User
from sessions.models import CourseVersion, Registration, TrainerAssignment, TrainingSession

# Who sees results: coordinators and managers see every page. A session's delivery team (its
# accepted lead, co-trainers and staff co-facilitators) see that session and the course versions
# they delivered; any other trainer gets a 404. Free text (docs/domain.md#evaluations) reaches
# trainers only from sessions whose comments a coordinator released, and never a comment a
# coordinator hid. Every figure is counted by the database, grouped by session, question and
# value, so a page costs the same few queries for 10 responses or 100,000.
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
# The one threshold for anonymity (docs/domain.md#evaluations): no figure drawn from learners'
# answers is shown while it rests on fewer than this many people.
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


def _sessions_delivered_by(user) -> QuerySet[TrainerAssignment, Mapping[str, Any]]:
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
        by_kind: dict[str, object] = {
            Question.Kind.RATING: row["number"],
            Question.Kind.YES_NO: row["boolean"],
        }
        value = by_kind.get(row["question__kind"], row["text"])
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
    for combination in combinations:
        group = (combination["response__session"], combination["question__key"])
        key_counts = per_session[group]
        key_counts[None] = key_counts.get(None, 0) + combination["n"]  # how many answered
        answered[group] += combination["n"]
        for choice in combination["selected"] or []:
            key_counts[choice] = key_counts.get(choice, 0) + combination["n"]
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
