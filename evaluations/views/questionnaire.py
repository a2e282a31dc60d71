"""The form: coordinators' pages for the standard form and each course's own questions,
its versions, sections and questions; a draft is changed in place, a published version only
copied."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView, View

from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from evaluations.forms import (
    CourseFormCreateForm,
    EvaluationFormDetailsForm,
    QuestionForm,
    SectionForm,
)
from evaluations.models import EvaluationForm, Question, Section
from evaluations.selectors import (
    course_form_list,
    courses_without_own_questions,
    form_get,
    form_problems,
    form_versions_of,
    question_get,
    section_get,
    standard_form_versions,
)
from evaluations.services import (
    course_form_create,
    form_copy,
    form_publish,
    form_update,
    question_add,
    question_move,
    question_remove,
    question_update,
    section_add,
    section_move,
    section_remove,
    section_rename,
)
from people.models import Role

# Coordinators keep the standard form and each course's own questions. A draft is changed in
# place; a published or retired version is only shown, and a new version is made from it.


class FormCoordinatorMixin(RoleRequiredMixin):
    roles = (Role.COORDINATOR,)


class FormListView(FormCoordinatorMixin, TemplateView):
    """The standard form's versions and every course's own questions; a course's own
    questions are started here."""

    template_name = "evaluations/form_list.html"

    def get_context_data(self, **kwargs):
        courses = courses_without_own_questions()
        kwargs.setdefault("course_form", CourseFormCreateForm(courses=courses))
        return super().get_context_data(
            standard_versions=standard_form_versions(),
            course_forms=course_form_list(),
            can_add_course=courses.exists(),
            **kwargs,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CourseFormCreateForm(request.POST, courses=courses_without_own_questions())
        if form.is_valid():
            try:
                created = course_form_create(course=form.cleaned_data["course"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Draft version 1 of “{created.course}”'s own questions is started. Add a "
                    "section and its questions, then publish it.",
                )
                return redirect("evaluations:form-detail", pk=created.pk)
        return self.render_to_response(self.get_context_data(course_form=form))


class FormDetailView(FormCoordinatorMixin, TemplateView):
    """A version as learners see it, with what can be done with it."""

    template_name = "evaluations/form_detail.html"

    def get_context_data(self, **kwargs):
        form = form_get(pk=self.kwargs["pk"])
        is_draft = form.status == EvaluationForm.Status.DRAFT
        return super().get_context_data(
            form_version=form,
            is_draft=is_draft,
            is_standard=form.course_id is None,
            problems=form_problems(form) if is_draft else [],
            versions=form_versions_of(form=form),
            reflection_keys=Question.REFLECTION_KEYS,
            **kwargs,
        )


class _FormDraftOnlyMixin:
    """Pages that change a version: a published or retired one is shown instead."""

    def form_of_page(self) -> EvaluationForm:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        form = self.form_of_page()
        if form.status != EvaluationForm.Status.DRAFT:
            messages.info(
                request,
                f"Version {form.version} is {form.get_status_display().lower()}, so it cannot "
                "be changed. Make a new version from it instead.",
            )
            return redirect("evaluations:form-detail", pk=form.pk)
        return super().get(request, *args, **kwargs)


def _back_to_form(form_pk: int, anchor: str = "") -> HttpResponse:
    url = reverse("evaluations:form-detail", kwargs={"pk": form_pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


class FormEditView(FormCoordinatorMixin, _FormDraftOnlyMixin, FormView):
    """Change a draft's title and the note shown before its questions."""

    template_name = "evaluations/form_edit.html"
    form_class = EvaluationFormDetailsForm

    @cached_property
    def form_version(self) -> EvaluationForm:
        return get_object_or_404(
            EvaluationForm.objects.select_related("course"), pk=self.kwargs["pk"]
        )

    def form_of_page(self) -> EvaluationForm:
        return self.form_version

    def get_initial(self):
        return {"title": self.form_version.title, "content_note": self.form_version.content_note}

    def get_context_data(self, **kwargs):
        return super().get_context_data(form_version=self.form_version, **kwargs)

    def form_valid(self, form):
        try:
            form_update(form=self.form_version, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Draft version {self.form_version.version} saved.")
        return _back_to_form(self.form_version.pk)


class _FormActionView(FormCoordinatorMixin, View):
    http_method_names = ["post"]

    def act(self, form: EvaluationForm) -> EvaluationForm:
        raise NotImplementedError

    def done(self, form: EvaluationForm) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            form = self.act(get_object_or_404(EvaluationForm, pk=pk))
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return _back_to_form(pk)
        messages.success(request, self.done(form))
        return _back_to_form(form.pk)


class FormPublishView(_FormActionView):
    """Publish a draft; the version published until now is retired."""

    def act(self, form):
        return form_publish(form=form, by=self.request.user)

    def done(self, form):
        return (
            f"Version {form.version} is published: learners are asked it from now on. "
            "Answers already given stay with the version they answered."
        )


class FormCopyView(_FormActionView):
    """Make a new draft version from a published or retired one."""

    def act(self, form):
        return form_copy(form=form)

    def done(self, form):
        return f"Draft version {form.version} is made, copied from the version before."


class SectionCreateView(FormCoordinatorMixin, _FormDraftOnlyMixin, FormView):
    """Add a section at the end of a draft."""

    template_name = "evaluations/form_section_form.html"
    form_class = SectionForm

    @cached_property
    def form_version(self) -> EvaluationForm:
        return get_object_or_404(
            EvaluationForm.objects.select_related("course"), pk=self.kwargs["pk"]
        )

    def form_of_page(self) -> EvaluationForm:
        return self.form_version

    def get_context_data(self, **kwargs):
        return super().get_context_data(form_version=self.form_version, section=None, **kwargs)

    def form_valid(self, form):
        try:
            section = section_add(form=self.form_version, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"The section “{section.title}” is added. Now add its questions."
        )
        return _back_to_form(self.form_version.pk, f"section-{section.pk}")


class SectionEditView(FormCoordinatorMixin, _FormDraftOnlyMixin, FormView):
    """Rename a section."""

    template_name = "evaluations/form_section_form.html"
    form_class = SectionForm

    @cached_property
    def section(self) -> Section:
        return section_get(pk=self.kwargs["pk"])

    def form_of_page(self) -> EvaluationForm:
        return self.section.form

    def get_initial(self):
        return {"title": self.section.title}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            form_version=self.section.form, section=self.section, **kwargs
        )

    def form_valid(self, form):
        try:
            section_rename(section=self.section, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The section is renamed.")
        return _back_to_form(self.section.form_id, f"section-{self.section.pk}")


class SectionDeleteView(FormCoordinatorMixin, _FormDraftOnlyMixin, TemplateView):
    """Remove a section and its questions, after a confirmation page."""

    template_name = "evaluations/form_section_delete.html"

    @cached_property
    def section(self) -> Section:
        return section_get(pk=self.kwargs["pk"])

    def form_of_page(self) -> EvaluationForm:
        return self.section.form

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            section=self.section,
            form_version=self.section.form,
            questions=list(self.section.questions.all()),
            **kwargs,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            section_remove(section=self.section)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _back_to_form(self.section.form_id, f"section-{self.section.pk}")
        messages.success(request, f"The section “{self.section.title}” is removed.")
        return _back_to_form(self.section.form_id)


class SectionMoveView(FormCoordinatorMixin, View):
    """Move a section one place up or down."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        section = section_get(pk=pk)
        try:
            section_move(section=section, up=request.POST.get("direction") == "up")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return _back_to_form(section.form_id, f"section-{section.pk}")


class QuestionCreateView(FormCoordinatorMixin, _FormDraftOnlyMixin, FormView):
    """Add a question at the end of a section."""

    template_name = "evaluations/form_question_form.html"
    form_class = QuestionForm

    @cached_property
    def section(self) -> Section:
        return section_get(pk=self.kwargs["pk"])

    def form_of_page(self) -> EvaluationForm:
        return self.section.form

    def get_initial(self):
        return {"required": True, "kind": Question.Kind.RATING}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            form_version=self.section.form, section=self.section, question=None, **kwargs
        )

    def form_valid(self, form):
        try:
            question = question_add(section=self.section, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The question is added.")
        return _back_to_form(self.section.form_id, f"question-{question.pk}")


class QuestionEditView(FormCoordinatorMixin, _FormDraftOnlyMixin, FormView):
    """Change a question; its key stays so results compare across versions."""

    template_name = "evaluations/form_question_form.html"
    form_class = QuestionForm

    @cached_property
    def question(self) -> Question:
        return question_get(pk=self.kwargs["pk"])

    def form_of_page(self) -> EvaluationForm:
        return self.question.section.form

    def get_initial(self):
        return QuestionForm.initial_for(self.question)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            form_version=self.question.section.form,
            section=self.question.section,
            question=self.question,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            question_update(question=self.question, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The question is saved.")
        return _back_to_form(self.question.section.form_id, f"question-{self.question.pk}")


class QuestionDeleteView(FormCoordinatorMixin, _FormDraftOnlyMixin, TemplateView):
    """Remove a question, after a confirmation page."""

    template_name = "evaluations/form_question_delete.html"

    @cached_property
    def question(self) -> Question:
        return question_get(pk=self.kwargs["pk"])

    def form_of_page(self) -> EvaluationForm:
        return self.question.section.form

    def get_context_data(self, **kwargs):
        form = self.question.section.form
        return super().get_context_data(
            question=self.question,
            form_version=form,
            is_reflection=form.course_id is None and self.question.key in Question.REFLECTION_KEYS,
            **kwargs,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form_pk = self.question.section.form_id
        try:
            question_remove(question=self.question)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _back_to_form(form_pk, f"question-{self.question.pk}")
        messages.success(request, f"The question “{self.question.text}” is removed.")
        return _back_to_form(form_pk, f"section-{self.question.section_id}")


class QuestionMoveView(FormCoordinatorMixin, View):
    """Move a question one place up or down its section."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        question = question_get(pk=pk)
        try:
            question_move(question=question, up=request.POST.get("direction") == "up")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return _back_to_form(question.section.form_id, f"question-{question.pk}")
