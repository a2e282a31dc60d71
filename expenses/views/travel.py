"""Travel booked for trainers: a trainer's own requests and the form to ask, the coordinators'
list of open requests, one request's page, and booking, marking used and cancelling.

Every page about one request finds it through travel_request_get_for, so anyone but its trainer
and coordinators gets a 404 before anything else is decided; only then does a coordinator's
action refuse its trainer with a 403."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView, View

from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from expenses.forms import TravelBookForm, TravelRequestForm
from expenses.models import TravelRequest
from expenses.selectors import (
    travel_request_get_for,
    travel_request_list_for_coordinator,
    travel_request_list_for_trainer,
    travel_sessions_for_trainer,
)
from expenses.services import (
    travel_request_book,
    travel_request_cancel,
    travel_request_create,
    travel_request_mark_used,
)
from people.http import AuthenticatedHttpRequest
from people.models import Role
from trainers.models import Trainer
from trainers.selectors import trainer_get_own


class MyTravelListView(RoleRequiredMixin, ListView):
    """The signed-in trainer's travel requests and what was booked."""

    roles = (Role.TRAINER,)
    template_name = "expenses/travel_list_mine.html"
    context_object_name = "travel_requests"
    paginate_by = 50

    def get_queryset(self):
        trainer = trainer_get_own(user=self.request.user)
        return travel_request_list_for_trainer(trainer=trainer)


class TravelRequestCreateView(RoleRequiredMixin, FormView):
    """ "Book travel for me": a trainer asks for a journey to be booked and paid for them."""

    roles = (Role.TRAINER,)
    template_name = "expenses/travel_create.html"
    form_class = TravelRequestForm

    @cached_property
    def trainer(self) -> Trainer:
        return trainer_get_own(user=self.request.user)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "sessions": travel_sessions_for_trainer(trainer=self.trainer)
        }

    def form_valid(self, form):
        try:
            travel = travel_request_create(
                trainer=self.trainer, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, "Your request is sent. We will email you when your travel is booked."
        )
        return redirect("expenses:travel-detail", pk=travel.pk)


class TravelRequestListView(RoleRequiredMixin, ListView):
    """Coordinators: requests still to book or travel on, soonest first (or every request)."""

    roles = (Role.COORDINATOR,)
    template_name = "expenses/travel_list.html"
    context_object_name = "travel_requests"
    paginate_by = 50

    @cached_property
    def show_all(self) -> bool:
        return self.request.GET.get("show") == "all"

    def get_queryset(self):
        return travel_request_list_for_coordinator(open_only=not self.show_all)

    def get_context_data(self, **kwargs):
        return super().get_context_data(show_all=self.show_all, **kwargs)


class _TravelRequestMixin(LoginRequiredMixin):
    """Finds the request for its trainer or a coordinator (anyone else: 404); with
    `coordinators_only`, its trainer is then refused (403)."""

    coordinators_only = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.travel = travel_request_get_for(user=request.user, pk=kwargs["pk"])
        self.is_coordinator = request.user.has_role(Role.COORDINATOR)
        if self.coordinators_only and not self.is_coordinator:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            travel=self.travel,
            is_coordinator=self.is_coordinator,
            is_own=self.travel.trainer.user_id == self.request.user.pk,
            **kwargs,
        )


class TravelRequestDetailView(_TravelRequestMixin, TemplateView):
    """One request: the journey asked for and, once booked, the details."""

    template_name = "expenses/travel_detail.html"


class TravelBookView(_TravelRequestMixin, FormView):
    """A coordinator books requested travel and gives the trainer the details."""

    coordinators_only = True
    template_name = "expenses/travel_book.html"
    form_class = TravelBookForm

    def get(self, request, *args, **kwargs):
        if self.travel.status != TravelRequest.Status.REQUESTED:
            messages.info(request, "This travel is not waiting to be booked.")
            return redirect("expenses:travel-detail", pk=self.travel.pk)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            travel_request_book(travel=self.travel, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The travel is booked. The trainer has been emailed.")
        return redirect("expenses:travel-detail", pk=self.travel.pk)


class TravelUsedView(_TravelRequestMixin, View):
    """A coordinator records that booked travel was used (POST only)."""

    coordinators_only = True

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        try:
            travel_request_mark_used(travel=self.travel, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The travel is marked as used.")
        return redirect("expenses:travel-detail", pk=pk)


class TravelCancelView(_TravelRequestMixin, TemplateView):
    """Its trainer or a coordinator cancels travel still requested or booked, after a check."""

    template_name = "expenses/travel_cancel.html"

    def get(self, request, *args, **kwargs):
        if self.travel.status not in (TravelRequest.Status.REQUESTED, TravelRequest.Status.BOOKED):
            messages.info(request, "This travel can no longer be cancelled.")
            return redirect("expenses:travel-detail", pk=self.travel.pk)
        return super().get(request, *args, **kwargs)

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        try:
            travel_request_cancel(travel=self.travel, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The travel is cancelled.")
        return redirect("expenses:travel-detail", pk=pk)
