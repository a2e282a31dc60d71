"""The answers as a spreadsheet, under the same rule for anonymity as every result."""

from django.db.models import Count, Q, QuerySet

from evaluations.models import Answer, Question, Response
from evaluations.selectors.results import (
    CSV_WITHHELD,
    MIN_RESPONSES_TO_SHOW,
    _questions_of,
    _response_counts,
    _shown_sessions,
)
from sessions.models import TrainingSession


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
    current: int | None = None
    values: dict[str, str | int] = {}
    code, session_pk = "", 0
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
