"""Support, wellbeing and privacy: a trainer's private page, wellbeing check-ins and support
sessions, and the list of trainers someone supports."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView

from core.permissions import RoleRequiredMixin
from people.models import Role
from trainers.forms import CheckInForm, SupportSessionForm
from trainers.models import Trainer
from trainers.selectors import (
    checkin_debrief_recipient,
    checkin_get_for,
    checkin_list_for,
    support_session_get_for,
    support_session_list_for,
    trainer_get_own,
    trainer_get_private,
    trainer_get_supported,
    trainers_supported_by,
)
from trainers.services import checkin_record, support_session_record

# These pages are for the trainer and their named supporter only (docs/domain.md#privacy). The
# selectors return nothing to anyone else, so other trainers, coordinators, managers and admins get
# a 404: the page does not admit that the trainer's notes, check-ins or support sessions exist.


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
