"""A trainer's own claims: "My expenses", starting a claim (for a session or other approved
activity), the claim page with its items, receipts and timeline, changing and removing items,
submitting after seeing the total, discarding a draft, and downloading a receipt.

Every page is for trainers; a claim, item or receipt is fetched through a selector that returns
only the signed-in trainer's own, so another trainer gets a 404. Receipts are also open to
coordinators, who decide on claims, once the claim is submitted: a draft's are a 404 to them.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView, View

from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from core.uploads import private_file_response
from expenses.forms import ClaimStartForm, ItemForm
from expenses.models import Claim, Item
from expenses.selectors import (
    ClaimPage,
    claim_get_for_trainer,
    claim_list_for_trainer,
    claim_page,
    claim_session_get_for_trainer,
    claim_sessions_for_trainer,
    claim_start_refused_reason,
    claim_submit_check,
    item_get_for_trainer,
    mileage_rates_in_force,
    receipt_get_for,
    receipt_get_for_trainer,
)
from expenses.services import (
    claim_discard,
    claim_start,
    claim_submit,
    item_add,
    item_change,
    item_remove,
    receipt_remove,
)
from people.http import AuthenticatedHttpRequest
from people.models import Role
from trainers.models import Trainer
from trainers.selectors import trainer_get_own

READ_ONLY = "This claim has been submitted, so it can no longer be changed."


class TrainerMixin(RoleRequiredMixin):
    """Pages about the signed-in trainer's own claims; without a trainer profile, a 404."""

    roles = (Role.TRAINER,)
    # Set by the view this mixin is used with (View.setup).
    request: HttpRequest

    @cached_property
    def trainer(self) -> Trainer:
        return trainer_get_own(user=self.request.user)


class ClaimMixin(TrainerMixin):
    kwargs: dict

    @cached_property
    def claim(self) -> Claim:
        return claim_get_for_trainer(user=self.request.user, pk=self.kwargs["pk"])


class ClaimListView(TrainerMixin, ListView):
    """ "My expenses": each claim with what it is for, its status, total and date."""

    template_name = "expenses/claim_list.html"
    context_object_name = "claims"
    paginate_by = 25

    def get_queryset(self):
        return claim_list_for_trainer(trainer=self.trainer)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            refused_reason=claim_start_refused_reason(trainer=self.trainer), **kwargs
        )


class ClaimCreateView(TrainerMixin, FormView):
    """A new claim: for a session the trainer was on, or other approved activity."""

    template_name = "expenses/claim_create.html"
    form_class = ClaimStartForm

    def get_form_kwargs(self):
        sessions = claim_sessions_for_trainer(trainer=self.trainer)
        return super().get_form_kwargs() | {"sessions": sessions}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            refused_reason=claim_start_refused_reason(trainer=self.trainer), **kwargs
        )

    def form_valid(self, form):
        try:
            claim = claim_start(trainer=self.trainer, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect("expenses:claim-detail", pk=claim.pk)


class ClaimStartView(TrainerMixin, View):
    """ "Claim expenses for this session", from My sessions or the delivery report: opens the
    session's draft (or the one already open) and goes to it."""

    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
        session = claim_session_get_for_trainer(trainer=self.trainer, pk=session_id)
        try:
            claim = claim_start(
                trainer=self.trainer, activity=Claim.Activity.SESSION, session=session
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("expenses:claim-list")
        return redirect("expenses:claim-detail", pk=claim.pk)


class ClaimDetailView(ClaimMixin, FormView):
    """The claim: its items and total, the timeline, and while it can change, a form to add an
    expense."""

    template_name = "expenses/claim_detail.html"
    form_class = ItemForm

    @cached_property
    def page(self) -> ClaimPage:
        return claim_page(claim=self.claim)

    def get_initial(self):
        # The session's day, if it has been, is the likeliest date of an expense.
        session, today = self.claim.session, timezone.localdate()
        day = timezone.localtime(session.starts_at).date() if session else today
        return {"spent_on": min(day, today)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(page=self.page, claim=self.claim, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.page.editable:
            messages.error(request, READ_ONLY)
            return redirect("expenses:claim-detail", pk=self.claim.pk)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            item = item_add(claim=self.claim, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{item.get_kind_display()} of £{item.amount} added.")
        return redirect("expenses:claim-detail", pk=self.claim.pk)


class ClaimSubmitView(ClaimMixin, TemplateView):
    """Submitting: the trainer sees the total, and any earnings warning, before they send it."""

    template_name = "expenses/claim_submit.html"

    def get(self, request, *args, **kwargs):
        page = claim_page(claim=self.claim)
        if not page.editable:
            return redirect("expenses:claim-detail", pk=self.claim.pk)
        return self.render_to_response(
            self.get_context_data(
                page=page,
                claim=self.claim,
                earnings=claim_submit_check(claim=self.claim, total=page.total),
            )
        )

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        try:
            claim = claim_submit(claim=self.claim, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, "Your claim is submitted. We will email you when a coordinator decides."
            )
            return redirect("expenses:claim-detail", pk=claim.pk)
        return redirect("expenses:claim-detail", pk=pk)


class ClaimDiscardView(ClaimMixin, TemplateView):
    """Throwing away a draft, after a check."""

    template_name = "expenses/claim_discard.html"

    def get(self, request, *args, **kwargs):
        if self.claim.status != Claim.Status.DRAFT:
            return redirect("expenses:claim-detail", pk=self.claim.pk)
        return self.render_to_response(self.get_context_data(claim=self.claim))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        try:
            claim_discard(claim=self.claim, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("expenses:claim-detail", pk=pk)
        messages.success(request, "The draft claim is discarded.")
        return redirect("expenses:claim-list")


class ItemMixin(TrainerMixin):
    kwargs: dict

    @cached_property
    def item(self) -> Item:
        return item_get_for_trainer(user=self.request.user, pk=self.kwargs["pk"])

    def read_only(self) -> HttpResponse | None:
        """Back to the claim, saying why, when it can no longer change."""
        if self.item.claim.status in (Claim.Status.DRAFT, Claim.Status.RETURNED):
            return None
        messages.error(self.request, READ_ONLY)
        return redirect("expenses:claim-detail", pk=self.item.claim_id)


class ItemEditView(ItemMixin, FormView):
    """Correct an expense and add receipts to it, or remove one of its receipts."""

    template_name = "expenses/item_edit.html"
    form_class = ItemForm

    def get(self, request, *args, **kwargs):
        return self.read_only() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.read_only() or super().post(request, *args, **kwargs)

    def get_initial(self):
        return ItemForm.initial_for(self.item)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            item=self.item,
            claim=self.item.claim,
            rates=mileage_rates_in_force(day=timezone.localdate()),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            item_change(item=self.item, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The expense is saved.")
        return redirect("expenses:claim-detail", pk=self.item.claim_id)


class ItemRemoveView(ItemMixin, TemplateView):
    """Take an expense off the claim, after a check."""

    template_name = "expenses/item_remove.html"

    def get(self, request, *args, **kwargs):
        return self.read_only() or self.render_to_response(self.get_context_data(item=self.item))

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        try:
            item_remove(item=self.item, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The expense is removed.")
        return redirect("expenses:claim-detail", pk=self.item.claim_id)


class ReceiptView(RoleRequiredMixin, View):
    """A receipt, downloaded: for the trainer whose claim it is, or a coordinator once the claim
    is submitted."""

    roles = (Role.TRAINER, Role.COORDINATOR)

    def get(self, request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
        receipt = receipt_get_for(user=request.user, pk=pk)
        return private_file_response(receipt.file, download_name=receipt.original_name)


class ReceiptRemoveView(TrainerMixin, View):
    http_method_names = ["post"]

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        receipt = receipt_get_for_trainer(user=request.user, pk=pk)
        try:
            receipt_remove(receipt=receipt, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("expenses:claim-detail", pk=receipt.item.claim_id)
        messages.success(request, f"The receipt {receipt.original_name} is removed.")
        return redirect("expenses:item-edit", pk=receipt.item_id)
