from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView, View

from core.clientaddress import client_address
from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from core.ratelimit import LOCAL, Limit, limit_take
from people.models import Role
from trainers.forms import (
    ApplicationFilterForm,
    ApplicationForm,
    ApplicationMoveForm,
    CertificationExpiryForm,
    CheckInForm,
    RoleDescriptionForm,
    SupportSessionForm,
    T3ProgrammeForm,
    T3ProgressForm,
    T3RequirementForm,
    TrainerAssignForm,
    TrainerFilterForm,
    TrainerProfileForm,
)
from trainers.models import (
    Application,
    Certification,
    Involvement,
    RoleDescription,
    T3Programme,
    T3Requirement,
    Trainer,
)
from trainers.pdf import render_role_description_pdf
from trainers.selectors import (
    EXPIRING_WITHIN_DAYS,
    STUCK_AFTER_DAYS,
    application_get,
    application_pipeline,
    certification_list_for_trainer,
    checkin_debrief_recipient,
    checkin_get_for,
    checkin_list_for,
    role_description_draft,
    role_description_get,
    role_description_list,
    role_description_public_get,
    role_description_published,
    support_session_get_for,
    support_session_list_for,
    t3_pipeline,
    t3_programme_list,
    t3_requirement_list,
    t3_steps_for_trainer,
    trainer_get_for_coordinator,
    trainer_get_own,
    trainer_get_private,
    trainer_get_supported,
    trainer_list_for_coordinator,
    trainer_profile_get,
    trainers_supported_by,
)
from trainers.services import (
    APPLICATION_NEXT_STEPS,
    application_delete,
    application_move,
    application_submit,
    application_welcome_resend,
    certification_expiry_update,
    checkin_record,
    role_description_create,
    role_description_draft_from,
    role_description_publish,
    role_description_update,
    support_session_record,
    t3_programme_create,
    t3_programme_update,
    t3_progress_record,
    t3_requirement_add,
    t3_requirement_move,
    t3_requirement_update,
    trainer_assign,
    trainer_profile_update,
    trainer_return,
    trainer_step_back,
)

# --- Role descriptions and recruitment ---
# The role description page, its PDF and the application form are public: no sign-in. Everything
# else here is for coordinators.


class RoleDescriptionPublicView(TemplateView):
    """The role description people apply under now, or a note that we are not recruiting."""

    template_name = "trainers/role_public.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(role_description=role_description_published(), **kwargs)


class RoleDescriptionPdfView(View):
    """A published or retired version as a PDF, for anyone who applied under it."""

    def get(self, request: HttpRequest, version: int) -> HttpResponse:
        role_description = role_description_public_get(version=version)
        response = HttpResponse(
            render_role_description_pdf(role_description), content_type="application/pdf"
        )
        filename = f"coproduce-trainer-role-description-version-{role_description.version}.pdf"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response


class RoleDescriptionListView(RoleRequiredMixin, ListView):
    """Every version of the role description, with the draft (if any) first."""

    roles = (Role.COORDINATOR,)
    template_name = "trainers/role_list.html"
    context_object_name = "role_descriptions"

    def get_queryset(self):
        return role_description_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["has_draft"] = any(
            rd.status == RoleDescription.Status.DRAFT for rd in context["role_descriptions"]
        )
        return context


class RoleDescriptionCreateView(RoleRequiredMixin, FormView):
    """Write a new draft from scratch."""

    roles = (Role.COORDINATOR,)
    template_name = "trainers/role_form.html"
    form_class = RoleDescriptionForm

    def get(self, request, *args, **kwargs):
        draft = role_description_draft()
        if draft is not None:
            messages.info(request, f"There is already a draft (version {draft.version}).")
            return redirect("trainers:role-edit", pk=draft.pk)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            role_description = role_description_create(**form.cleaned_data, by=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Draft version {role_description.version} saved.")
        return redirect("trainers:role-detail", pk=role_description.pk)


class RoleDescriptionDetailView(RoleRequiredMixin, TemplateView):
    """One version as coordinators see it, with what can be done with it."""

    roles = (Role.COORDINATOR,)
    template_name = "trainers/role_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            role_description=role_description_get(pk=self.kwargs["pk"]),
            draft=role_description_draft(),
            **kwargs,
        )


class RoleDescriptionEditView(RoleRequiredMixin, FormView):
    """Change the draft. A published or retired version is shown instead, never edited."""

    roles = (Role.COORDINATOR,)
    template_name = "trainers/role_form.html"
    form_class = RoleDescriptionForm

    @cached_property
    def role_description(self) -> RoleDescription:
        # Read only once the role check has passed, so nobody else learns which ids exist.
        return role_description_get(pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        if self.role_description.status != RoleDescription.Status.DRAFT:
            messages.info(
                request,
                f"Version {self.role_description.version} is "
                f"{self.role_description.get_status_display().lower()}, so it cannot be changed. "
                "Start a new draft from it instead.",
            )
            return redirect("trainers:role-detail", pk=self.role_description.pk)
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.role_description}

    def get_context_data(self, **kwargs):
        return super().get_context_data(role_description=self.role_description, **kwargs)

    def form_valid(self, form):
        try:
            role_description_update(
                role_description=self.role_description, **form.cleaned_data, by=self.request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Draft version {self.role_description.version} saved.")
        return redirect("trainers:role-detail", pk=self.role_description.pk)


class RoleDescriptionPublishView(RoleRequiredMixin, View):
    """Publish the draft; the version published until now is retired."""

    roles = (Role.COORDINATOR,)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            published = role_description_publish(
                role_description=role_description_get(pk=pk), by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("trainers:role-detail", pk=pk)
        messages.success(
            request, f"Version {published.version} is published. New applications use it."
        )
        return redirect("trainers:role-list")


class RoleDescriptionCopyView(RoleRequiredMixin, View):
    """Start a new draft copied from a published or retired version."""

    roles = (Role.COORDINATOR,)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            draft = role_description_draft_from(source=role_description_get(pk=pk), by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("trainers:role-detail", pk=pk)
        messages.success(request, f"Draft version {draft.version} started. Make your changes.")
        return redirect("trainers:role-edit", pk=draft.pk)


# The public form takes a few applications from one network address an hour (an open day's
# room sharing one address included) and a few a day for one email. When the cache is down the
# limits count in each worker's memory, so the form keeps working and the limits still hold.
APPLICATIONS_PER_ADDRESS = Limit(
    "application-address", allowed=5, window=60 * 60, when_unavailable=LOCAL
)
APPLICATIONS_PER_EMAIL = Limit(
    "application-email", allowed=3, window=24 * 60 * 60, when_unavailable=LOCAL
)
APPLICATIONS_PAUSED_HERE = (
    "A lot of forms have come from your network in the last hour, so we have paused them for a "
    "while. Please try again later; what you typed is still here."
)
APPLICATIONS_PAUSED_FOR_EMAIL = (
    "We have already had this form several times today for this email address. Please try "
    "again tomorrow, or contact us if something is wrong."
)


class ApplyView(FormView):
    """The public expression-of-interest form, against the published role description."""

    template_name = "trainers/apply.html"
    form_class = ApplicationForm

    @cached_property
    def role_description(self) -> RoleDescription | None:
        return role_description_published()

    def get_context_data(self, **kwargs):
        return super().get_context_data(role_description=self.role_description, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.role_description is None:
            return self.render_to_response(self.get_context_data())
        return super().post(request, *args, **kwargs)

    def _refused(self, form, message: str):
        form.add_error(None, message)
        return self.render_to_response(self.get_context_data(form=form), status=429)

    def form_valid(self, form):
        if form.is_from_a_bot:
            # The same answer as a real application, so a bot learns nothing; nothing is kept.
            return redirect("trainers:apply-thanks")
        if not limit_take(APPLICATIONS_PER_ADDRESS, client_address(self.request)):
            return self._refused(form, APPLICATIONS_PAUSED_HERE)
        if not limit_take(APPLICATIONS_PER_EMAIL, form.cleaned_data["email"].strip()):
            return self._refused(form, APPLICATIONS_PAUSED_FOR_EMAIL)
        try:
            application_submit(role_description=self.role_description, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect("trainers:apply-thanks")


class ApplyThanksView(TemplateView):
    template_name = "trainers/apply_thanks.html"


class ApplicationListView(RoleRequiredMixin, ListView):
    """The recruitment pipeline: how many at each step, and a list filtered by status and
    region."""

    roles = (Role.COORDINATOR,)
    template_name = "trainers/application_list.html"
    context_object_name = "applications"
    paginate_by = 50

    def get_queryset(self):
        self.form = ApplicationFilterForm(self.request.GET or None)
        if self.form.is_bound and not self.form.is_valid():
            # A filter that could not be read shows its errors, not an unfiltered list.
            self.pipeline = application_pipeline()
            return Application.objects.none()
        filters = self.form.cleaned_data if self.form.is_bound else {}
        self.pipeline = application_pipeline(**filters)
        return self.pipeline.applications

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, counts=self.pipeline.counts, **kwargs)


class ApplicationDetailView(RoleRequiredMixin, FormView):
    """An application, its history and the form that moves it on."""

    roles = (Role.COORDINATOR,)
    template_name = "trainers/application_detail.html"
    form_class = ApplicationMoveForm

    @cached_property
    def application(self) -> Application:
        return application_get(pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "application": self.application,
            "next_steps": APPLICATION_NEXT_STEPS[self.application.status],
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            application=self.application,
            involvement_labels=[Involvement(v).label for v in self.application.involvement],
            **kwargs,
        )

    def form_valid(self, form):
        try:
            application = application_move(
                application=self.application,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                conversation_at=form.cleaned_data.get("conversation_at"),
                by=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error, aliases={"conversation_at": "conversation_date"})
            return self.form_invalid(form)
        if form.cleaned_data["status"] == Application.Status.ACCEPTED:
            messages.success(
                self.request,
                f"{application.full_name} is now a trainer. We have emailed them a link to "
                "choose a password.",
            )
        elif form.cleaned_data["status"]:
            messages.success(self.request, f"Moved to “{application.get_status_display()}”.")
        else:
            messages.success(self.request, "Note added.")
        return redirect("trainers:application-detail", pk=application.pk)


class ApplicationWelcomeResendView(RoleRequiredMixin, View):
    """Send an accepted trainer a fresh set-password link."""

    roles = (Role.COORDINATOR,)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            application_welcome_resend(application=application_get(pk=pk), by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "We have emailed a new link to choose a password.")
        return redirect("trainers:application-detail", pk=pk)


class ApplicationDeleteView(RoleRequiredMixin, TemplateView):
    """Delete an application and its history, after a confirmation page."""

    roles = (Role.COORDINATOR,)
    template_name = "trainers/application_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(application=application_get(pk=self.kwargs["pk"]), **kwargs)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        application_delete(application=application_get(pk=pk), by=request.user)
        messages.success(request, "The application and its history are deleted.")
        return redirect("trainers:application-list")


# --- Trainer profiles and Train the Trainer ---


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


# --- Support, wellbeing and privacy ---
# These pages are for the trainer and their named supporter only (DESIGN.md §4). The selectors
# return nothing to anyone else, so other trainers, coordinators, managers and admins get a 404:
# the page does not admit that the trainer's notes, check-ins or support sessions exist.


class PrivateDetailView(LoginRequiredMixin, TemplateView):
    """A trainer's lived-experience notes and boundaries, with links to check-ins and support."""

    template_name = "trainers/private_detail.html"

    def get_context_data(self, **kwargs):
        trainer = trainer_get_private(user=self.request.user, pk=self.kwargs["pk"])
        is_own = trainer.user_id == self.request.user.pk
        return super().get_context_data(trainer=trainer, is_own=is_own, **kwargs)


class _PrivateListView(LoginRequiredMixin, ListView):
    paginate_by = 50

    def get_trainer(self) -> Trainer:
        return trainer_get_private(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        is_own = self.trainer.user_id == self.request.user.pk
        return super().get_context_data(trainer=self.trainer, is_own=is_own, **kwargs)


class CheckInListView(_PrivateListView):
    """A trainer's wellbeing check-ins, for them and their supporter."""

    template_name = "trainers/checkin_list.html"
    context_object_name = "check_ins"

    def get_queryset(self):
        self.trainer = self.get_trainer()
        return checkin_list_for(user=self.request.user, trainer=self.trainer)


class MyCheckInListView(RoleRequiredMixin, CheckInListView):
    """The signed-in trainer's own check-ins."""

    roles = (Role.TRAINER,)

    def get_trainer(self) -> Trainer:
        return trainer_get_own(user=self.request.user)


class CheckInCreateView(RoleRequiredMixin, FormView):
    """A trainer records how they feel, and may ask their supporter for a debrief."""

    roles = (Role.TRAINER,)
    template_name = "trainers/checkin_create.html"
    form_class = CheckInForm

    @cached_property
    def trainer(self) -> Trainer:
        return trainer_get_own(user=self.request.user)

    def get_context_data(self, **kwargs):
        supporter = checkin_debrief_recipient(trainer=self.trainer)
        return super().get_context_data(trainer=self.trainer, supporter=supporter, **kwargs)

    def form_valid(self, form):
        try:
            check_in = checkin_record(
                trainer=self.trainer, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        supporter = checkin_debrief_recipient(trainer=self.trainer)
        if not check_in.wants_debrief:
            messages.success(self.request, "Your check-in is saved.")
        elif supporter is not None:
            messages.success(
                self.request,
                f"Your check-in is saved. We have emailed {supporter} to say you would like a "
                "debrief.",
            )
        else:
            messages.warning(
                self.request,
                "Your check-in is saved, but you do not have a named supporter yet, so nobody has "
                "been told that you would like a debrief. Please contact your coordinator.",
            )
        return redirect("trainers:checkin-detail", pk=check_in.pk)


class CheckInDetailView(LoginRequiredMixin, TemplateView):
    """One check-in, for the trainer and their supporter."""

    template_name = "trainers/checkin_detail.html"

    def get_context_data(self, **kwargs):
        check_in = checkin_get_for(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(
            check_in=check_in,
            trainer=check_in.trainer,
            is_own=check_in.trainer.user_id == self.request.user.pk,
            supporter=checkin_debrief_recipient(trainer=check_in.trainer),
            **kwargs,
        )


class SupportSessionListView(_PrivateListView):
    """A trainer's support and supervision sessions, for them and their supporter."""

    template_name = "trainers/support_list.html"
    context_object_name = "support_sessions"

    def get_queryset(self):
        self.trainer = self.get_trainer()
        return support_session_list_for(user=self.request.user, trainer=self.trainer)


class MySupportSessionListView(RoleRequiredMixin, SupportSessionListView):
    """The signed-in trainer's own support and supervision sessions."""

    roles = (Role.TRAINER,)

    def get_trainer(self) -> Trainer:
        return trainer_get_own(user=self.request.user)


class SupportSessionCreateView(LoginRequiredMixin, FormView):
    """A trainer's named supporter records a support or supervision session with them."""

    template_name = "trainers/support_create.html"
    form_class = SupportSessionForm

    @cached_property
    def trainer(self) -> Trainer:
        return trainer_get_supported(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(trainer=self.trainer, **kwargs)

    def form_valid(self, form):
        try:
            session = support_session_record(
                trainer=self.trainer, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "The support session is saved.")
        return redirect("trainers:support-detail", pk=session.pk)


class SupportSessionDetailView(LoginRequiredMixin, TemplateView):
    """One support or supervision session, for the trainer and their supporter."""

    template_name = "trainers/support_detail.html"

    def get_context_data(self, **kwargs):
        session = support_session_get_for(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(
            support_session=session,
            trainer=session.trainer,
            is_own=session.trainer.user_id == self.request.user.pk,
            **kwargs,
        )


class SupportingListView(LoginRequiredMixin, ListView):
    """The trainers this person is the named supporter of, with any debrief they asked for."""

    template_name = "trainers/supporting_list.html"
    context_object_name = "trainers"

    def get_queryset(self):
        return trainers_supported_by(user=self.request.user)
