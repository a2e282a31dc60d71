"""The form: the standard form and each course's own questions, versioned. A draft is
changed in place; a published or retired version never changes, and a new version is made
from it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Max, When
from django.utils import timezone
from django.utils.text import slugify

from audit.services import audit_record
from core.text import one_line
from evaluations.audit_actions import EvaluationAction
from evaluations.models import EvaluationForm, Question, Section
from evaluations.selectors import form_problems
from evaluations.standard_form import STANDARD_CONTENT_NOTE, STANDARD_FORM_TITLE, STANDARD_SECTIONS
from people.models import User
from sessions.models import Course


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
    title = one_line(title)
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
        action=EvaluationAction.EVALUATION_FORM_PUBLISHED,
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
    title = one_line(title)
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
    text = one_line(text)
    help_text = one_line(help_text)
    low_label = one_line(low_label)
    high_label = one_line(high_label)
    errors = _question_wording_errors(text=text, help_text=help_text, kind=kind)
    if current is not None and _is_reflection(current, form) and kind not in Question.TEXT_KINDS:
        errors["kind"] = "A reflection question takes a written answer: short or long."
    cleaned_choices: list[str] = []
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        cleaned_choices = _question_choices_cleaned(choices)
        if problem := _question_choices_problem(cleaned_choices):
            errors["choices"] = problem
    if kind == Question.Kind.RATING:
        errors |= _question_scale_errors(low_label=low_label, high_label=high_label)
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


def _question_wording_errors(*, text: str, help_text: str, kind: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "Write the question."
    elif len(text) > 300:
        errors["text"] = "Keep the question to 300 characters or fewer."
    if len(help_text) > 300:
        errors["help_text"] = "Keep the help text to 300 characters or fewer."
    if kind not in Question.Kind.values:
        errors["kind"] = "Choose the kind of answer."
    return errors


def _question_choices_cleaned(choices: list[str]) -> list[str]:
    """The choices on one line each, blanks and repeats (in any case) left out."""
    cleaned: list[str] = []
    seen = set()
    for choice in (one_line(c) for c in choices):
        if choice and choice.casefold() not in seen:
            seen.add(choice.casefold())
            cleaned.append(choice)
    return cleaned


def _question_choices_problem(choices: list[str]) -> str:
    if len(choices) < 2:
        return "Give at least two different choices, one per line."
    if len(choices) > CHOICES_MAX:
        return f"Give at most {CHOICES_MAX} choices."
    if any(len(choice) > CHOICE_MAX_LENGTH for choice in choices):
        return f"Keep each choice to {CHOICE_MAX_LENGTH} characters or fewer."
    return ""


def _question_scale_errors(*, low_label: str, high_label: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, label, end in (("low_label", low_label, "1"), ("high_label", high_label, "5")):
        if not label:
            errors[name] = f"Say what {end} means, for example “Not at all” or “Completely”."
        elif len(label) > 60:
            errors[name] = "Keep the label to 60 characters or fewer."
    return errors


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
