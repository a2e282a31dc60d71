"""Reads about fees and earnings: the rate in force, a session's fees page, a fee for the
coordinators, what a trainer was paid in a tax year (their earnings page and yearly statement),
and the yearly statements asked for and prepared."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from expenses.models import Claim, Fee, FeeRate, Item, Statement
from expenses.selectors.claims import (
    PENNY,
    EarningsCheck,
    earnings_check,
    earnings_so_far,
    tax_year_of,
)
from people.models import Role, User
from sessions.models import TrainerAssignment, TrainingSession
from trainers.models import Trainer

# --- Rates and amounts ---


def fee_rate_on(*, unit: str, day: date) -> FeeRate | None:
    """The standard rate for `unit` in force on `day`: the latest one effective on or before it."""
    return (
        FeeRate.objects.filter(unit=unit, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def fee_amount(*, quantity: Decimal, rate: Decimal) -> Decimal:
    """Units times the rate, to the penny (half a penny up): 1.5 hours at £12.45 is £18.68."""
    return (quantity * rate).quantize(PENNY, rounding=ROUND_HALF_UP)


def session_day(session: TrainingSession) -> date:
    """The UK date a session takes place on, which decides its fee rate and its tax year."""
    return timezone.localtime(session.starts_at).date()


@dataclass(frozen=True)
class FeeRateRow:
    rate: FeeRate
    in_force: bool


def fee_rate_list(*, today: date) -> list[FeeRateRow]:
    """Every standard rate, unit by unit, newest first, marking the one in force today."""
    rows, seen = [], set()
    for rate in FeeRate.objects.order_by("unit", "-effective_from"):
        in_force = rate.effective_from <= today and rate.unit not in seen
        if in_force:
            seen.add(rate.unit)
        rows.append(FeeRateRow(rate=rate, in_force=in_force))
    return rows


# --- A session's fees ---


def fee_refused_reason(*, trainer: Trainer, session: TrainingSession) -> str:
    """Why `trainer` cannot be given a fee for `session`, or an empty string."""
    if trainer.payment_choice != Trainer.Payment.PAID:
        return (
            f"{trainer.user.full_name or 'This trainer'} chose "
            f"“{trainer.get_payment_choice_display().lower()}”, so they cannot be given a fee."
        )
    if session.status == TrainingSession.Status.CANCELLED:
        return "The session was cancelled, so no fee can be recorded for it."
    on_it = TrainerAssignment.objects.filter(
        session=session, user_id=trainer.user_id, status=TrainerAssignment.Status.ACCEPTED
    ).exists()
    if not on_it:
        return "Choose a trainer who was on this session."
    return ""


def fee_approve_refused_reason(*, fee: Fee, by: User) -> str:
    """Why `by` cannot approve `fee` now, or an empty string. A fee is approved by a coordinator
    other than the one who recorded it, and never by the trainer it pays."""
    if not by.has_role(Role.COORDINATOR):
        return "Only a coordinator can approve a fee."
    if fee.trainer.user_id == by.pk:
        return "You cannot approve your own fee: ask another coordinator."
    if fee.recorded_by_id == by.pk:
        return "You recorded this fee, so another coordinator approves it."
    if fee.status != Fee.Status.RECORDED:
        return f"This fee is {fee.get_status_display().lower()} already, so it was not changed."
    return ""


@dataclass(frozen=True)
class SessionFeeRow:
    """One trainer on a session: their role, their fee if any, why they cannot have one, and for
    a fee awaiting approval, whether it would take them past their yearly earnings limit."""

    trainer: Trainer
    role: str
    fee: Fee | None
    refused: str
    over_limit: bool
    # Why the coordinator viewing the page cannot approve the fee, or "".
    approve_refused: str


@dataclass(frozen=True)
class SessionFees:
    session: TrainingSession
    day: date
    rows: list[SessionFeeRow]
    total: Decimal

    @property
    def can_record(self) -> list[Trainer]:
        """Trainers who can still be given a fee."""
        return [row.trainer for row in self.rows if not row.refused and row.fee is None]


def session_fees_get(*, pk: int, viewer: User) -> SessionFees:
    """A session's trainers (accepted, with a trainer profile) and their fees, for the
    coordinators' fees page as `viewer` sees it; a 404 for an unknown session. Five queries
    however many trainers."""
    session = get_object_or_404(
        TrainingSession.objects.select_related("course_version__course"), pk=pk
    )
    day = session_day(session)
    assignments = list(
        TrainerAssignment.objects.filter(
            session=session,
            status=TrainerAssignment.Status.ACCEPTED,
            user__trainer__isnull=False,
        )
        .select_related("user__trainer")
        .defer(*[f"user__trainer__{name}" for name in Trainer.PRIVATE_FIELDS])
        .order_by("user__full_name", "pk")
    )
    trainers = [assignment.user.trainer for assignment in assignments]
    fees = {
        fee.trainer_id: fee
        for fee in Fee.objects.filter(session=session).select_related("recorded_by", "approved_by")
    }
    so_far = earnings_so_far(trainers=trainers, day=day)
    rows = []
    for assignment, trainer in zip(assignments, trainers, strict=True):
        fee = fees.get(trainer.pk)
        if fee is not None:
            fee.trainer = trainer  # already read, with its user
        refused = ""
        if trainer.payment_choice != Trainer.Payment.PAID:
            refused = f"{trainer.get_payment_choice_display()}: no fee"
        elif session.status == TrainingSession.Status.CANCELLED:
            refused = "Session cancelled: no fee"
        limit = trainer.yearly_earnings_limit
        over = (
            fee is not None
            and fee.status == Fee.Status.RECORDED
            and limit is not None
            and so_far[trainer.pk] + fee.amount > limit
        )
        rows.append(
            SessionFeeRow(
                trainer=trainer,
                role=assignment.get_role_display(),
                fee=fee,
                refused=refused,
                over_limit=over,
                approve_refused=(
                    fee_approve_refused_reason(fee=fee, by=viewer) if fee is not None else ""
                ),
            )
        )
    total = sum((fee.amount for fee in fees.values()), Decimal("0.00"))
    return SessionFees(session=session, day=day, rows=rows, total=total)


def fee_get_for_coordinator(*, pk: int) -> Fee:
    """A fee with its trainer and session, for the coordinators' pages; a 404 when unknown."""
    return get_object_or_404(
        Fee.objects.select_related("trainer__user", "session__course_version__course"), pk=pk
    )


# --- What a trainer was paid ---


@dataclass(frozen=True)
class PaidClaim:
    claim: Claim
    items: list[Item]
    total: Decimal


@dataclass(frozen=True)
class YearPaid:
    """Fees and expenses paid to a trainer in one tax year (by the day they were paid), with
    exact totals: each total is the sum of the lines shown."""

    trainer: Trainer
    start: date
    end: date
    fees: list[Fee]
    claims: list[PaidClaim]
    fees_total: Decimal
    expenses_total: Decimal

    @property
    def total(self) -> Decimal:
        return self.fees_total + self.expenses_total

    @property
    def label(self) -> str:
        return f"{self.start.year} to {self.end.year}"


def year_paid(*, trainer: Trainer, start_year: int) -> YearPaid:
    """What `trainer` was paid in the tax year from 6 April `start_year`, in three queries."""
    start, end = tax_year_of(date(start_year, 4, 6))
    fees = list(
        Fee.objects.filter(trainer=trainer, status=Fee.Status.PAID, paid_on__range=(start, end))
        .select_related("session__course_version__course")
        .order_by("paid_on", "pk")
    )
    claims = (
        Claim.objects.filter(trainer=trainer, status=Claim.Status.PAID, paid_on__range=(start, end))
        .select_related("session__course_version__course")
        .prefetch_related(Prefetch("items", queryset=Item.objects.order_by("spent_on", "pk")))
        .order_by("paid_on", "pk")
    )
    paid = [
        PaidClaim(
            claim=claim,
            items=list(claim.items.all()),
            total=sum((item.amount for item in claim.items.all()), Decimal("0.00")),
        )
        for claim in claims
    ]
    return YearPaid(
        trainer=trainer,
        start=start,
        end=end,
        fees=fees,
        claims=paid,
        fees_total=sum((fee.amount for fee in fees), Decimal("0.00")),
        expenses_total=sum((claim.total for claim in paid), Decimal("0.00")),
    )


def statement_years(*, trainer: Trainer, today: date) -> list[int]:
    """The tax years (by the year they start) a trainer can ask for a statement of, newest first:
    from the year they joined to this one."""
    first = tax_year_of(timezone.localtime(trainer.created_at).date())[0].year
    return list(range(tax_year_of(today)[0].year, first - 1, -1))


@dataclass(frozen=True)
class StatementYear:
    """A tax year a trainer can have a statement of, and its statement if one was asked for."""

    trainer: Trainer
    start_year: int
    statement: Statement | None

    @property
    def label(self) -> str:
        return f"{self.start_year} to {self.start_year + 1}"

    @property
    def ready(self) -> bool:
        return self.statement is not None and self.statement.status == Statement.Status.READY

    @property
    def queued(self) -> bool:
        return self.statement is not None and self.statement.status == Statement.Status.QUEUED


@dataclass(frozen=True)
class Earnings:
    """A trainer's earnings page: what they were paid this tax year, and against their limit
    (fees and claims approved or paid) how close they are."""

    paid: YearPaid
    check: EarningsCheck | None
    # Fees recorded and claims submitted this tax year, not yet approved.
    awaiting: Decimal
    statements: list[StatementYear]

    @property
    def left(self) -> Decimal | None:
        if self.check is None:
            return None
        return max(self.check.limit - self.check.so_far, Decimal("0.00"))

    @property
    def over_if_approved(self) -> bool:
        """Whether approving what is waiting would take them past their limit."""
        return (
            self.check is not None
            and self.awaiting > 0
            and self.check.so_far + self.awaiting > self.check.limit
        )


def trainer_get_own(*, user: User) -> Trainer:
    """The signed-in trainer's own profile; a 404 for someone without one."""
    return get_object_or_404(Trainer.objects.select_related("user"), user=user)


def earnings_get(*, trainer: Trainer, today: date) -> Earnings:
    """The trainer's own earnings page for the tax year holding `today`."""
    start, end = tax_year_of(today)
    fees = Fee.objects.filter(
        trainer=trainer, status=Fee.Status.RECORDED, session__starts_at__date__range=(start, end)
    ).aggregate(total=Sum("amount"))["total"]
    claims = Item.objects.filter(
        claim__trainer=trainer,
        claim__status=Claim.Status.SUBMITTED,
        claim__submitted_at__date__range=(start, end),
    ).aggregate(total=Sum("amount"))["total"]
    return Earnings(
        paid=year_paid(trainer=trainer, start_year=start.year),
        check=earnings_check(trainer=trainer, extra=Decimal("0.00"), day=today),
        awaiting=(fees or Decimal("0.00")) + (claims or Decimal("0.00")),
        statements=statement_years_for(trainer=trainer, today=today),
    )


def trainer_get_for_statement(*, user: User, pk: int) -> Trainer:
    """A trainer whose yearly statement `user` may download: their own, or anyone's for a
    coordinator; a 404 otherwise, so nobody learns which trainers exist."""
    # Coordinators never read the private fields (docs/domain.md#privacy).
    trainers = Trainer.objects.select_related("user").defer(*Trainer.PRIVATE_FIELDS)
    if not user.has_role(Role.COORDINATOR):
        trainers = trainers.filter(user=user)
    trainer = trainers.filter(pk=pk).first()
    if trainer is None:
        raise Http404
    return trainer


# --- Yearly statements ---


@dataclass(frozen=True)
class TrainerStatements:
    trainer: Trainer
    years: list[StatementYear]


def statement_year_refused_reason(
    *, trainer: Trainer, start_year: int, by: User, today: date
) -> str:
    """Why there can be no statement of the tax year from 6 April `start_year`, or an empty
    string: a statement covers a year from the one the trainer joined in up to this one."""
    years = statement_years(trainer=trainer, today=today)
    label = f"{start_year} to {start_year + 1}"
    if not years or start_year > years[0]:
        return f"The tax year {label} has not started yet, so there is no statement of it."
    if start_year < years[-1]:
        who = "you" if trainer.user_id == by.pk else (trainer.user.full_name or "the trainer")
        return (
            f"The tax year {label} ended before {who} joined, so there is nothing to put in a "
            f"statement. The first statement is for {years[-1]} to {years[-1] + 1}."
        )
    return ""


def statement_years_for(*, trainer: Trainer, today: date) -> list[StatementYear]:
    """Each tax year `trainer` can have a statement of, newest first, with the statement asked
    for, if any: one query however many years."""
    statements = {
        statement.start_year: statement for statement in Statement.objects.filter(trainer=trainer)
    }
    return [
        StatementYear(trainer=trainer, start_year=year, statement=statements.get(year))
        for year in statement_years(trainer=trainer, today=today)
    ]


def trainer_statements_get(*, user: User, pk: int, today: date) -> TrainerStatements:
    """A trainer's yearly statements page as `user` may see it (their own, or anyone's for a
    coordinator; a 404 otherwise)."""
    trainer = trainer_get_for_statement(user=user, pk=pk)
    return TrainerStatements(
        trainer=trainer, years=statement_years_for(trainer=trainer, today=today)
    )


def statement_get(*, user: User, pk: int, start_year: int, today: date) -> StatementYear:
    """One tax year's statement of a trainer as `user` may see it; a 404 for a trainer they may
    not see or a year no statement can cover."""
    trainer = trainer_get_for_statement(user=user, pk=pk)
    if start_year not in statement_years(trainer=trainer, today=today):
        raise Http404
    statement = Statement.objects.filter(trainer=trainer, start_year=start_year).first()
    return StatementYear(trainer=trainer, start_year=start_year, statement=statement)
