"""The form: versions of the standard form and of courses' own questions, with their
sections and questions in order, and what stops a draft being published."""

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from evaluations.models import EvaluationForm, Question, Section
from sessions.models import Course


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
