"""Fees, earnings and yearly statements: coordinators set the standard rates, record each paid
trainer's fee on a session, approve (a coordinator other than the one who recorded it) and mark
it paid; a trainer sees their earnings this tax year and asks for a yearly statement, which a
worker prepares and the page then offers to download.

The rates, a session's fees and payments are for coordinators (others get a 403). A statement is
for the trainer it is about and for coordinators; another trainer gets a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView, View

from audit.actions import ExportAction
from audit.services import audit_record
from core.forms import add_service_errors
from core.permissions import RoleRequiredMixin
from core.uploads import private_file_response
from expenses.forms import FeeForm, FeePayForm, FeeRateForm
from expenses.models import Fee
from expenses.selectors import (
    earnings_get,
    fee_get_for_coordinator,
    fee_rate_list,
    session_fees_get,
    statement_get,
    trainer_get_for_statement,
    trainer_get_own,
    trainer_statements_get,
)
from expenses.services import (
    fee_approve,
    fee_pay,
    fee_rate_create,
    fee_record,
    statement_request,
)
from people.http import AuthenticatedHttpRequest
from people.models import Role
from trainers.models import Trainer


class CoordinatorMixin(RoleRequiredMixin):
    roles = (Role.COORDINATOR,)


class FeeRateListView(CoordinatorMixin, FormView):
    """The standard fee rates, with the one in force today marked, and a form to set one."""

    template_name = "expenses/fee_rates.html"
    form_class = FeeRateForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(rates=fee_rate_list(today=timezone.localdate()), **kwargs)

    def form_valid(self, form):
        try:
            rate = fee_rate_create(by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{rate.get_unit_display()} rate of £{rate.amount} set from "
            f"{rate.effective_from:%-d %B %Y}.",
        )
        return redirect("expenses:fee-rates")


class SessionFeesView(CoordinatorMixin, FormView):
    """A session's trainers and their fees, with a form to record one."""

    template_name = "expenses/fee_session.html"
    form_class = FeeForm

    @cached_property
    def page(self):
        # Read only once the role check has passed, so nobody else learns which ids exist.
        return session_fees_get(pk=self.kwargs["pk"], viewer=self.request.user)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"trainers": self.page.can_record}

    def get_context_data(self, **kwargs):
        return super().get_context_data(page=self.page, session=self.page.session, **kwargs)

    def form_valid(self, form):
        try:
            fee = fee_record(session=self.page.session, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Fee of £{fee.amount} recorded for {fee.trainer.user.full_name}. "
            "Another coordinator approves it.",
        )
        return redirect("expenses:session-fees", pk=fee.session_id)


class FeeApproveView(CoordinatorMixin, View):
    """Approve a recorded fee (POST only)."""

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        fee = fee_get_for_coordinator(pk=pk)
        try:
            fee_approve(fee=fee, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, f"Fee of £{fee.amount} for {fee.trainer.user.full_name} approved."
            )
        return redirect("expenses:session-fees", pk=fee.session_id)


class FeePayView(CoordinatorMixin, FormView):
    """Record that an approved fee was paid: the day and the reference."""

    template_name = "expenses/fee_pay.html"
    form_class = FeePayForm

    @cached_property
    def fee(self) -> Fee:
        return fee_get_for_coordinator(pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(fee=self.fee, session=self.fee.session, **kwargs)

    def form_valid(self, form):
        try:
            fee_pay(fee=self.fee, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Fee of £{self.fee.amount} for {self.fee.trainer.user.full_name} marked paid.",
        )
        return redirect("expenses:session-fees", pk=self.fee.session_id)


class MyEarningsView(RoleRequiredMixin, TemplateView):
    """A trainer's fees and expenses paid this tax year, against the limit they recorded, and
    their yearly statements to download."""

    template_name = "expenses/fee_earnings.html"
    roles = (Role.TRAINER,)

    def get_context_data(self, **kwargs):
        trainer = trainer_get_own(user=self.request.user)
        return super().get_context_data(
            trainer=trainer,
            earnings=earnings_get(trainer=trainer, today=timezone.localdate()),
            **kwargs,
        )


def _statements_url(request: AuthenticatedHttpRequest, trainer: Trainer, start_year: int) -> str:
    """Where a person sees a trainer's statements: My earnings for the trainer themself, the
    trainer's statements page for a coordinator, at the year in question."""
    if trainer.user_id == request.user.pk:
        url = reverse("expenses:my-earnings")
    else:
        url = reverse("expenses:statements", kwargs={"pk": trainer.pk})
    return f"{url}#statement-{start_year}"


class StatementListView(RoleRequiredMixin, TemplateView):
    """A trainer's yearly statements, year by year, to prepare and download: for coordinators
    (a trainer sees theirs on My earnings, and may open this too)."""

    template_name = "expenses/statement_list.html"
    roles = (Role.TRAINER, Role.COORDINATOR)

    def get_context_data(self, **kwargs):
        page = trainer_statements_get(
            user=self.request.user, pk=self.kwargs["pk"], today=timezone.localdate()
        )
        return super().get_context_data(trainer=page.trainer, statements=page.years, **kwargs)


class StatementRequestView(RoleRequiredMixin, View):
    """Ask for a yearly statement to be prepared, or prepared again (POST only); a worker
    prepares the PDF, and the page offers it once ready."""

    roles = (Role.TRAINER, Role.COORDINATOR)

    def post(self, request: AuthenticatedHttpRequest, pk: int, year: int) -> HttpResponse:
        trainer = trainer_get_for_statement(user=request.user, pk=pk)
        try:
            statement_request(trainer=trainer, start_year=year, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"The statement for {year} to {year + 1} is being prepared. It is usually ready "
                "in a minute or two.",
            )
        return redirect(_statements_url(request, trainer, year))


class StatementPdfView(RoleRequiredMixin, View):
    """A trainer's yearly statement as prepared: fees and expenses paid in the tax year from
    6 April `year`, for benefits or tax advisers. One not prepared yet sends the person to where
    they can ask for it."""

    roles = (Role.TRAINER, Role.COORDINATOR)

    def get(
        self, request: AuthenticatedHttpRequest, pk: int, year: int
    ) -> HttpResponse | FileResponse:
        found = statement_get(user=request.user, pk=pk, start_year=year, today=timezone.localdate())
        statement = found.statement
        if statement is None or not found.ready:
            messages.info(
                request,
                f"The statement for {found.label} is not ready to download yet. "
                + ("It is being prepared." if found.queued else "Prepare it first, below."),
            )
            return redirect(_statements_url(request, found.trainer, year))
        filename = f"statement-{year}-{year + 1}.pdf"
        audit_record(
            action=ExportAction.EXPORT,
            request=request,
            obj=found.trainer,
            changes={"file": filename},
        )
        return private_file_response(statement.file, download_name=filename)
