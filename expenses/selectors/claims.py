"""Reads about expenses: the mileage rate in force on a day, what a trip is worth, what a claim
adds up to, and what a trainer has been paid in a tax year against their earnings limit; then
what a trainer's own claim pages show."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.dates import LONDON, uk_local
from core.workdays import working_day_back, working_days_between
from expenses.models import Claim, ClaimEvent, Fee, Item, MileageRate, Receipt, Vehicle
from people.models import Region, Role
from sessions.models import TrainerAssignment, TrainingSession
from trainers.models import Trainer

PENNY = Decimal("0.01")


def mileage_rate_on(*, vehicle: str, day: date) -> MileageRate | None:
    """The rate for `vehicle` in force on `day`: the latest one effective on or before it."""
    return (
        MileageRate.objects.filter(vehicle=vehicle, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )


def mileage_amount(*, miles: Decimal, per_mile: Decimal) -> Decimal:
    """Miles times the rate, to the penny (half a penny rounds up): 23.5 miles at 45p is £10.58."""
    return (miles * per_mile).quantize(PENNY, rounding=ROUND_HALF_UP)


def claim_total(claim: Claim) -> Decimal:
    """The sum of a claim's items, exactly (£0.00 for a claim with none)."""
    total = claim.items.aggregate(total=Sum("amount"))["total"]
    return total if total is not None else Decimal("0.00")


def tax_year_of(day: date) -> tuple[date, date]:
    """The UK tax year holding `day`: 6 April to the next 5 April. The calendar's first and last
    tax years are cut short at its ends (1 January of year 1, 31 December 9999), so any date a
    person can type has one."""
    if (day.month, day.day) >= (4, 6):
        start = date(day.year, 4, 6)
        end = date(day.year + 1, 4, 5) if day.year < date.max.year else date.max
    else:
        start = date(day.year - 1, 4, 6) if day.year > date.min.year else date.min
        end = date(day.year, 4, 5)
    return start, end


@dataclass(frozen=True)
class EarningsCheck:
    """What a trainer has been paid or approved in a tax year, and what one more payment would
    make it, against the yearly limit they recorded on their profile."""

    limit: Decimal
    so_far: Decimal
    after: Decimal

    @property
    def over(self) -> bool:
        return self.after > self.limit


def earnings_so_far(*, trainers: Iterable[Trainer], day: date) -> dict[int, Decimal]:
    """Fees and expense claims approved or paid in the tax year holding `day`, for each of
    `trainers` by primary key, in two queries however many there are. A fee counts in the year
    of its session, a claim in the year it was submitted."""
    pks = [trainer.pk for trainer in trainers]
    start, end = tax_year_of(day)
    totals = dict.fromkeys(pks, Decimal("0.00"))
    fees = (
        Fee.objects.filter(
            trainer__in=pks,
            status__in=(Fee.Status.APPROVED, Fee.Status.PAID),
            session__starts_at__date__range=(start, end),
        )
        .values("trainer")
        .annotate(total=Sum("amount"))
    )
    claims = (
        Item.objects.filter(
            claim__trainer__in=pks,
            claim__status__in=(Claim.Status.APPROVED, Claim.Status.PAID),
            claim__submitted_at__date__range=(start, end),
        )
        .values("claim__trainer")
        .annotate(total=Sum("amount"))
    )
    for fee_row in fees:
        totals[fee_row["trainer"]] += fee_row["total"]
    for claim_row in claims:
        totals[claim_row["claim__trainer"]] += claim_row["total"]
    return totals


def earnings_check(*, trainer: Trainer, extra: Decimal, day: date) -> EarningsCheck | None:
    """Fees and expense claims approved or paid in the tax year holding `day` (earnings_so_far),
    plus `extra`, against the trainer's recorded limit; None when they recorded none. Expenses
    count as well as fees: it is the trainer's adviser, not us, who decides what counts for their
    benefits, so we warn early rather than late."""
    if trainer.yearly_earnings_limit is None:
        return None
    so_far = earnings_so_far(trainers=[trainer], day=day)[trainer.pk]
    return EarningsCheck(limit=trainer.yearly_earnings_limit, so_far=so_far, after=so_far + extra)


# --- A trainer's own claims: what their pages show ---

# How far back a trainer can claim for a session they were on.
SESSIONS_TO_CLAIM_FOR = timedelta(days=365)


def claim_window(now: datetime) -> tuple[datetime, datetime]:
    """When a session a trainer claims for at `now` may have started: within the last year, and
    not after now (both ends included). "New claim" and claim_start take these sessions, and
    "Claim expenses for this session" is offered for them only (expenses.links)."""
    return now - SESSIONS_TO_CLAIM_FOR, now


def claim_start_refused_reason(*, trainer: Trainer) -> str:
    """Why the trainer cannot open a claim, or "". A trainer who chose no payment takes no
    money from the programme, expenses included (docs/domain.md#expenses)."""
    if trainer.payment_choice == Trainer.Payment.DECLINE:
        return (
            "You chose “no payment” on your profile, so you cannot claim expenses. "
            "You can change your payment choice on your profile, or ask for your travel to be "
            "booked and paid for you instead."
        )
    return ""


def claim_list_for_trainer(*, trainer: Trainer) -> QuerySet[Claim]:
    """The trainer's claims, newest first, each with its total (`total`) and what it is for."""
    return (
        Claim.objects.filter(trainer=trainer)
        .select_related("session__course_version__course")
        .annotate(total=Coalesce(Sum("items__amount"), Value(Decimal("0.00"))))
        .order_by("-created_at", "-pk")
    )


def claim_get_for_trainer(*, user, pk: int) -> Claim:
    """One of the signed-in trainer's own claims; anyone else's is a 404."""
    claims = Claim.objects.select_related("trainer__user", "session__course_version__course")
    return get_object_or_404(claims, pk=pk, trainer__user=user)


def item_get_for_trainer(*, user, pk: int) -> Item:
    """An expense on one of the signed-in trainer's own claims; anyone else's is a 404."""
    items = Item.objects.select_related(
        "claim__trainer__user", "claim__session__course_version__course"
    ).prefetch_related("receipts")
    return get_object_or_404(items, pk=pk, claim__trainer__user=user)


def receipt_get_for(*, user, pk: int) -> Receipt:
    """A receipt for its trainer, or for any coordinator once its claim has been submitted (a
    draft is the trainer's own business); for anyone else a 404."""
    receipts = Receipt.objects.select_related("item__claim__trainer__user")
    own = Q(item__claim__trainer__user=user)
    if user.has_role(Role.COORDINATOR):
        return get_object_or_404(receipts, own | ~Q(item__claim__status=Claim.Status.DRAFT), pk=pk)
    return get_object_or_404(receipts, own, pk=pk)


def receipt_get_for_trainer(*, user, pk: int) -> Receipt:
    """A receipt on one of the signed-in trainer's own claims; anyone else's is a 404."""
    receipts = Receipt.objects.select_related("item__claim__trainer__user")
    return get_object_or_404(receipts, pk=pk, item__claim__trainer__user=user)


def mileage_rates_in_force(*, day: date) -> list[MileageRate]:
    """For each way of travelling, the rate in force on `day` (none before its first rate)."""
    rates = MileageRate.objects.filter(effective_from__lte=day).order_by(
        "vehicle", "-effective_from"
    )
    latest: dict[str, MileageRate] = {}
    for rate in rates:
        latest.setdefault(rate.vehicle, rate)
    return [latest[vehicle] for vehicle in Vehicle.values if vehicle in latest]


def claim_sessions_for_trainer(*, trainer: Trainer) -> QuerySet[TrainingSession]:
    """Sessions the trainer was on (accepted) that have started, within the last year, newest
    first: what the "New claim" page offers to claim for."""
    return (
        TrainingSession.objects.filter(
            assignments__user_id=trainer.user_id,
            assignments__status=TrainerAssignment.Status.ACCEPTED,
            starts_at__range=claim_window(timezone.now()),
        )
        .exclude(status=TrainingSession.Status.CANCELLED)
        .select_related("course_version__course")
        .order_by("-starts_at", "pk")
        .distinct()
    )


@dataclass(frozen=True)
class ClaimPage:
    """What the trainer's claim page shows: the items with their receipts, the exact total, the
    timeline, and whether the trainer may still change it."""

    claim: Claim
    items: list[Item]
    total: Decimal
    events: list[ClaimEvent]
    editable: bool
    rates: list[MileageRate]


def claim_page(*, claim: Claim) -> ClaimPage:
    items = list(claim.items.prefetch_related("receipts").order_by("spent_on", "pk"))
    return ClaimPage(
        claim=claim,
        items=items,
        total=sum((item.amount for item in items), Decimal("0.00")),
        events=list(claim.events.select_related("by").order_by("at", "pk")),
        editable=claim.status in (Claim.Status.DRAFT, Claim.Status.RETURNED),
        rates=mileage_rates_in_force(day=timezone.localdate()),
    )


def claim_submit_check(*, claim: Claim, total: Decimal) -> EarningsCheck | None:
    """The earnings check a trainer sees before submitting: what this claim would make their
    year, if they recorded a limit."""
    return earnings_check(trainer=claim.trainer, extra=total, day=timezone.localdate())


def claim_session_get_for_trainer(*, trainer: Trainer, pk: int) -> TrainingSession:
    """A session the trainer can claim for (see claim_sessions_for_trainer); else a 404."""
    return get_object_or_404(claim_sessions_for_trainer(trainer=trainer), pk=pk)


# --- Coordinators: the claim queue, a claim's page and its receipts ---

# The queue's two tabs: waiting for a decision, and approved but not yet paid.
QUEUE_STATUSES = (Claim.Status.SUBMITTED, Claim.Status.APPROVED)


def claim_queue_for_coordinator(
    *, status: str, region: Region | None = None, trainer: Trainer | None = None
) -> QuerySet[Claim]:
    """Claims in `status` (submitted or approved), oldest submission first, each with its total;
    a claim's region is its session's, or its trainer's when it is not for a session."""
    if status not in QUEUE_STATUSES:
        raise ValueError(f"The queue lists submitted or approved claims, not {status!r}.")
    claims = (
        Claim.objects.filter(status=status)
        .select_related(
            "trainer__user",
            "trainer__region",
            "session__region",
            "session__course_version__course",
        )
        .annotate(total=Sum("items__amount"))
        .order_by("submitted_at", "pk")
    )
    if region is not None:
        claims = claims.filter(
            Q(session__region=region) | Q(session__isnull=True, trainer__region=region)
        )
    if trainer is not None:
        claims = claims.filter(trainer=trainer)
    return claims


def days_since(moment: datetime) -> int:
    """Whole days from `moment` to today, by the UK calendar (0 on the same day)."""
    return (timezone.localdate() - uk_local(moment).date()).days


def claim_get_for_coordinator(*, pk: int) -> Claim:
    """A claim that has been submitted, with what its page shows: items with their receipts,
    the timeline and who made each change. A draft is the trainer's own business: a 404."""
    return get_object_or_404(
        Claim.objects.exclude(status=Claim.Status.DRAFT)
        .select_related("trainer__user", "trainer__region", "session__course_version__course")
        .prefetch_related(
            Prefetch("items", queryset=Item.objects.prefetch_related("receipts")),
            Prefetch("events", queryset=ClaimEvent.objects.select_related("by")),
        ),
        pk=pk,
    )


def receipt_get_for_coordinator(*, claim_pk: int, pk: int) -> Receipt:
    """A receipt of a submitted claim; one of another claim, or of a draft, is a 404."""
    return get_object_or_404(
        Receipt.objects.exclude(item__claim__status=Claim.Status.DRAFT),
        item__claim_id=claim_pk,
        pk=pk,
    )


def claims_approved_on(claims: Iterable[Claim]) -> dict[int, date]:
    """The UK day each of `claims` was approved, by primary key, in one query: its latest
    approval on the timeline or, for a claim with none (made outside the workflow), the day it
    was submitted, which no approval comes before. A claim never submitted is left out. No
    payment comes before this day (expenses.services.claims.claim_pay)."""
    claims = list(claims)
    approvals = (
        ClaimEvent.objects.filter(claim__in=claims, to_status=Claim.Status.APPROVED)
        .values("claim")
        .annotate(at=Max("at"))
    )
    moments = {claim.pk: claim.submitted_at for claim in claims if claim.submitted_at}
    moments |= {row["claim"]: row["at"] for row in approvals}
    return {pk: uk_local(moment).date() for pk, moment in moments.items()}


# --- Overdue: claims not paid within 10 working days of submission (docs/domain.md#expenses) ---

OVERDUE_AFTER_WORKING_DAYS = 10
UNPAID = (Claim.Status.SUBMITTED, Claim.Status.APPROVED)


def claim_working_days_unpaid(claim: Claim) -> int | None:
    """Working days (England and Wales) a submitted claim has waited: from the UK day it was
    submitted to today, or to the day it was paid; None for a claim not waiting for payment."""
    if claim.submitted_at is None or claim.status not in (*UNPAID, Claim.Status.PAID):
        return None
    until = claim.paid_on if claim.paid_on is not None else timezone.localdate(timezone=LONDON)
    return working_days_between(uk_local(claim.submitted_at).date(), until)


def claim_is_overdue(claim: Claim) -> bool:
    """Still unpaid more than 10 working days after the day it was submitted."""
    waited = claim_working_days_unpaid(claim)
    return claim.status in UNPAID and waited is not None and waited > OVERDUE_AFTER_WORKING_DAYS


def claims_overdue(*, today: date) -> QuerySet[Claim]:
    """Claims still unpaid on `today` more than 10 working days after the day they were sent:
    those submitted before the 11th working day counting back from today."""
    first_in_time = working_day_back(today, OVERDUE_AFTER_WORKING_DAYS + 1)
    return Claim.objects.filter(
        status__in=UNPAID,
        submitted_at__lt=datetime.combine(first_in_time, time(0, 0), tzinfo=LONDON),
    )
