"""Role descriptions and recruitment: the public role description, its PDF and the application
form, and the coordinators' pages for role descriptions and applications."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView, View

from core.clientaddress import client_address
from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from core.ratelimit import LOCAL, Limit, limit_take
from people.http import AuthenticatedHttpRequest
from people.models import Role
from trainers.forms import (
    ApplicationFilterForm,
    ApplicationForm,
    ApplicationMoveForm,
    RoleDescriptionForm,
)
from trainers.models import Application, Involvement, RoleDescription
from trainers.pdf import render_role_description_pdf
from trainers.selectors import (
    application_get,
    application_pipeline,
    role_description_draft,
    role_description_get,
    role_description_list,
    role_description_public_get,
    role_description_published,
)
from trainers.services import (
    APPLICATION_NEXT_STEPS,
    application_delete,
    application_move,
    application_submit,
    application_welcome_resend,
    role_description_create,
    role_description_draft_from,
    role_description_publish,
    role_description_update,
)

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

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        application_delete(application=application_get(pk=pk), by=request.user)
        messages.success(request, "The application and its history are deleted.")
        return redirect("trainers:application-list")
