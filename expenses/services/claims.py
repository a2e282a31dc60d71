"""Changes to expense claims: starting one, adding items, and moving it through its workflow
(draft -> submitted -> approved / rejected / returned for a change -> paid). Every change of
status is kept as a ClaimEvent, the trainer's timeline, and in the audit trail.

A trainer also corrects or removes items, keeps receipts for them and discards a draft, while
the claim is theirs to change. The emails each change sends are in expenses.services.notify.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from core.dates import uk_local
from core.text import one_line
from core.uploads import FileContentValidator
from expenses.audit_actions import ExpenseAction
from expenses.models import Claim, ClaimEvent, Item, MileageRate, Receipt, Vehicle
from expenses.selectors.claims import (
    claim_start_refused_reason,
    claim_total,
    claims_approved_on,
    earnings_check,
    mileage_amount,
    mileage_rate_on,
)
from expenses.services.notify import claim_status_notify
from people.models import Role, User
from sessions.models import TrainerAssignment, TrainingSession
from trainers.models import Trainer

EDITABLE = (Claim.Status.DRAFT, Claim.Status.RETURNED)
# A trip longer than this is a typing mistake (the length of Great Britain is under 900 miles).
MOST_MILES = Decimal("1000")
MOST_AMOUNT = Decimal("10000")
RECEIPT_KINDS = ("pdf", "jpeg", "png")
# Enough for a day's tickets; more on one expense is a sign the wrong files were chosen.
MOST_RECEIPTS_AN_ITEM = 10


def _claim_locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().select_related("trainer__user").get(pk=claim.pk)


def _claim_move(claim: Claim, *, to: str, by: User, note: str = "") -> None:
    before = claim.status
    claim.status = to
    claim.save()
    ClaimEvent.objects.create(
        claim=claim, by=by, at=timezone.now(), from_status=before, to_status=to, note=note
    )
    audit_record(
        action=ExpenseAction.CLAIM_STATUS_CHANGED,
        actor=by,
        obj=claim,
        changes={"status": (before, to)},
    )
    claim_status_notify(claim=claim)


@transaction.atomic
def claim_start(
    *,
    trainer: Trainer,
    activity: str,
    session: TrainingSession | None = None,
    activity_description: str = "",
) -> Claim:
    """Open a draft claim. For a session the trainer was on, the draft already open for it is
    given back rather than a second one. A trainer who chose no payment is refused, and told
    how to change that (expenses.selectors.claims.claim_start_refused_reason)."""
    activity_description = one_line(activity_description)
    if problem := claim_start_refused_reason(trainer=trainer):
        raise ValidationError(problem)
    if activity not in Claim.Activity.values:
        raise ValidationError({"activity": "Choose what the claim is for."})
    if activity == Claim.Activity.SESSION:
        on_it = session is not None and TrainerAssignment.objects.filter(
            session=session, user=trainer.user, status=TrainerAssignment.Status.ACCEPTED
        )
        if session is None or not on_it or not on_it.exists():
            raise ValidationError({"session": "Choose a session you were on."})
        open_draft = Claim.objects.filter(
            trainer=trainer, session=session, status__in=EDITABLE
        ).first()
        if open_draft is not None:
            return open_draft
    elif not activity_description:
        raise ValidationError({"activity_description": "Say what the activity was."})
    claim = Claim.objects.create(
        trainer=trainer,
        activity=activity,
        session=session if activity == Claim.Activity.SESSION else None,
        activity_description=activity_description,
    )
    ClaimEvent.objects.create(
        claim=claim, by=trainer.user, at=timezone.now(), to_status=Claim.Status.DRAFT
    )
    return claim


def _money(value: Decimal | None, *, field: str) -> Decimal:
    if value is None or not value.is_finite():
        raise ValidationError({field: "Enter the amount in pounds and pence, for example 4.20."})
    if value <= 0:
        raise ValidationError({field: "Enter an amount of more than £0."})
    if value.as_tuple().exponent < -2:  # type: ignore[operator]  # finite, so an int
        raise ValidationError({field: "Enter pounds and pence only, for example 4.20."})
    if value > MOST_AMOUNT:
        raise ValidationError({field: f"An item can be at most £{MOST_AMOUNT:,}."})
    return value


def _item_day_error(claim: Claim, spent_on: date) -> str:
    if spent_on > timezone.localdate():
        return "The date cannot be in the future."
    if spent_on < timezone.localtime(claim.trainer.created_at).date():
        return "The date is before you joined the programme."
    return ""


def _editable_claim(claim: Claim, by: User) -> Claim:
    """The claim locked for a change, refused unless it is the trainer's own draft or returned
    claim (a submitted, decided or paid claim is read-only to its trainer)."""
    claim = _claim_locked(claim)
    if claim.trainer.user_id != by.pk or claim.status not in EDITABLE:
        raise ValidationError("Only the trainer's own draft or returned claim can be changed.")
    return claim


def _item_fill(
    item: Item,
    *,
    kind: str,
    spent_on: date,
    description: str,
    amount: Decimal | None,
    miles: Decimal | None,
    vehicle: str,
    reason: str,
) -> None:
    """Check an expense's details and put them on `item` (not saved)."""
    description, reason = one_line(description), reason.strip()
    if kind not in Item.Kind.values:
        raise ValidationError({"kind": "Choose what kind of expense it is."})
    if not description:
        raise ValidationError({"description": "Say what the expense was."})
    if problem := _item_day_error(item.claim, spent_on):
        raise ValidationError({"spent_on": problem})
    item.kind, item.spent_on, item.description = kind, spent_on, description
    if kind == Item.Kind.MILEAGE:
        if miles is None or not miles.is_finite() or not 0 < miles <= MOST_MILES:
            raise ValidationError(
                {"miles": f"Enter the miles, more than 0 and up to {MOST_MILES:,}."}
            )
        if miles.as_tuple().exponent < -1:  # type: ignore[operator]  # finite, so an int
            raise ValidationError({"miles": "Enter the miles to one decimal place, like 23.5."})
        if vehicle not in Vehicle.values:
            raise ValidationError({"vehicle": "Choose how you travelled."})
        rate = mileage_rate_on(vehicle=vehicle, day=spent_on)
        if rate is None:
            way = Vehicle(vehicle).label.lower()
            raise ValidationError(
                {
                    "vehicle": f"There is no mileage rate for a {way} on {spent_on:%-d %B %Y}: "
                    "ask your coordinator to set one."
                }
            )
        item.miles, item.vehicle, item.per_mile = miles, vehicle, rate.per_mile
        item.amount = mileage_amount(miles=miles, per_mile=rate.per_mile)
    else:
        item.miles, item.vehicle, item.per_mile = None, "", None
        item.amount = _money(amount, field="amount")
    if kind == Item.Kind.TAXI and not reason:
        raise ValidationError({"reason": "Say why a taxi was needed."})
    item.reason = reason if kind == Item.Kind.TAXI else ""


@contextmanager
def _receipts_kept_only_on_commit() -> Iterator[list[str | None]]:
    """A transaction, with a list to note the name of each file stored in it. When it does not
    commit, those files are deleted again, so no receipt is left in storage with no row naming
    it. Django has no rollback hook, hence the try around it. Inside a larger transaction that
    rolls back later, the files stay: the services are called from views, not inside one."""
    stored: list[str | None] = []
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        for name in stored:
            if name:
                default_storage.delete(name)
        raise


def item_add(
    *,
    claim: Claim,
    by: User,
    kind: str,
    spent_on: date,
    description: str,
    amount: Decimal | None = None,
    miles: Decimal | None = None,
    vehicle: str = "",
    reason: str = "",
    receipts: Sequence[UploadedFile] = (),
) -> Item:
    """Add an expense, with any receipts, to the trainer's own draft or returned claim. Mileage
    is worked out from the miles and the rate in force on the day; every other kind gives its
    amount."""
    with _receipts_kept_only_on_commit() as stored:
        claim = _editable_claim(claim, by)
        item = Item(claim=claim)
        _item_fill(
            item,
            kind=kind,
            spent_on=spent_on,
            description=description,
            amount=amount,
            miles=miles,
            vehicle=vehicle,
            reason=reason,
        )
        item.save()
        _receipts_store(item, receipts, stored=stored)
    return item


@transaction.atomic
def claim_submit(*, claim: Claim, by: User) -> Claim:
    """The trainer sends their claim for approval; from now on they can only read it."""
    claim = _claim_locked(claim)
    if claim.trainer.user_id != by.pk or claim.status not in EDITABLE:
        raise ValidationError("Only the trainer's own draft or returned claim can be submitted.")
    if not claim.items.exists():
        raise ValidationError("Add at least one expense before submitting the claim.")
    claim.submitted_at = timezone.now()
    # Sent again after a change, it has 10 working days again (docs/domain.md#expenses).
    claim.overdue_flagged_at = None
    _claim_move(claim, to=Claim.Status.SUBMITTED, by=by)
    return claim


def _decider_refusal(claim: Claim, by: User) -> str:
    if not by.has_role(Role.COORDINATOR):
        return "Only a coordinator can decide on a claim."
    if claim.trainer.user_id == by.pk:
        return "You cannot decide on your own claim: ask another coordinator."
    return ""


@transaction.atomic
def claim_decide(*, claim: Claim, by: User, to: str, reason: str = "") -> Claim:
    """A coordinator approves a submitted claim, rejects it or returns it for a change (both with
    a reason the trainer sees). Of two coordinators deciding at once, the second is told."""
    claim = _claim_locked(claim)
    if problem := _decider_refusal(claim, by):
        raise ValidationError(problem)
    if to not in (Claim.Status.APPROVED, Claim.Status.REJECTED, Claim.Status.RETURNED):
        raise ValueError(f"A claim cannot be decided as {to!r}.")
    if claim.status != Claim.Status.SUBMITTED:
        raise ValidationError(
            f"This claim is {claim.get_status_display().lower()} already, so it was not changed."
        )
    reason = reason.strip()
    if to != Claim.Status.APPROVED and not reason:
        raise ValidationError({"reason": "Say why: the trainer is told."})
    claim.decision_reason = reason
    _claim_move(claim, to=to, by=by, note=reason)
    return claim


def _paid_on_refusal(paid_on: date) -> str:
    return "The payment date cannot be in the future." if paid_on > timezone.localdate() else ""


def _paid_before_approval(claims: list[Claim], paid_on: date) -> list[tuple[Claim, date]]:
    """The approved claims among `claims` that were approved after `paid_on`, with the day."""
    approved = [claim for claim in claims if claim.status == Claim.Status.APPROVED]
    days = claims_approved_on(approved)
    return [(c, days[c.pk]) for c in approved if c.pk in days and paid_on < days[c.pk]]


@transaction.atomic
def claim_pay(*, claim: Claim, by: User, paid_on: date, reference: str = "") -> Claim:
    """Record that an approved claim was paid, on which day and with which reference."""
    claim = _claim_locked(claim)
    if problem := _decider_refusal(claim, by):
        raise ValidationError(problem)
    if claim.status != Claim.Status.APPROVED:
        raise ValidationError(
            f"This claim is {claim.get_status_display().lower()}, so it cannot be marked paid."
        )
    if problem := _paid_on_refusal(paid_on):
        raise ValidationError({"paid_on": problem})
    if too_early := _paid_before_approval([claim], paid_on):
        [(_, approved_on)] = too_early
        raise ValidationError(
            {
                "paid_on": "The payment date cannot be before the claim was approved, on "
                f"{approved_on:%-d %B %Y}."
            }
        )
    claim.paid_on, claim.payment_reference = paid_on, one_line(reference)
    _claim_move(claim, to=Claim.Status.PAID, by=by, note=f"Paid on {paid_on:%-d %B %Y}")
    return claim


# --- A trainer's own claim: changing and removing items, receipts, discarding a draft ---


def _item_locked(item: Item, by: User) -> Item:
    """The item of a claim the trainer may still change, its claim locked."""
    claim = _editable_claim(item.claim, by)
    item = Item.objects.get(pk=item.pk)
    item.claim = claim
    return item


def _stored_files_delete(names: list[str | None]) -> None:
    """Remove stored receipt files once the rows that named them are gone for good."""

    def delete() -> None:
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(delete)


def _receipts_store(item: Item, files: Sequence[UploadedFile], *, stored: list[str | None]) -> None:
    """Keep receipts for an expense: PDF, JPEG or PNG by their content, each at most 10 MB,
    stored privately under random names, each name noted in `stored` as soon as its file is
    (see _receipts_kept_only_on_commit)."""
    if not files:
        return
    if item.receipts.count() + len(files) > MOST_RECEIPTS_AN_ITEM:
        raise ValidationError(
            {"receipts": f"An expense can have at most {MOST_RECEIPTS_AN_ITEM} receipts."}
        )
    check = FileContentValidator(RECEIPT_KINDS)
    for upload in files:
        try:
            check(upload)
        except ValidationError as error:
            name = one_line(upload.name or "") or "A file"
            raise ValidationError({"receipts": [f"{name}: {m}" for m in error.messages]}) from None
    for upload in files:
        receipt = Receipt(
            item=item,
            file=upload,
            original_name=one_line(PurePosixPath(upload.name or "receipt").name)[:200],
            size=upload.size or 0,
        )
        # The file is stored as saving the row would store it, but first, so that its name is
        # known even when the row's write fails.
        receipt.file.save(receipt.file.name or "", upload, save=False)
        stored.append(receipt.file.name)
        receipt.save()


def item_change(
    *,
    item: Item,
    by: User,
    kind: str,
    spent_on: date,
    description: str,
    amount: Decimal | None = None,
    miles: Decimal | None = None,
    vehicle: str = "",
    reason: str = "",
    receipts: Sequence[UploadedFile] = (),
) -> Item:
    """Correct an expense on the trainer's own draft or returned claim and add receipts to it,
    by the same rules as adding one (mileage is worked out again at the rate in force on the
    new date)."""
    with _receipts_kept_only_on_commit() as stored:
        item = _item_locked(item, by)
        _item_fill(
            item,
            kind=kind,
            spent_on=spent_on,
            description=description,
            amount=amount,
            miles=miles,
            vehicle=vehicle,
            reason=reason,
        )
        item.save()
        _receipts_store(item, receipts, stored=stored)
    return item


@transaction.atomic
def item_remove(*, item: Item, by: User) -> None:
    """Take an expense, and its receipts, off the trainer's own draft or returned claim."""
    item = _item_locked(item, by)
    names = [receipt.file.name for receipt in item.receipts.all()]
    item.delete()
    _stored_files_delete(names)


@transaction.atomic
def receipt_remove(*, receipt: Receipt, by: User) -> None:
    """Take a receipt off an expense on the trainer's own draft or returned claim."""
    _item_locked(receipt.item, by)
    name = receipt.file.name
    receipt.delete()
    _stored_files_delete([name])


@transaction.atomic
def claim_discard(*, claim: Claim, by: User) -> None:
    """Throw away the trainer's own draft, with its items and receipts. A claim that has been
    submitted (even one returned for a change) is kept: a coordinator has seen it."""
    claim = _claim_locked(claim)
    if claim.trainer.user_id != by.pk or claim.status != Claim.Status.DRAFT:
        raise ValidationError("Only your own draft can be discarded.")
    names = list(Receipt.objects.filter(item__claim=claim).values_list("file", flat=True))
    claim.delete()
    _stored_files_delete(names)


# --- Coordinators: deciding and paying several claims at once; mileage rates ---


@dataclass(frozen=True)
class ClaimOutcome:
    """What happened to one claim of a bulk action: done, or why it was refused."""

    claim: Claim
    refused: str = ""


PAST_THE_LIMIT = (
    "Approving it would take the trainer past the yearly earnings limit they recorded: open the "
    "claim to see the warning and approve it there."
)


def _past_the_limit(claim: Claim) -> bool:
    if claim.submitted_at is None:
        return False
    check = earnings_check(
        trainer=claim.trainer, extra=claim_total(claim), day=uk_local(claim.submitted_at).date()
    )
    return check is not None and check.over


def claims_approve(*, claims: Iterable[Claim], by: User) -> list[ClaimOutcome]:
    """Approve each claim through claim_decide, each on its own: one refused leaves the others
    approved, and the outcome says why. A claim that would take its trainer past the earnings
    limit they recorded is left for its own page, where the coordinator sees the warning (the
    claims approved just before it count)."""
    outcomes = []
    for claim in claims:
        if _past_the_limit(claim):
            outcomes.append(ClaimOutcome(claim, refused=PAST_THE_LIMIT))
            continue
        try:
            claim_decide(claim=claim, by=by, to=Claim.Status.APPROVED)
        except ValidationError as error:
            outcomes.append(ClaimOutcome(claim, refused=" ".join(error.messages)))
        else:
            outcomes.append(ClaimOutcome(claim))
    return outcomes


def claims_pay(
    *, claims: Iterable[Claim], by: User, paid_on: date, reference: str = ""
) -> list[ClaimOutcome]:
    """Record one payment (date and reference) for each claim through claim_pay, each on its
    own. A payment date in the future, or before the day one of the approved claims was
    approved, is refused before any claim is touched: it is one payment run, so the date is
    wrong for all of them."""
    claims = list(claims)
    if problem := _paid_on_refusal(paid_on):
        raise ValidationError({"paid_on": problem})
    if too_early := _paid_before_approval(claims, paid_on):
        which = "; ".join(
            f"claim {claim.pk} was approved on {day:%-d %B %Y}" for claim, day in too_early
        )
        raise ValidationError(
            {"paid_on": f"The payment date cannot be before the day a claim was approved: {which}."}
        )
    outcomes = []
    for claim in claims:
        try:
            claim_pay(claim=claim, by=by, paid_on=paid_on, reference=reference)
        except ValidationError as error:
            outcomes.append(ClaimOutcome(claim, refused=" ".join(error.messages)))
        else:
            outcomes.append(ClaimOutcome(claim))
    return outcomes


# A rate a mile above this is a typing mistake (HMRC's car rate is 45p).
MOST_PER_MILE = Decimal("2.00")


@transaction.atomic
def mileage_rate_add(
    *, vehicle: str, per_mile: Decimal | None, effective_from: date, by: User
) -> MileageRate:
    """A coordinator sets a new rate a mile for a way of travelling from a date. The date is
    today or later: items already claimed keep the rate they were worked out with, and an item
    added later for the same past day must not get a different rate."""
    if vehicle not in Vehicle.values:
        raise ValidationError({"vehicle": "Choose a way of travelling from the list."})
    if per_mile is None or not per_mile.is_finite() or not 0 <= per_mile <= MOST_PER_MILE:
        raise ValidationError(
            {"per_mile": f"Enter the rate in pounds, from 0 up to £{MOST_PER_MILE}, e.g. 0.45."}
        )
    if per_mile.as_tuple().exponent < -2:  # type: ignore[operator]  # finite, so an int
        raise ValidationError({"per_mile": "Enter whole pence only, for example 0.45."})
    if effective_from < timezone.localdate():
        raise ValidationError(
            {"effective_from": "A new rate starts today or later; claims made keep their rate."}
        )
    try:
        # The unique constraint decides, so two coordinators adding the same day at once both
        # get an answer rather than one of them an error page.
        with transaction.atomic():
            rate = MileageRate.objects.create(
                vehicle=vehicle, per_mile=per_mile, effective_from=effective_from
            )
    except IntegrityError:
        raise ValidationError(
            {"effective_from": "There is already a rate for this way of travelling from then."}
        ) from None
    audit_record(
        action=ExpenseAction.MILEAGE_RATE_ADDED,
        actor=by,
        obj=rate,
        changes={"per_mile": (None, str(per_mile)), "effective_from": (None, str(effective_from))},
    )
    return rate
