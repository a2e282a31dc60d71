"""Train the Trainer: a trainer's own progress; on a trainer's page, recording a requirement met
and correcting a certification's end; the pipeline, programmes and their requirements."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView, View

from trainers.forms import (
    CertificationExpiryForm,
    T3ProgrammeForm,
    T3ProgressForm,
    T3RequirementForm,
)
from trainers.models import Certification, T3Programme, T3Requirement, Trainer
from trainers.selectors import (
    EXPIRING_WITHIN_DAYS,
    STUCK_AFTER_DAYS,
    certification_list_for_trainer,
    t3_pipeline,
    t3_programme_list,
    t3_requirement_list,
    t3_steps_for_trainer,
    trainer_get_for_coordinator,
)
from trainers.services import (
    certification_expiry_update,
    t3_programme_create,
    t3_programme_update,
    t3_progress_record,
    t3_requirement_add,
    t3_requirement_move,
    t3_requirement_update,
)
from trainers.views.profiles import CoordinatorMixin, OwnTrainerMixin, TrainerDetailView


class MyTrainingView(OwnTrainerMixin, TemplateView):
    """The trainer's own Train the Trainer progress and certification."""

    template_name = "trainers/profile_training.html"

    def get_context_data(self, **kwargs):
        steps = t3_steps_for_trainer(trainer=self.trainer)
        return super().get_context_data(
            trainer=self.trainer,
            steps=steps,
            met=sum(1 for step in steps if step.progress),
            certifications=certification_list_for_trainer(trainer=self.trainer),
            today=timezone.localdate(),
            **kwargs,
        )


class TrainerProgressRecordView(TrainerDetailView):
    """Record a Train the Trainer requirement the trainer has met."""

    http_method_names = ["post"]

    def post(self, request, pk):
        trainer = self.get_trainer()
        form = T3ProgressForm(
            request.POST,
            requirements=T3Requirement.objects.filter(programme_id=trainer.programme_id),
        )
        if form.is_valid():
            try:
                t3_progress_record(trainer=trainer, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
        if not form.is_valid():
            return self.show_errors(progress_form=form)
        messages.success(request, "The requirement is recorded as met.")
        return redirect("trainers:trainer-detail", pk=trainer.pk)


class CertificationExpiryView(TrainerDetailView):
    """Correct when a certification ends; its renewal reminder moves with it."""

    http_method_names = ["post"]

    def get_trainer(self) -> Trainer:
        if not hasattr(self, "trainer"):
            self.certification = get_object_or_404(Certification, pk=self.kwargs["pk"])
            self.trainer = trainer_get_for_coordinator(pk=self.certification.trainer_id)
        return self.trainer

    def post(self, request, pk):
        trainer = self.get_trainer()
        form = CertificationExpiryForm(request.POST, certification=self.certification)
        if form.is_valid():
            try:
                certification_expiry_update(
                    certification=self.certification, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
        if not form.is_valid():
            return self.show_errors(expiry_form=form)
        messages.success(request, "The certification's end date is saved.")
        return redirect("trainers:trainer-detail", pk=trainer.pk)


class T3PipelineView(CoordinatorMixin, TemplateView):
    """How many trainers are at each step of Train the Trainer, and who is stuck."""

    template_name = "trainers/t3_pipeline.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pipeline=t3_pipeline(),
            stuck_after_days=STUCK_AFTER_DAYS,
            expiring_within_days=EXPIRING_WITHIN_DAYS,
            **kwargs,
        )


class T3ProgrammeListView(CoordinatorMixin, ListView):
    """The Train the Trainer programmes."""

    template_name = "trainers/t3_programme_list.html"
    context_object_name = "programmes"

    def get_queryset(self):
        return t3_programme_list()


class T3ProgrammeCreateView(CoordinatorMixin, FormView):
    """Create a Train the Trainer programme."""

    template_name = "trainers/t3_programme_form.html"
    form_class = T3ProgrammeForm
    initial = {"certification_months": 24}

    def form_valid(self, form):
        try:
            programme = t3_programme_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "The programme is created. Now add its requirements.")
        return redirect("trainers:t3-programme-edit", pk=programme.pk)


class T3ProgrammeEditView(CoordinatorMixin, FormView):
    """Change a programme and see, add and reorder its requirements."""

    template_name = "trainers/t3_programme_edit.html"
    form_class = T3ProgrammeForm

    @cached_property
    def programme(self) -> T3Programme:
        return get_object_or_404(T3Programme, pk=self.kwargs["pk"])

    def get_initial(self):
        return {
            "name": self.programme.name,
            "description": self.programme.description,
            "certification_months": self.programme.certification_months,
        }

    def form_valid(self, form):
        try:
            t3_programme_update(programme=self.programme, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "The programme is saved.")
        return redirect("trainers:t3-programme-edit", pk=self.programme.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            programme=self.programme,
            requirements=t3_requirement_list(programme=self.programme),
            requirement_form=T3RequirementForm(),
            **kwargs,
        )


class T3RequirementCreateView(CoordinatorMixin, FormView):
    """Add a requirement at the end of a programme."""

    template_name = "trainers/t3_requirement_form.html"
    form_class = T3RequirementForm

    @cached_property
    def programme(self) -> T3Programme:
        return get_object_or_404(T3Programme, pk=self.kwargs["pk"])

    def form_valid(self, form):
        try:
            t3_requirement_add(programme=self.programme, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "The requirement is added.")
        return redirect("trainers:t3-programme-edit", pk=self.programme.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(programme=self.programme, requirement=None, **kwargs)


class T3RequirementEditView(CoordinatorMixin, FormView):
    """Change a requirement's title or description."""

    template_name = "trainers/t3_requirement_form.html"
    form_class = T3RequirementForm

    @cached_property
    def requirement(self) -> T3Requirement:
        return get_object_or_404(
            T3Requirement.objects.select_related("programme"), pk=self.kwargs["pk"]
        )

    def get_initial(self):
        return {"title": self.requirement.title, "description": self.requirement.description}

    def form_valid(self, form):
        try:
            t3_requirement_update(requirement=self.requirement, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "The requirement is saved.")
        return redirect("trainers:t3-programme-edit", pk=self.requirement.programme_id)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            programme=self.requirement.programme, requirement=self.requirement, **kwargs
        )


class T3RequirementMoveView(CoordinatorMixin, View):
    """Move a requirement one place up or down its programme."""

    http_method_names = ["post"]

    def post(self, request, pk):
        requirement = get_object_or_404(T3Requirement, pk=pk)
        t3_requirement_move(requirement=requirement, up=request.POST.get("direction") == "up")
        return redirect("trainers:t3-programme-edit", pk=requirement.programme_id)
