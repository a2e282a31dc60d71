from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Max, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator, slugify

from audit.models import Action
from audit.services import audit_record
from core.textsafe import text_without_links
from evaluations.models import (
    Answer,
    CourseReview,
    EvaluationForm,
    FreeTextRelease,
    Invitation,
    Question,
    Response,
    Section,
)
from evaluations.selectors import (
    ATTENDEE_STATUSES,
    FEEDBACK_OPEN_FOR,
    MIN_RESPONSES_TO_SHOW,
    course_draft_of,
    evaluation_forms_for_session,
    feedback_short_link_closed_reason,
    form_problems,
    review_participant_choices,
)
from notifications.services import notification_queue
from people.models import User
from sessions.models import Course, CourseVersion, Registration, TrainingSession
from sessions.services import course_version_copy, session_when

# --- The form ---

STANDARD_FORM_TITLE = "Session evaluation"
STANDARD_CONTENT_NOTE = (
    "These questions ask what you learned today, how the session was run, and what you will "
    "do differently in your work. Your answers are anonymous: nobody can see who gave them, "
    "and comments are shared with the trainers only in ways that keep them safe too. "
    "If anything in today's session has affected you, talk to the trainers, your manager, "
    "or call Samaritans on 116 123, free, any time."
)

# The standard form's first version: (section title, [question fields]). Keys are stable across
# versions so results can be compared.
STANDARD_SECTIONS: tuple[tuple[str, tuple[dict, ...]], ...] = (
    (
        "What you learned",
        (
            {
                "key": "outcomes_met",
                "kind": "rating",
                "text": "How far did the session meet its learning outcomes?",
                "help_text": "The learning outcomes were shared at the start of the session.",
                "low_label": "Not at all",
                "high_label": "Completely",
            },
            {
                "key": "lived_experience_value",
                "kind": "rating",
                "text": "How valuable was hearing from trainers with lived experience?",
                "low_label": "Not at all valuable",
                "high_label": "Extremely valuable",
            },
        ),
    ),
    (
        "Your confidence",
        (
            {
                "key": "confidence_before",
                "kind": "rating",
                "text": "Before today: how confident were you to involve service users in "
                "your work?",
                "help_text": "Think back to how you felt when you arrived.",
                "low_label": "Not at all confident",
                "high_label": "Very confident",
            },
            {
                "key": "confidence_after",
                "kind": "rating",
                "text": "Now: how confident are you to involve service users in your work?",
                "low_label": "Not at all confident",
                "high_label": "Very confident",
            },
        ),
    ),
    (
        "The session",
        (
            {
                "key": "organisation",
                "kind": "rating",
                "text": "How well organised was the session?",
                "help_text": "For example the venue, timings and materials.",
                "low_label": "Very poorly",
                "high_label": "Very well",
            },
            {
                "key": "recommend",
                "kind": "yes_no",
                "text": "Would you recommend this session to a colleague?",
            },
            {
                "key": "most_useful",
                "kind": "long_text",
                "text": "What was most useful?",
                "required": False,
            },
            {
                "key": "to_improve",
                "kind": "long_text",
                "text": "What could we improve?",
                "required": False,
            },
        ),
    ),
    (
        "Your reflections",
        (
            {
                "key": "more_of",
                "kind": "long_text",
                "text": "What will you do more of?",
                "help_text": "In your work, after today.",
                "required": False,
            },
            {
                "key": "less_of",
                "kind": "long_text",
                "text": "What will you do less of?",
                "help_text": "In your work, after today.",
                "required": False,
            },
            {
                "key": "stop_doing",
                "kind": "long_text",
                "text": "What will you stop doing?",
                "help_text": "In your work, after today.",
                "required": False,
            },
        ),
    ),
)


@transaction.atomic
def standard_form_seed() -> EvaluationForm:
    """The standard form, made as version 1 and published if no standard form exists yet.
    Idempotent: with any standard form already there, the published one (or the newest) is
    returned untouched."""
    existing = (
        EvaluationForm.objects.select_for_update()
        .filter(course=None)
        .order_by(Case(When(status=EvaluationForm.Status.PUBLISHED, then=0), default=1), "-version")
        .first()
    )
    if existing is not None:
        return existing
    form = EvaluationForm.objects.create(
        course=None,
        version=1,
        title=STANDARD_FORM_TITLE,
        content_note=STANDARD_CONTENT_NOTE,
        status=EvaluationForm.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    for section_order, (title, questions) in enumerate(STANDARD_SECTIONS, start=1):
        section = Section.objects.create(form=form, title=title, order=section_order)
        Question.objects.bulk_create(
            Question(section=section, order=order, **{"required": True, **fields})
            for order, fields in enumerate(questions, start=1)
        )
    return form


FORM_TITLE_MAX = 200
CHOICES_MAX = 20
CHOICE_MAX_LENGTH = 100
# A key made from a question's words is cut to this length.
_KEY_MAX = 50


def _form_one_line(text: str) -> str:
    return " ".join(text.split())


def _form_name(form: EvaluationForm) -> str:
    if form.course_id is None:
        return f"Version {form.version} of the standard form"
    return f"Version {form.version} of “{form.course}”'s own questions"


def _form_draft(form: EvaluationForm) -> EvaluationForm:
    """The form, locked, if it is a draft; a published or retired version is never changed."""
    form = (
        EvaluationForm.objects.select_for_update(of=("self",))
        .select_related("course")
        .get(pk=form.pk)
    )
    if form.status != EvaluationForm.Status.DRAFT:
        raise ValidationError(
            f"{_form_name(form)} is {form.get_status_display().lower()}, so it cannot be "
            "changed. Make a new version from it instead."
        )
    return form


def _is_reflection(question: Question, form: EvaluationForm) -> bool:
    return form.course_id is None and question.key in Question.REFLECTION_KEYS


def _form_renumber(items: list, moved_pk: int, up: bool) -> None:
    """Swap an item with its neighbour and number the list afresh from 1."""
    index = next(i for i, item in enumerate(items) if item.pk == moved_pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for number, item in enumerate(items, start=1):
        item.order = number


def _form_next_order(queryset) -> int:
    return (queryset.aggregate(last=Max("order"))["last"] or 0) + 1


@transaction.atomic
def form_update(*, form: EvaluationForm, title: str, content_note: str) -> EvaluationForm:
    """Change a draft's title and the note shown before its questions."""
    form = _form_draft(form)
    title = _form_one_line(title)
    content_note = content_note.strip()
    errors = {}
    if not title:
        errors["title"] = "Give the form a title."
    elif len(title) > FORM_TITLE_MAX:
        errors["title"] = f"Keep the title to {FORM_TITLE_MAX} characters or fewer."
    if form.course_id is None and not content_note:
        errors["content_note"] = (
            "Say what the form asks about, that answers are anonymous, and where to find support."
        )
    if errors:
        raise ValidationError(errors)
    form.title = title
    form.content_note = content_note
    form.save(update_fields=["title", "content_note"])
    return form


@transaction.atomic
def form_publish(*, form: EvaluationForm, by: User) -> EvaluationForm:
    """Publish a draft: it becomes the form learners answer (the standard form, or the course's
    own questions), and the version published until now is retired. Responses already given
    keep pointing at the version they answered."""
    form = _form_draft(form)
    prefetched = EvaluationForm.objects.prefetch_related("sections__questions").get(pk=form.pk)
    problems = form_problems(prefetched)
    if problems:
        raise ValidationError(problems)
    # The version published now is locked while it is retired; the database keeps to one
    # published version per form even if two publishes race.
    others = list(
        EvaluationForm.objects.select_for_update()
        .filter(course=form.course_id, status=EvaluationForm.Status.PUBLISHED)
        .exclude(pk=form.pk)
        .order_by("pk")
    )
    for previous in others:
        previous.status = EvaluationForm.Status.RETIRED
        previous.save(update_fields=["status"])
    form.status = EvaluationForm.Status.PUBLISHED
    form.published_at = timezone.now()
    form.save(update_fields=["status", "published_at"])
    audit_record(
        action=Action.EVALUATION_FORM_PUBLISHED,
        actor=by,
        obj=form,
        changes={
            "version": form.version,
            "course": str(form.course) if form.course_id else None,
            "retired_version": others[0].version if others else None,
        },
    )
    return form


def _lock_form_family(course: Course | None) -> None:
    """Serialise the making of new versions: the course row, or the standard form's versions."""
    if course is not None:
        Course.objects.select_for_update().get(pk=course.pk)
    else:
        # Ordered by pk: the default ordering would join the (absent) course, which
        # PostgreSQL cannot lock.
        list(
            EvaluationForm.objects.select_for_update()
            .filter(course=None)
            .order_by("pk")
            .values_list("pk")
        )


@transaction.atomic
def form_copy(*, form: EvaluationForm) -> EvaluationForm:
    """Make the next version as a draft copied from a published or retired one: its title,
    note, sections and questions, with the same keys so results can be compared."""
    _lock_form_family(form.course)
    source = EvaluationForm.objects.prefetch_related("sections__questions").get(pk=form.pk)
    if source.status == EvaluationForm.Status.DRAFT:
        raise ValidationError(
            f"{_form_name(source)} is a draft: change it instead of making a new version."
        )
    family = EvaluationForm.objects.filter(course=source.course_id)
    draft = family.filter(status=EvaluationForm.Status.DRAFT).first()
    if draft is not None:
        raise ValidationError(
            f"There is already a draft, version {draft.version}. Change that one, or publish "
            "it before making another."
        )
    copy = EvaluationForm.objects.create(
        course_id=source.course_id,
        version=(family.aggregate(last=Max("version"))["last"] or 0) + 1,
        title=source.title,
        content_note=source.content_note,
    )
    questions = []
    for section in source.sections.all():
        new_section = Section.objects.create(form=copy, title=section.title, order=section.order)
        questions += [
            Question(
                section=new_section,
                key=question.key,
                text=question.text,
                help_text=question.help_text,
                kind=question.kind,
                required=question.required,
                choices=list(question.choices),
                low_label=question.low_label,
                high_label=question.high_label,
                order=question.order,
            )
            for question in section.questions.all()
        ]
    Question.objects.bulk_create(questions)
    return copy


@transaction.atomic
def course_form_create(*, course: Course) -> EvaluationForm:
    """Start a course's own questions, asked after the standard form: an empty draft,
    version 1."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    existing = EvaluationForm.objects.filter(course=course).order_by("-version").first()
    if existing is not None:
        raise ValidationError(
            {
                "course": f"“{course}” already has its own questions (version "
                f"{existing.version}). Open them to change them or make a new version."
            }
        )
    return EvaluationForm.objects.create(
        course=course, version=1, title=f"Questions about “{course.title}”"[:FORM_TITLE_MAX]
    )


def _section_title(title: str) -> str:
    title = _form_one_line(title)
    if not title:
        raise ValidationError({"title": "Give the section a title."})
    if len(title) > FORM_TITLE_MAX:
        raise ValidationError({"title": f"Keep the title to {FORM_TITLE_MAX} characters or fewer."})
    return title


@transaction.atomic
def section_add(*, form: EvaluationForm, title: str) -> Section:
    """Add a section at the end of a draft."""
    form = _form_draft(form)
    title = _section_title(title)
    return Section.objects.create(form=form, title=title, order=_form_next_order(form.sections))


@transaction.atomic
def section_rename(*, section: Section, title: str) -> Section:
    """Change a section's title in a draft."""
    _form_draft(section.form)
    section.title = _section_title(title)
    section.save(update_fields=["title"])
    return section


@transaction.atomic
def section_remove(*, section: Section) -> None:
    """Remove a section and its questions from a draft; never one holding the reflections."""
    form = _form_draft(section.form)
    if any(_is_reflection(question, form) for question in section.questions.all()):
        raise ValidationError(
            f"The section “{section.title}” holds the reflection questions (more of, less of, "
            "stop doing), which the standard form always asks. Move them to another section "
            "first, or keep this section."
        )
    section.delete()


@transaction.atomic
def section_move(*, section: Section, up: bool) -> None:
    """Move a section one place earlier (up) or later in its draft."""
    form = _form_draft(section.form)
    sections = list(form.sections.order_by("order", "pk"))
    _form_renumber(sections, section.pk, up)
    Section.objects.bulk_update(sections, ["order"])


def _question_fields(
    *,
    form: EvaluationForm,
    text: str,
    kind: str,
    help_text: str,
    required: bool,
    choices: list[str],
    low_label: str,
    high_label: str,
    current: Question | None = None,
) -> dict:
    text = _form_one_line(text)
    help_text = _form_one_line(help_text)
    low_label = _form_one_line(low_label)
    high_label = _form_one_line(high_label)
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "Write the question."
    elif len(text) > 300:
        errors["text"] = "Keep the question to 300 characters or fewer."
    if len(help_text) > 300:
        errors["help_text"] = "Keep the help text to 300 characters or fewer."
    if kind not in Question.Kind.values:
        errors["kind"] = "Choose the kind of answer."
    if current is not None and _is_reflection(current, form) and kind not in Question.TEXT_KINDS:
        errors["kind"] = "A reflection question takes a written answer: short or long."
    cleaned_choices: list[str] = []
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        seen = set()
        for choice in (_form_one_line(c) for c in choices):
            if choice and choice.casefold() not in seen:
                seen.add(choice.casefold())
                cleaned_choices.append(choice)
        if len(cleaned_choices) < 2:
            errors["choices"] = "Give at least two different choices, one per line."
        elif len(cleaned_choices) > CHOICES_MAX:
            errors["choices"] = f"Give at most {CHOICES_MAX} choices."
        elif any(len(choice) > CHOICE_MAX_LENGTH for choice in cleaned_choices):
            errors["choices"] = f"Keep each choice to {CHOICE_MAX_LENGTH} characters or fewer."
    if kind == Question.Kind.RATING:
        for name, label, end in (("low_label", low_label, "1"), ("high_label", high_label, "5")):
            if not label:
                errors[name] = f"Say what {end} means, for example “Not at all” or “Completely”."
            elif len(label) > 60:
                errors[name] = "Keep the label to 60 characters or fewer."
    else:
        low_label = high_label = ""
    if errors:
        raise ValidationError(errors)
    return {
        "text": text,
        "kind": kind,
        "help_text": help_text,
        "required": required,
        "choices": cleaned_choices,
        "low_label": low_label,
        "high_label": high_label,
    }


def _question_key(form: EvaluationForm, text: str) -> str:
    """A key made from the question's words, unused in the form, kept by later versions. A
    learner answers the standard form and their course's own questions in one response, and
    results count answers by key, so a course's key is never one the standard form uses (or
    its reflections), nor a new standard key one a course's questions use: the answers of two
    questions would be counted as one, and a question few answered would show its figures."""
    taken = set(Question.objects.filter(section__form=form).values_list("key", flat=True))
    if form.course_id is not None:
        taken |= set(Question.REFLECTION_KEYS)
        others = Question.objects.filter(section__form__course__isnull=True)
    else:
        others = Question.objects.filter(section__form__course__isnull=False)
    taken |= set(others.values_list("key", flat=True).distinct())
    base = slugify(text).replace("-", "_")[:_KEY_MAX].strip("_") or "question"
    key, number = base, 2
    while key in taken:
        key = f"{base}_{number}"
        number += 1
    return key


@transaction.atomic
def question_add(
    *,
    section: Section,
    text: str,
    kind: str,
    help_text: str = "",
    required: bool = True,
    choices: list[str] | None = None,
    low_label: str = "",
    high_label: str = "",
) -> Question:
    """Add a question at the end of a section of a draft."""
    form = _form_draft(section.form)
    fields = _question_fields(
        form=form,
        text=text,
        kind=kind,
        help_text=help_text,
        required=required,
        choices=choices or [],
        low_label=low_label,
        high_label=high_label,
    )
    return Question.objects.create(
        section=section,
        key=_question_key(form, fields["text"]),
        order=_form_next_order(section.questions),
        **fields,
    )


@transaction.atomic
def question_update(
    *,
    question: Question,
    text: str,
    kind: str,
    help_text: str = "",
    required: bool = True,
    choices: list[str] | None = None,
    low_label: str = "",
    high_label: str = "",
) -> Question:
    """Change a question of a draft. Its key stays, so results still compare across versions."""
    form = _form_draft(question.section.form)
    fields = _question_fields(
        form=form,
        text=text,
        kind=kind,
        help_text=help_text,
        required=required,
        choices=choices or [],
        low_label=low_label,
        high_label=high_label,
        current=question,
    )
    for name, value in fields.items():
        setattr(question, name, value)
    question.save(update_fields=list(fields))
    return question


@transaction.atomic
def question_remove(*, question: Question) -> None:
    """Remove a question from a draft; never one of the standard form's reflections."""
    form = _form_draft(question.section.form)
    if _is_reflection(question, form):
        raise ValidationError(
            f"“{question.text}” is one of the reflection questions, which the standard form "
            "always asks. You can change its wording, but not remove it."
        )
    question.delete()


@transaction.atomic
def question_move(*, question: Question, up: bool) -> None:
    """Move a question one place earlier (up) or later in its section of a draft."""
    _form_draft(question.section.form)
    questions = list(question.section.questions.order_by("order", "pk"))
    _form_renumber(questions, question.pk, up)
    Question.objects.bulk_update(questions, ["order"])


# --- Invitations and responses ---
# Only attendees are invited (DESIGN.md §4). A link takes exactly one response: the invitation
# is marked used by a conditional UPDATE in the same transaction that stores the answers, so of
# two submissions at the same instant one stores and the other is refused. The response keeps
# no link to the invitation or the person, and only the day it was given.

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
    day = date_format(timezone.localtime(session.starts_at), "j F Y")
    closes = date_format(timezone.localtime(invitation.expires_at), "j F Y")
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
    """Invite each attendee of a delivered session not invited yet (registered in
    sessions.services.SESSION_DELIVERED, so a late attendance correction is invited too);
    how many were invited now."""
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
    kind = question.kind
    if value is None or value in ("", []):
        if not question.required:
            return ""
        return {
            Question.Kind.RATING: "Choose a number from 1 to 5.",
            Question.Kind.YES_NO: "Choose yes or no.",
            Question.Kind.SINGLE: "Choose one of the options.",
            Question.Kind.MULTIPLE: "Choose at least one of the options.",
        }.get(kind, "Write an answer to this question.")
    if kind == Question.Kind.RATING:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            return "Choose a number from 1 to 5."
    elif kind == Question.Kind.YES_NO:
        if not isinstance(value, bool):
            return "Choose yes or no."
    elif kind == Question.Kind.SINGLE:
        if value not in question_choices(question):
            return "Choose one of the options shown."
    elif kind == Question.Kind.MULTIPLE:
        offered = question_choices(question)
        if (
            not isinstance(value, list | tuple)
            or len(set(value)) != len(value)
            or any(item not in offered for item in value)
        ):
            return "Choose only from the options shown."
    elif kind in Question.TEXT_KINDS:
        limit = SHORT_TEXT_LIMIT if kind == Question.Kind.SHORT_TEXT else LONG_TEXT_LIMIT
        if not isinstance(value, str):
            return "Write your answer as text."
        if len(value) > limit:
            return (
                f"Keep your answer to {limit:,} characters or fewer: it has {len(value):,}. "
                "Nothing was saved."
            )
    return ""


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


# --- Results ---

HIDE_REASON_MAX = 300


@transaction.atomic
def free_text_release(*, session: TrainingSession, by: User) -> FreeTextRelease:
    """Release a session's comments and reflections to its trainers (they read them once at
    least 5 people have responded); recorded in the audit trail."""
    release, created = FreeTextRelease.objects.get_or_create(
        session=session, defaults={"released_by": by}
    )
    if not created:
        when = date_format(timezone.localtime(release.released_at), "j F Y")
        raise ValidationError(f"These comments were already released to the trainers on {when}.")
    audit_record(action=Action.EVALUATION_COMMENTS_RELEASED, actor=by, obj=session)
    return release


@transaction.atomic
def answer_hide(*, answer: Answer, by: User, reason: str) -> Answer:
    """Hide a comment from the session's trainers. It is kept, with who hid it, when and why;
    the audit trail records which question, never the comment or the reason."""
    answer = (
        Answer.objects.select_for_update().select_related("question", "response").get(pk=answer.pk)
    )
    reason = " ".join(reason.split())
    if answer.question.kind not in Question.TEXT_KINDS:
        raise ValidationError("Only comments (answers in words) can be hidden.")
    if answer.hidden_at is not None:
        raise ValidationError("This comment is already hidden.")
    if not reason:
        raise ValidationError({"reason": "Say why this comment is hidden from the trainers."})
    if len(reason) > HIDE_REASON_MAX:
        raise ValidationError(
            {"reason": f"Keep the reason to {HIDE_REASON_MAX} characters or fewer."}
        )
    answer.hidden_by = by
    answer.hidden_at = timezone.now()
    answer.hidden_reason = reason
    answer.save(update_fields=["hidden_by", "hidden_at", "hidden_reason"])
    audit_record(
        action=Action.EVALUATION_COMMENT_HIDDEN,
        actor=by,
        obj=answer.response.session,
        changes={"question": answer.question.key},
    )
    return answer


# --- Course review ---


class NextVersionExists(ValidationError):
    """The course already has a draft: it is linked to instead of starting another."""

    def __init__(self, message: str, *, draft: CourseVersion):
        super().__init__(message)
        self.draft = draft


@transaction.atomic
def course_review_record(
    *,
    version: CourseVersion,
    by: User,
    held_on: date | None,
    participants: Iterable[User],
    findings: str,
    decisions: str,
) -> CourseReview:
    """Record a review of a course version: when it was held, who took part (from the
    coordinators and the trainers who delivered it, at least one of them a service-user
    trainer), what it found and what it decided."""
    participants = list(participants)
    findings = (findings or "").strip()
    decisions = (decisions or "").strip()
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = "Enter the date the review was held."
    elif held_on > timezone.localdate():
        errors["held_on"] = "The review date cannot be in the future."
    choices = {person.pk: person for person in review_participant_choices(version=version, user=by)}
    if not participants:
        errors["participants"] = "Choose who took part in the review."
    elif any(person.pk not in choices for person in participants):
        errors["participants"] = (
            "Only the coordinators and the trainers who delivered this version can be chosen."
        )
    elif not any(choices[person.pk].is_service_user_trainer for person in participants):
        errors["participants"] = (
            "At least one service-user trainer who delivered this version must take part in "
            "its review."
        )
    if not findings:
        errors["findings"] = "Write down what the review found."
    if not decisions:
        errors["decisions"] = "Write down what the review decided to change."
    if errors:
        raise ValidationError(errors)
    review = CourseReview.objects.create(
        course_version=version,
        held_on=held_on,
        findings=findings,
        decisions=decisions,
        recorded_by=by,
    )
    review.participants.set(participants)
    audit_record(
        action=Action.COURSE_REVIEW_RECORDED,
        actor=by,
        obj=version,
        changes={"review": review.pk, "held_on": held_on.isoformat()},
    )
    return review


@transaction.atomic
def course_review_next_version_start(*, review: CourseReview, by: User) -> CourseVersion:
    """Start the course's next version as a draft copied from the reviewed version, and link it
    on the review. If the course already has a draft, NextVersionExists names it."""
    review = CourseReview.objects.select_for_update().get(pk=review.pk)
    version = review.course_version
    # The course is locked so two people starting a new version at once cannot both get one.
    Course.objects.select_for_update().get(pk=version.course_id)
    if review.next_version_id is not None:
        draft = review.next_version
        raise NextVersionExists(
            f"Version {draft.number} was already started from this review.", draft=draft
        )
    draft = course_draft_of(version=version)
    if draft is not None:
        raise NextVersionExists(
            f"“{version.course}” already has a draft, version {draft.number}. Change that one "
            "instead of starting another.",
            draft=draft,
        )
    copy = course_version_copy(version=version)
    review.next_version = copy
    review.save(update_fields=["next_version"])
    audit_record(
        action=Action.COURSE_REVIEW_NEXT_VERSION,
        actor=by,
        obj=copy,
        changes={"review": review.pk, "from_version": version.number},
    )
    return copy
