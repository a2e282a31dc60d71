"""What coordinators read about claims as a whole: totals per trainer, session and month, and
the finance spreadsheet, one row per expense. Sums are done by the database, in Decimal."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum, Window
from django.db.models.functions import TruncMonth

from core.dates import LONDON, uk_local
from expenses.models import Claim, ClaimEvent, Item
from expenses.selectors.claims import PENNY

# Money that is owed or has gone out: what totals and the earnings check count.
COUNTED = (Claim.Status.APPROVED, Claim.Status.PAID)
# The finance file reads claims once they have been submitted; a draft is the trainer's own.
NOT_DRAFT = [status for status in Claim.Status.values if status != Claim.Status.DRAFT]


def _submitted_between(items: QuerySet[Item], start: date | None, end: date | None):
    """Items of claims submitted from `start` to `end` (UK days, both included)."""
    if start is not None:
        items = items.filter(claim__submitted_at__date__gte=start)
    if end is not None:
        items = items.filter(claim__submitted_at__date__lte=end)
    return items


@dataclass(frozen=True)
class ExpenseTotals:
    by_trainer: list[dict]
    by_session: list[dict]
    by_month: list[dict]
    total: Decimal


def expense_totals(*, start: date | None = None, end: date | None = None) -> ExpenseTotals:
    """Approved and paid expenses of claims submitted in the range, per trainer, per session
    and per month of submission (UK calendar). Four queries whatever the size of the data."""
    items = _submitted_between(Item.objects.filter(claim__status__in=COUNTED), start, end)
    by_trainer = list(
        items.values("claim__trainer_id", "claim__trainer__user__full_name")
        .annotate(total=Sum("amount"))
        .order_by("claim__trainer__user__full_name", "claim__trainer_id")
    )
    by_session = list(
        items.filter(claim__session__isnull=False)
        .values(
            "claim__session__code",
            "claim__session__starts_at",
            "claim__session__course_version__course__title",
        )
        .annotate(total=Sum("amount"))
        .order_by("claim__session__starts_at", "claim__session__code")
    )
    by_month = list(
        items.annotate(month=TruncMonth("claim__submitted_at", tzinfo=LONDON))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
    total = items.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    return ExpenseTotals(by_trainer, by_session, by_month, total)


FINANCE_HEADER = [
    "Trainer",
    "Claim",
    "Claim status",
    "For",
    "Region",
    "Cost code",
    "Item date",
    "Kind",
    "Description",
    "Miles",
    "Rate a mile (£)",
    "Amount (£)",
    "Claim total (£)",
    "Submitted",
    "Approved",
    "Paid",
    "Payment reference",
]


def _approved_at() -> Subquery:
    return Subquery(
        ClaimEvent.objects.filter(claim=OuterRef("claim"), to_status=Claim.Status.APPROVED)
        .order_by("-at")
        .values("at")[:1]
    )


def _day(moment) -> str:
    return uk_local(moment).date().isoformat() if moment else ""


def cost_code(claim: Claim) -> str:
    """What finance books a line to: the session's code, or the kind of activity when the claim
    is not for a session (T3_DAY, SUPERVISION, OTHER)."""
    return claim.session.code if claim.session else claim.activity.upper()


def finance_rows(
    *, status: str = "", start: date | None = None, end: date | None = None
) -> Iterator[list]:
    """One row per expense of claims submitted in the range (optionally in one status), read in
    chunks so a year of claims never sits in memory at once."""
    items = _submitted_between(
        Item.objects.filter(claim__status=status) if status else Item.objects.all(), start, end
    )
    items = (
        items.exclude(claim__status=Claim.Status.DRAFT)
        .select_related(
            "claim__trainer__user",
            "claim__trainer__region",
            "claim__session__region",
            "claim__session__course_version__course",
        )
        .annotate(
            claim_total=Window(Sum("amount"), partition_by=[F("claim_id")]),
            approved_at=_approved_at(),
        )
        .order_by("claim__submitted_at", "claim_id", "spent_on", "pk")
    )
    for item in items.iterator(chunk_size=2000):
        claim = item.claim
        session = claim.session
        yield [
            claim.trainer.user.full_name,
            claim.pk,
            claim.get_status_display(),
            f"{session.course_version.course} ({session.code})"
            if session
            else f"{claim.get_activity_display()}: {claim.activity_description}",
            (session.region if session else claim.trainer.region).name,
            cost_code(claim),
            item.spent_on.isoformat(),
            item.get_kind_display(),
            item.description,
            item.miles if item.miles is not None else "",
            item.per_mile if item.per_mile is not None else "",
            item.amount,
            item.claim_total.quantize(PENNY),
            _day(claim.submitted_at),
            _day(item.approved_at),
            claim.paid_on.isoformat() if claim.paid_on else "",
            claim.payment_reference,
        ]
