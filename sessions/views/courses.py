"""Courses, their versions, learning outcomes and activities: the coordinators' pages
for writing a course and moving a version from draft to pilot to published, and the handbook PDF
(also for trainers)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views.generic import FormView, ListView, TemplateView, View

from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from people.models import Role
from sessions.forms import ActivityForm, CourseCreateForm, CourseVersionForm, LearningOutcomeForm
from sessions.models import Activity, CourseVersion, LearningOutcome
from sessions.pdf import render_handbook_pdf
from sessions.selectors import (
    activity_get,
    course_list,
    course_version_get,
    course_version_problems,
    course_versions_of,
    outcome_get,
)
from sessions.services import (
    activity_add,
    activity_move,
    activity_remove,
    activity_update,
    course_create,
    course_version_copy,
    course_version_pilot,
    course_version_publish,
    course_version_update,
    outcome_add,
    outcome_move,
    outcome_remove,
    outcome_update,
)

# Coordinators maintain courses and venues. The handbook PDF is also for trainers.


class CourseCoordinatorMixin(RoleRequiredMixin):
    roles = (Role.COORDINATOR,)


class CourseListView(CourseCoordinatorMixin, ListView):
    """Every course, with its newest version and the version published now."""

    template_name = "sessions/course_list.html"
    context_object_name = "courses"
    paginate_by = 50

    def get_queryset(self):
        return course_list()


class CourseCreateView(CourseCoordinatorMixin, FormView):
    """A new course and its first version, a draft."""

    template_name = "sessions/course_create.html"
    form_class = CourseCreateForm

    def form_valid(self, form):
        try:
            version = course_create(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"“{version.course}” is created with a draft version 1. Add its learning outcomes "
            "and activities.",
        )
        return redirect("sessions:course-version-detail", pk=version.pk)


class CourseVersionDetailView(CourseCoordinatorMixin, TemplateView):
    """A version of a course as its handbook reads, with what can be done with it."""

    template_name = "sessions/course_version_detail.html"

    def get_context_data(self, **kwargs):
        version = course_version_get(pk=self.kwargs["pk"])
        return super().get_context_data(
            version=version,
            course=version.course,
            is_draft=version.status == CourseVersion.Status.DRAFT,
            problems=course_version_problems(version),
            versions=course_versions_of(course=version.course),
            **kwargs,
        )


class _DraftOnlyMixin:
    """Pages that change a version: a pilot or published one is shown instead, never edited."""

    def version_of_page(self) -> CourseVersion:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        version = self.version_of_page()
        if version.status != CourseVersion.Status.DRAFT:
            messages.info(
                request,
                f"Version {version.number} is {version.get_status_display().lower()}, so it "
                "cannot be changed. Start a new version from it instead.",
            )
            return redirect("sessions:course-version-detail", pk=version.pk)
        return super().get(request, *args, **kwargs)


class CourseVersionEditView(CourseCoordinatorMixin, _DraftOnlyMixin, FormView):
    """Change a draft's aims, support guidance, role description and co-designers."""

    template_name = "sessions/course_version_form.html"
    form_class = CourseVersionForm

    @cached_property
    def version(self) -> CourseVersion:
        return course_version_get(pk=self.kwargs["pk"])

    def version_of_page(self) -> CourseVersion:
        return self.version

    def get_initial(self):
        return CourseVersionForm.initial_for(self.version)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"version": self.version}

    def get_context_data(self, **kwargs):
        return super().get_context_data(version=self.version, **kwargs)

    def form_valid(self, form):
        try:
            course_version_update(version=self.version, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Draft version {self.version.number} saved.")
        return redirect("sessions:course-version-detail", pk=self.version.pk)


class _CourseVersionActionView(CourseCoordinatorMixin, View):
    http_method_names = ["post"]

    def act(self, version: CourseVersion) -> CourseVersion:
        raise NotImplementedError

    def done(self, version: CourseVersion) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            version = self.act(get_object_or_404(CourseVersion, pk=pk))
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect("sessions:course-version-detail", pk=pk)
        messages.success(request, self.done(version))
        return redirect("sessions:course-version-detail", pk=version.pk)


class CourseVersionPilotView(_CourseVersionActionView):
    """Move a draft to pilot."""

    def act(self, version):
        return course_version_pilot(version=version, by=self.request.user)

    def done(self, version):
        return f"Version {version.number} is now a pilot. It can no longer be changed."


class CourseVersionPublishView(_CourseVersionActionView):
    """Publish a draft or pilot version."""

    def act(self, version):
        return course_version_publish(version=version, by=self.request.user)

    def done(self, version):
        return (
            f"Version {version.number} is published. Sessions already scheduled keep the "
            "version they were scheduled with."
        )


class CourseVersionCopyView(_CourseVersionActionView):
    """Start a new draft version copied from a pilot or published one."""

    def act(self, version):
        return course_version_copy(version=version)

    def done(self, version):
        return f"Draft version {version.number} started, copied from the version before."


class CourseHandbookView(RoleRequiredMixin, View):
    """A version's handbook as a PDF, for coordinators and trainers."""

    roles = (Role.COORDINATOR, Role.TRAINER)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = course_version_get(pk=pk)
        response = HttpResponse(render_handbook_pdf(version), content_type="application/pdf")
        name = slugify(version.course.title) or "course"
        filename = f"handbook-{name}-version-{version.number}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class OutcomeCreateView(CourseCoordinatorMixin, _DraftOnlyMixin, FormView):
    """Add a learning outcome at the end of a draft."""

    template_name = "sessions/course_outcome_form.html"
    form_class = LearningOutcomeForm

    @cached_property
    def version(self) -> CourseVersion:
        return get_object_or_404(
            CourseVersion.objects.select_related("course"), pk=self.kwargs["pk"]
        )

    def version_of_page(self) -> CourseVersion:
        return self.version

    def get_context_data(self, **kwargs):
        return super().get_context_data(version=self.version, outcome=None, **kwargs)

    def form_valid(self, form):
        try:
            outcome_add(version=self.version, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The learning outcome is added. Now add its activities.")
        return redirect("sessions:course-version-detail", pk=self.version.pk)


class OutcomeEditView(CourseCoordinatorMixin, _DraftOnlyMixin, FormView):
    """Change a learning outcome's wording."""

    template_name = "sessions/course_outcome_form.html"
    form_class = LearningOutcomeForm

    @cached_property
    def outcome(self) -> LearningOutcome:
        return outcome_get(pk=self.kwargs["pk"])

    def version_of_page(self) -> CourseVersion:
        return self.outcome.version

    def get_initial(self):
        return {"text": self.outcome.text}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            version=self.outcome.version, outcome=self.outcome, **kwargs
        )

    def form_valid(self, form):
        try:
            outcome_update(outcome=self.outcome, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The learning outcome is saved.")
        return redirect("sessions:course-version-detail", pk=self.outcome.version_id)


class OutcomeDeleteView(CourseCoordinatorMixin, _DraftOnlyMixin, TemplateView):
    """Remove a learning outcome and its activities, after a confirmation page."""

    template_name = "sessions/course_outcome_delete.html"

    @cached_property
    def outcome(self) -> LearningOutcome:
        return outcome_get(pk=self.kwargs["pk"])

    def version_of_page(self) -> CourseVersion:
        return self.outcome.version

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            outcome=self.outcome, version=self.outcome.version, **kwargs
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            outcome_remove(outcome=self.outcome)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The learning outcome and its activities are removed.")
        return redirect("sessions:course-version-detail", pk=self.outcome.version_id)


class OutcomeMoveView(CourseCoordinatorMixin, View):
    """Move a learning outcome one place up or down."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        outcome = outcome_get(pk=pk)
        try:
            outcome_move(outcome=outcome, up=request.POST.get("direction") == "up")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(
            reverse("sessions:course-version-detail", kwargs={"pk": outcome.version_id})
            + f"#outcome-{outcome.pk}"
        )


class ActivityCreateView(CourseCoordinatorMixin, _DraftOnlyMixin, FormView):
    """Add an activity to a learning outcome's choices."""

    template_name = "sessions/course_activity_form.html"
    form_class = ActivityForm

    @cached_property
    def outcome(self) -> LearningOutcome:
        return outcome_get(pk=self.kwargs["pk"])

    def version_of_page(self) -> CourseVersion:
        return self.outcome.version

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            outcome=self.outcome, version=self.outcome.version, activity=None, **kwargs
        )

    def form_valid(self, form):
        try:
            activity_add(outcome=self.outcome, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The activity is added.")
        return redirect(
            reverse("sessions:course-version-detail", kwargs={"pk": self.outcome.version_id})
            + f"#outcome-{self.outcome.pk}"
        )


class ActivityEditView(CourseCoordinatorMixin, _DraftOnlyMixin, FormView):
    """Change an activity."""

    template_name = "sessions/course_activity_form.html"
    form_class = ActivityForm

    @cached_property
    def activity(self) -> Activity:
        return activity_get(pk=self.kwargs["pk"])

    def version_of_page(self) -> CourseVersion:
        return self.activity.outcome.version

    def get_initial(self):
        return ActivityForm.initial_for(self.activity)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            outcome=self.activity.outcome,
            version=self.activity.outcome.version,
            activity=self.activity,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            activity_update(activity=self.activity, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The activity is saved.")
        return redirect(
            reverse(
                "sessions:course-version-detail",
                kwargs={"pk": self.activity.outcome.version_id},
            )
            + f"#activity-{self.activity.pk}"
        )


class ActivityDeleteView(CourseCoordinatorMixin, _DraftOnlyMixin, TemplateView):
    """Remove an activity, after a confirmation page."""

    template_name = "sessions/course_activity_delete.html"

    @cached_property
    def activity(self) -> Activity:
        return activity_get(pk=self.kwargs["pk"])

    def version_of_page(self) -> CourseVersion:
        return self.activity.outcome.version

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            activity=self.activity, version=self.activity.outcome.version, **kwargs
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            activity_remove(activity=self.activity)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"The activity “{self.activity.title}” is removed.")
        return redirect(
            reverse(
                "sessions:course-version-detail",
                kwargs={"pk": self.activity.outcome.version_id},
            )
            + f"#outcome-{self.activity.outcome_id}"
        )


class ActivityMoveView(CourseCoordinatorMixin, View):
    """Move an activity one place up or down its outcome's choices."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        activity = activity_get(pk=pk)
        try:
            activity_move(activity=activity, up=request.POST.get("direction") == "up")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(
            reverse("sessions:course-version-detail", kwargs={"pk": activity.outcome.version_id})
            + f"#activity-{activity.pk}"
        )
