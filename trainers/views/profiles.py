"""Trainer profiles: a trainer's own profile, stepping back and coming back; the coordinators'
list of trainers and a trainer's page, where they name a supporter and a programme."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView, View

from core.permissions import RoleRequiredMixin
from people.models import Role
from trainers.forms import (
    CertificationExpiryForm,
    T3ProgressForm,
    TrainerAssignForm,
    TrainerFilterForm,
    TrainerProfileForm,
)
from trainers.models import Involvement, T3Requirement, Trainer
from trainers.selectors import (
    certification_list_for_trainer,
    t3_steps_for_trainer,
    trainer_get_for_coordinator,
    trainer_list_for_coordinator,
    trainer_profile_get,
)
from trainers.services import (
    trainer_assign,
    trainer_profile_update,
    trainer_return,
    trainer_step_back,
)


class OwnTrainerMixin(LoginRequiredMixin):
    """Pages about the signed-in trainer themselves; anyone without a trainer profile gets 404."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.trainer = trainer_profile_get(user=request.user)
        return super().dispatch(request, *args, **kwargs)


class CoordinatorMixin(RoleRequiredMixin):
    roles = (Role.COORDINATOR,)


class ProfileEditView(OwnTrainerMixin, FormView):
    """A trainer keeps their own preferences, boundaries and payment choice."""

    template_name = "trainers/profile_edit.html"
    form_class = TrainerProfileForm

    def get_initial(self):
        return TrainerProfileForm.initial_for(self.trainer)

    def form_valid(self, form):
        try:
            trainer_profile_update(trainer=self.trainer, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your profile is saved.")
        return redirect("trainers:my-profile")

    def get_context_data(self, **kwargs):
        return super().get_context_data(trainer=self.trainer, **kwargs)


class StepBackView(OwnTrainerMixin, View):
    """One click: the trainer steps back for now, without giving a reason."""

    http_method_names = ["post"]

    def post(self, request):
        try:
            trainer_step_back(trainer=self.trainer)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                "You are stepping back for now. You will not be invited to anything new until you "
                "say you are ready to come back.",
            )
        return redirect("trainers:my-profile")


class ReturnView(OwnTrainerMixin, View):
    """The trainer is ready to come back after stepping back."""

    http_method_names = ["post"]

    def post(self, request):
        trainer = trainer_return(trainer=self.trainer)
        if trainer.status == Trainer.Status.ACTIVE:
            messages.success(
                request, "Welcome back. Coordinators can invite you to sessions again."
            )
        else:
            messages.success(request, "Welcome back.")
        return redirect("trainers:my-profile")


class TrainerListView(CoordinatorMixin, ListView):
    """Every trainer, filterable by status and region; never their private answers."""

    template_name = "trainers/trainer_list.html"
    context_object_name = "trainers"
    paginate_by = 50

    def get_queryset(self):
        self.form = TrainerFilterForm(self.request.GET or None)
        if self.form.is_bound and not self.form.is_valid():
            return Trainer.objects.none()
        filters = self.form.cleaned_data if self.form.is_bound else {}
        return trainer_list_for_coordinator(
            status=filters.get("status") or None, region=filters.get("region")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, today=timezone.localdate(), **kwargs)


class TrainerDetailView(CoordinatorMixin, TemplateView):
    """A trainer's page for coordinators: profile without private answers, supporter, T3."""

    template_name = "trainers/trainer_detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.bound_forms = {}
        return super().dispatch(request, *args, **kwargs)

    def get_trainer(self) -> Trainer:
        if not hasattr(self, "trainer"):
            self.trainer = trainer_get_for_coordinator(pk=self.kwargs["pk"])
        return self.trainer

    def get_context_data(self, **kwargs):
        trainer = self.get_trainer()
        steps = t3_steps_for_trainer(trainer=trainer)
        unmet = [step.requirement.pk for step in steps if step.progress is None]
        certifications = certification_list_for_trainer(trainer=trainer)
        current = certifications[0] if certifications else None
        forms = {
            "assign_form": TrainerAssignForm(
                initial={"supporter": trainer.supporter_id, "programme": trainer.programme_id}
            ),
            "progress_form": T3ProgressForm(
                requirements=T3Requirement.objects.filter(pk__in=unmet).order_by("order", "pk")
            ),
            "expiry_form": CertificationExpiryForm(certification=current) if current else None,
        } | self.bound_forms
        return super().get_context_data(
            trainer=trainer,
            involvement_labels=[Involvement(value).label for value in trainer.involvement],
            steps=steps,
            met=len(steps) - len(unmet),
            certifications=certifications,
            current_certification=current,
            today=timezone.localdate(),
            **forms,
            **kwargs,
        )

    def show_errors(self, **bound_forms):
        self.bound_forms = bound_forms
        return self.render_to_response(self.get_context_data())


class TrainerAssignView(TrainerDetailView):
    """Set the trainer's named supporter and T3 programme."""

    http_method_names = ["post"]

    def post(self, request, pk):
        trainer = self.get_trainer()
        form = TrainerAssignForm(request.POST)
        if form.is_valid():
            try:
                trainer_assign(trainer=trainer, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
        if not form.is_valid():
            return self.show_errors(assign_form=form)
        messages.success(request, "The supporter and programme are saved.")
        return redirect("trainers:trainer-detail", pk=trainer.pk)
