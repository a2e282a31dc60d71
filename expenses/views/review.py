"""Coordinators: the claim queue with its bulk actions, a claim's page (deciding, paying, its
receipts), mileage rates, the finance file and the totals. Coordinators only, but the totals,
which managers read too. A draft is the trainer's own business: its page is a 404."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView, View

from audit.exports import csv_response
from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from core.uploads import private_file_response
from expenses.forms import (
    BulkForm,
    DateRangeForm,
    DecisionForm,
    FinanceFilterForm,
    MileageRateForm,
    PaymentForm,
    QueueFilterForm,
)
from expenses.models import Claim, MileageRate
from expenses.selectors import (
    FINANCE_HEADER,
    claim_get_for_coordinator,
    claim_queue_for_coordinator,
    days_since,
    earnings_check,
    expense_totals,
    finance_rows,
    receipt_get_for_coordinator,
)
from expenses.services import (
    ClaimOutcome,
    claim_decide,
    claim_pay,
    claims_approve,
    claims_pay,
    mileage_rate_add,
)
from people.http import AuthenticatedHttpRequest
from people.models import Role, User


class CoordinatorMixin(RoleRequiredMixin):
    roles = (Role.COORDINATOR,)


class ClaimQueueView(CoordinatorMixin, ListView):
    """Submitted claims oldest first (or approved ones not yet paid), filtered by region and
    trainer; several can be approved or marked paid at once."""

    template_name = "expenses/review_queue.html"
    context_object_name = "claims"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = QueueFilterForm(self.request.GET or None)
        self.status = Claim.Status.SUBMITTED
        if self.filter_form.is_bound and not self.filter_form.is_valid():
            return Claim.objects.none()
        filters = self.filter_form.cleaned_data if self.filter_form.is_bound else {}
        if self.filter_form.is_bound:
            self.status = self.filter_form.status()
        return claim_queue_for_coordinator(
            status=self.status, region=filters.get("region"), trainer=filters.get("trainer")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for claim in context["claims"]:
            claim.age_days = days_since(claim.submitted_at)
        bulk = kwargs.get("bulk") or BulkForm(initial={"paid_on": timezone.localdate()})
        chosen = {str(value) for value in bulk["claims"].value() or []}
        return context | {
            "filter_form": self.filter_form,
            "status": self.status,
            "bulk": bulk,
            "chosen": chosen,
        }

    def post(self, request: AuthenticatedHttpRequest, *args, **kwargs) -> HttpResponse:
        bulk = BulkForm(request.POST)
        if bulk.is_valid():
            try:
                outcomes = self._act(bulk.cleaned_data, by=request.user)
            except ValidationError as error:
                add_service_errors(bulk, error)
            else:
                self._report(outcomes, bulk.cleaned_data["action"])
                return redirect(request.get_full_path())
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(bulk=bulk))

    def _act(self, data: dict, *, by: User) -> list[ClaimOutcome]:
        claims = data["claims"].order_by("submitted_at", "pk")
        if data["action"] == BulkForm.APPROVE:
            return claims_approve(claims=claims, by=by)
        return claims_pay(
            claims=claims,
            by=by,
            paid_on=data["paid_on"],
            reference=data["reference"],
        )

    def _report(self, outcomes: list[ClaimOutcome], action: str) -> None:
        done = [f"claim {o.claim.pk}" for o in outcomes if not o.refused]
        if done:
            verb = "Approved" if action == BulkForm.APPROVE else "Marked paid"
            messages.success(self.request, f"{verb}: {', '.join(done)}.")
        for outcome in outcomes:
            if outcome.refused:
                messages.error(
                    self.request, f"Claim {outcome.claim.pk} was not changed: {outcome.refused}"
                )


class ClaimReviewView(CoordinatorMixin, TemplateView):
    """A claim's page: who, what for, items, receipts, total, timeline, the earnings warning,
    and the forms to decide or record payment."""

    template_name = "expenses/review_claim.html"

    @cached_property
    def claim(self) -> Claim:
        return claim_get_for_coordinator(pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        claim = self.claim
        items = list(claim.items.all())
        total = sum((item.amount for item in items), start=Decimal("0.00"))
        own = claim.trainer.user_id == self.request.user.pk
        earnings = None
        if claim.status == Claim.Status.SUBMITTED and claim.submitted_at:
            earnings = earnings_check(
                trainer=claim.trainer, extra=total, day=timezone.localdate(claim.submitted_at)
            )
        return super().get_context_data(
            claim=claim,
            items=items,
            total=total,
            own=own,
            earnings=earnings,
            decision_form=kwargs.pop("decision_form", None) or DecisionForm(),
            payment_form=kwargs.pop("payment_form", None)
            or PaymentForm(initial={"paid_on": timezone.localdate()}),
            **kwargs,
        )


class _ClaimActionView(ClaimReviewView):
    """POST only: a form about the claim; a refusal shows the claim's page with it."""

    http_method_names = ["post"]
    form_class: type = DecisionForm
    form_name = "decision_form"

    def post(self, request: AuthenticatedHttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.act(form.cleaned_data, by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("expenses:review-claim", pk=self.claim.pk)
        # What changed meanwhile (another coordinator's decision) shows with the refusal.
        self.__dict__.pop("claim", None)
        return self.render_to_response(self.get_context_data(**{self.form_name: form}))

    def act(self, data: dict, *, by: User) -> None:
        raise NotImplementedError


class ClaimDecideView(_ClaimActionView):
    def act(self, data: dict, *, by: User) -> None:
        claim = claim_decide(claim=self.claim, by=by, to=data["decision"], reason=data["reason"])
        messages.success(self.request, f"Claim {claim.pk} is {claim.get_status_display().lower()}.")


class ClaimPayView(_ClaimActionView):
    form_class = PaymentForm
    form_name = "payment_form"

    def act(self, data: dict, *, by: User) -> None:
        claim = claim_pay(
            claim=self.claim,
            by=by,
            paid_on=data["paid_on"],
            reference=data["reference"],
        )
        messages.success(self.request, f"Claim {claim.pk} is marked paid.")


class ReviewReceiptView(CoordinatorMixin, View):
    """A receipt of a submitted claim: a photo shown in the page, a PDF downloaded."""

    def get(self, request, pk: int, receipt_pk: int):
        receipt = receipt_get_for_coordinator(claim_pk=pk, pk=receipt_pk)
        return private_file_response(receipt.file, download_name=receipt.original_name, inline=True)


class MileageRateView(CoordinatorMixin, FormView):
    """Every way of travelling's rates with their dates, and a form to add one."""

    template_name = "expenses/rate_list.html"
    form_class = MileageRateForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rates=MileageRate.objects.order_by("vehicle", "-effective_from"),
            today=timezone.localdate(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            rate = mileage_rate_add(by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Rate added: {rate}.")
        return redirect("expenses:rate-list")


class FinanceView(CoordinatorMixin, TemplateView):
    """The finance file's page: which claims, then the download."""

    template_name = "expenses/review_finance.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=kwargs.pop("form", None) or FinanceFilterForm())


class FinanceCsvView(FinanceView):
    """The finance file: one row per expense, audited; a bad filter shows the page again."""

    def get(self, request, *args, **kwargs):
        form = FinanceFilterForm(request.GET)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        rows = finance_rows(**form.cleaned_data)
        return csv_response(request, "expense-items.csv", FINANCE_HEADER, rows)


class TotalsView(RoleRequiredMixin, TemplateView):
    """Approved and paid expenses per trainer, session and month, over a range of dates."""

    template_name = "expenses/review_totals.html"
    roles = (Role.COORDINATOR, Role.MANAGER)

    def get_context_data(self, **kwargs):
        form = DateRangeForm(self.request.GET or None)
        valid = not form.is_bound or form.is_valid()
        filters = form.cleaned_data if form.is_bound and valid else {}
        return super().get_context_data(
            form=form, totals=expense_totals(**filters) if valid else None, **kwargs
        )
