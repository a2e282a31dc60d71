"""Invitations and responses: who is asked for feedback, the one response a link takes, the
short link's attendance check, and the one reminder."""

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from core.dates import uk_day
from core.textsafe import text_without_links
from evaluations.models import Answer, Invitation, Question, Response
from evaluations.selectors import (
    ATTENDEE_STATUSES,
    FEEDBACK_OPEN_FOR,
    MIN_RESPONSES_TO_SHOW,
    evaluation_forms_for_session,
    feedback_short_link_closed_reason,
)
from notifications.services import notification_queue
from people.models import User
from sessions.display import session_when
from sessions.models import Registration, TrainingSession

# Only attendees are invited (docs/domain.md#evaluations). A link takes exactly one response:
# the invitation is marked used by a conditional UPDATE in the same transaction that stores the
# answers, so of two submissions at the same instant one stores and the other is refused. The
# response keeps no link to the invitation or the person, and only the day it was given.

INVITATION_KIND = "evaluation_invitation"
CHASER_KIND = "evaluation_chaser"
INVITATION_VALID_FOR = FEEDBACK_OPEN_FOR
CHASER_AFTER = timedelta(days=3)
SHORT_TEXT_LIMIT = 500
LONG_TEXT_LIMIT = 5000
NOT_ON_THE_FORM = (
    "Your answers include a question that is not on this form, so nothing was saved. "
    "Open your link again and answer the questions shown."
)
FORM_NOT_READY = "The feedback form is not ready yet, so nothing was saved. Please try again later."


class InvitationUsed(ValidationError):
    """The link has already taken its one response."""

    def __init__(self):
        super().__init__("You have already given your feedback — thank you.")


class InvitationExpired(ValidationError):
    def __init__(self):
        super().__init__("This link has expired, so feedback can no longer be given with it.")


def _invitation_email_queue(invitation: Invitation, *, kind: str) -> None:
    # The link is made from the invitation when the email is sent: no token is stored in the
    # notification log.
    registration = invitation.registration
    session = registration.session
    course = session.course_version.course
    day = uk_day(session.starts_at)
    closes = uk_day(invitation.expires_at)
    subject = (
        f"Your feedback on {course}, {day}"
        if kind == INVITATION_KIND
        else f"Reminder: your feedback on {course}, {day}"
    )
    notification_queue(
        kind=kind,
        recipient_email=registration.participant.email,
        related=invitation,
        subject=Truncator(subject).chars(200),
        template="evaluations/email/"
        + ("invitation_new" if kind == INVITATION_KIND else "invitation_chaser"),
        context={
            # Typed by a visitor on the public form: printed with no link a mail client makes.
            "learner_name": text_without_links(registration.participant.full_name, default="there"),
            "course": str(course),
            "when": session_when(session),
            "closes": closes,
        },
    )


@transaction.atomic
def invitation_ensure(*, registration: Registration) -> Invitation | None:
    """Invite an attendee of a delivered session to give feedback, once: the invitation is made
    and emailed the first time; afterwards the existing one is returned. None for anyone who
    did not attend, or while the session is not delivered."""
    session = registration.session
    if (
        registration.status not in ATTENDEE_STATUSES
        or session.status != TrainingSession.Status.DELIVERED
    ):
        return None
    invitation, created = Invitation.objects.get_or_create(
        registration=registration,
        defaults={"expires_at": timezone.now() + INVITATION_VALID_FOR},
    )
    if created:
        _invitation_email_queue(invitation, kind=INVITATION_KIND)
    return invitation


def invitations_on_session_delivered(session: TrainingSession) -> int:
    """Invite each attendee of a delivered session not invited yet (listens to the
    sessions.hooks.session_delivered hook, so a late attendance correction is invited too); how
    many were invited now."""
    if session.status != TrainingSession.Status.DELIVERED:
        return 0
    registrations = (
        Registration.objects.filter(
            session=session,
            status__in=ATTENDEE_STATUSES,
            evaluation_invitation__isnull=True,
        )
        .select_related("participant", "session__course_version__course")
        .order_by("pk")
    )
    invited = 0
    for registration in registrations:
        invited += invitation_ensure(registration=registration) is not None
    return invited


# The same words whatever the reason (unknown address, not attended, already responded,
# expired): the short link must not tell anyone about other people.
SHORT_LINK_NOT_FOUND = (
    "We cannot open a feedback form for this email address. Use the address you registered "
    "with. Each person who attended can give feedback once, so if you already have, thank you. "
    "If you think this is wrong, please ask the coordinator."
)


@transaction.atomic
def invitation_for_attendee(*, session: TrainingSession, email: str) -> Invitation:
    """The short link's attendance check: the unused invitation of the attendee registered with
    this email (made now if they have none yet). Refused in the same words whatever is wrong."""
    reason = feedback_short_link_closed_reason(session)
    if reason:
        raise ValidationError(reason)
    registration = (
        Registration.objects.select_related("participant", "session__course_version__course")
        .filter(
            session=session, participant__email__iexact=email.strip(), status__in=ATTENDEE_STATUSES
        )
        .first()
    )
    invitation = invitation_ensure(registration=registration) if registration else None
    if invitation is None or invitation_refused_reason(invitation):
        raise ValidationError({"email": SHORT_LINK_NOT_FOUND})
    return invitation


def invitation_refused_reason(invitation: Invitation, *, now: datetime | None = None) -> str:
    """Why this link cannot take a response now: "used", "expired" or "" when it can."""
    if invitation.used:
        return "used"
    if invitation.expires_at <= (now or timezone.now()):
        return "expired"
    return ""


def _answer_error(question: Question, value) -> str:
    """What is wrong with one answer, in words; empty when it is fine (or rightly empty)."""
    if value is None or value in ("", []):
        if not question.required:
            return ""
        return _MISSING_ANSWER.get(question.kind, "Write an answer to this question.")
    if question.kind in Question.TEXT_KINDS:
        return _text_answer_error(question, value)
    check = _ANSWER_CHECKS.get(question.kind)
    return check(question, value) if check else ""


_MISSING_ANSWER: dict[str, str] = {
    Question.Kind.RATING: "Choose a number from 1 to 5.",
    Question.Kind.YES_NO: "Choose yes or no.",
    Question.Kind.SINGLE: "Choose one of the options.",
    Question.Kind.MULTIPLE: "Choose at least one of the options.",
}


def _rating_answer_error(question: Question, value) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        return "Choose a number from 1 to 5."
    return ""


def _yes_no_answer_error(question: Question, value) -> str:
    return "" if isinstance(value, bool) else "Choose yes or no."


def _single_answer_error(question: Question, value) -> str:
    return "" if value in question_choices(question) else "Choose one of the options shown."


def _multiple_answer_error(question: Question, value) -> str:
    offered = question_choices(question)
    if (
        not isinstance(value, list | tuple)
        or len(set(value)) != len(value)
        or any(item not in offered for item in value)
    ):
        return "Choose only from the options shown."
    return ""


def _text_answer_error(question: Question, value) -> str:
    limit = SHORT_TEXT_LIMIT if question.kind == Question.Kind.SHORT_TEXT else LONG_TEXT_LIMIT
    if not isinstance(value, str):
        return "Write your answer as text."
    if len(value) > limit:
        return (
            f"Keep your answer to {limit:,} characters or fewer: it has {len(value):,}. "
            "Nothing was saved."
        )
    return ""


_ANSWER_CHECKS: dict[str, Callable[[Question, Any], str]] = {
    Question.Kind.RATING: _rating_answer_error,
    Question.Kind.YES_NO: _yes_no_answer_error,
    Question.Kind.SINGLE: _single_answer_error,
    Question.Kind.MULTIPLE: _multiple_answer_error,
}


def question_choices(question: Question) -> list[str]:
    """The options a choice question offers, as text."""
    return [str(choice) for choice in question.choices or []]


def _answer_for(response: Response, question: Question, value) -> Answer:
    answer = Answer(response=response, question=question)
    if question.kind == Question.Kind.RATING:
        answer.number = value
    elif question.kind == Question.Kind.YES_NO:
        answer.boolean = value
    elif question.kind == Question.Kind.MULTIPLE:
        answer.selected = list(value)
    else:
        answer.text = value
    return answer


def _given(value):
    """An answer as stored: text trimmed; a blank one is no answer."""
    if isinstance(value, str):
        value = value.strip()
    return None if value in ("", []) else value


@transaction.atomic
def response_submit(*, invitation: Invitation, answers: Mapping[int, object]) -> Response:
    """Store a learner's answers (question id → value) as an anonymous response and mark the
    link used. Refused, storing nothing, for a used or expired link, an answer to a question not
    on the form, or an answer the question does not allow."""
    invitation = Invitation.objects.select_related("registration__session__course_version").get(
        pk=invitation.pk
    )
    reason = invitation_refused_reason(invitation)
    if reason == "used":
        raise InvitationUsed
    if reason == "expired":
        raise InvitationExpired
    session = invitation.registration.session
    forms = evaluation_forms_for_session(session=session)
    if forms.standard is None:
        raise ValidationError(FORM_NOT_READY)
    questions = {question.pk: question for question in forms.questions}
    if set(answers) - set(questions):
        raise ValidationError(NOT_ON_THE_FORM)
    given = {pk: _given(value) for pk, value in answers.items()}
    errors = {
        f"q_{pk}": message
        for pk, question in questions.items()
        if (message := _answer_error(question, given.get(pk)))
    }
    if errors:
        raise ValidationError(errors)
    # The session's row first (the lock order of sessions.services), so responses arriving
    # together are counted into batches one after another.
    TrainingSession.objects.select_for_update().filter(pk=session.pk).first()
    # The one guard that counts: only the submission whose UPDATE changed the row goes on. A
    # second one at the same instant waits for this row's lock and then finds it used.
    if Invitation.objects.filter(pk=invitation.pk, used=False).update(used=True) != 1:
        raise InvitationUsed
    response = Response.objects.create(
        session=session,
        form=forms.standard,
        course_form=forms.course,
        submitted_on=timezone.localdate(),
    )
    Answer.objects.bulk_create(
        _answer_for(response, questions[pk], value)
        for pk, value in given.items()
        if value is not None
    )
    response_batches_count(session=session)
    return response


def response_batches_count(*, session: TrainingSession) -> int:
    """Count the session's waiting responses into results in whole batches of
    MIN_RESPONSES_TO_SHOW, oldest first; how many were counted now. Results then change only
    five people at a time, so comparing two views of them (with the list of who has not
    responded, which coordinators need) never picks one person's answers out. The caller holds
    the session's row lock."""
    waiting = list(
        Response.objects.filter(session=session, counted=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    whole = len(waiting) - len(waiting) % MIN_RESPONSES_TO_SHOW
    if whole:
        Response.objects.filter(pk__in=waiting[:whole]).update(counted=True)
    return whole


def _chase(invitations) -> int:
    sent = 0
    for invitation in invitations:
        # The chased flag is set by a conditional UPDATE, so the coordinator's button and the
        # daily task can never both send a reminder for the same link.
        if Invitation.objects.filter(pk=invitation.pk, chased=False, used=False).update(
            chased=True
        ):
            _invitation_email_queue(invitation, kind=CHASER_KIND)
            sent += 1
    return sent


def _chaseable(now: datetime):
    return (
        Invitation.objects.filter(
            used=False,
            chased=False,
            expires_at__gt=now,
            registration__status__in=ATTENDEE_STATUSES,
        )
        .select_related(
            "registration__participant", "registration__session__course_version__course"
        )
        .order_by("pk")
    )


@transaction.atomic
def invitations_chase(*, session: TrainingSession, by: User) -> int:
    """A coordinator sends the one reminder to each attendee of the session who has not
    responded and has not been reminded; how many were sent. Refused when there is nobody."""
    sent = _chase(_chaseable(timezone.now()).filter(registration__session=session))
    if not sent:
        raise ValidationError(
            "Nobody can be sent a reminder: everyone invited has responded, has already had "
            "their one reminder, or their link has expired."
        )
    return sent


@transaction.atomic
def invitations_chase_due() -> int:
    """Send the one reminder 3 days after the invitation to each attendee who has not
    responded and has not been reminded yet; how many were sent. Safe to run again."""
    now = timezone.now()
    return _chase(_chaseable(now).filter(created_at__lte=now - CHASER_AFTER)[:500])
