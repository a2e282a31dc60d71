"""Mileage rates, expense claims with their items, receipts and history.

Money is `Decimal` in pounds with two places, end to end: amounts are stored as such, a mileage
item's amount is its miles times the rate in force on its date, rounded half up to the penny
(expenses.selectors.claims.mileage_amount), and a claim's total is the sum of its items.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from core.uploads import PrivateUploadPath
from sessions.models import TrainingSession
from trainers.models import Trainer


class Vehicle(models.TextChoices):
    CAR = "car", "Car"
    PASSENGER = "passenger", "Passenger in a car"
    BICYCLE = "bicycle", "Bicycle"
    MOTORCYCLE = "motorcycle", "Motorcycle"


class MileageRate(models.Model):
    """Pence a mile for a way of travelling, in force from a date until the next rate's date."""

    vehicle = models.CharField(max_length=16, choices=Vehicle.choices)
    per_mile = models.DecimalField(
        "rate a mile (£)", max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    effective_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["vehicle", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle", "effective_from"], name="one_mileage_rate_a_day"
            ),
            models.CheckConstraint(condition=Q(per_mile__gte=0), name="mileage_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_vehicle_display()}: £{self.per_mile} a mile from {self.effective_from}"


class Claim(models.Model):
    """One trainer's expenses for one session or other approved activity."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned for a change"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        PAID = "paid", "Paid"

    class Activity(models.TextChoices):
        SESSION = "session", "A training session"
        T3_DAY = "t3_day", "A Train the Trainer day"
        SUPERVISION = "supervision", "Travel to supervision"
        OTHER = "other", "Other approved activity"

    trainer = models.ForeignKey(Trainer, on_delete=models.PROTECT, related_name="claims")
    activity = models.CharField(max_length=16, choices=Activity.choices)
    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    activity_description = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # What the trainer is told when a claim is returned or rejected.
    decision_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    # When coordinators were told it was still unpaid 10 working days after submission.
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity="session", session__isnull=False)
                | (~Q(activity="session") & Q(session__isnull=True)),
                name="claim_session_only_for_a_session",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False),
                name="claim_paid_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Claim {self.pk} ({self.get_status_display()})"


class Item(models.Model):
    """One expense on a claim: what it was, when, and how much."""

    class Kind(models.TextChoices):
        MILEAGE = "mileage", "Mileage"
        PUBLIC_TRANSPORT = "public_transport", "Public transport"
        TAXI = "taxi", "Taxi"
        PARKING = "parking", "Parking"
        SUBSISTENCE = "subsistence", "Subsistence"
        CHILDCARE = "childcare", "Childcare"
        CARER = "carer", "Carer"
        OTHER = "other", "Other"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    spent_on = models.DateField()
    description = models.CharField(max_length=200)
    amount = models.DecimalField("amount (£)", max_digits=9, decimal_places=2)
    # Mileage only: the distance, how, and the rate it was paid at on that date.
    miles = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    vehicle = models.CharField(max_length=16, choices=Vehicle.choices, blank=True)
    per_mile = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # A taxi needs a reason.
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["spent_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="item_amount_positive"),
            models.CheckConstraint(
                condition=~Q(kind="mileage")
                | (Q(miles__gt=0) & Q(per_mile__isnull=False) & ~Q(vehicle="")),
                name="item_mileage_has_miles_vehicle_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} £{self.amount}"


class Receipt(models.Model):
    """A receipt for an item (PDF, JPEG or PNG), stored privately under a random name."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="receipts")
    file = models.FileField(upload_to=PrivateUploadPath("expenses/receipts"), max_length=200)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class ClaimEvent(models.Model):
    """One change of a claim's status, for the trainer's timeline: who, when, from and to."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claim_events"
    )
    at = models.DateTimeField()
    from_status = models.CharField(max_length=16, choices=Claim.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Claim.Status.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class TravelRequest(models.Model):
    """A trainer asks for travel to be booked and paid for them, so nothing is paid up front:
    requested -> booked (with the details) -> used, or cancelled on the way."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        BOOKED = "booked", "Booked"
        USED = "used", "Used"
        CANCELLED = "cancelled", "Cancelled"

    class Mode(models.TextChoices):
        TRAIN = "train", "Train"
        BUS = "bus", "Bus or coach"
        TAXI = "taxi", "Taxi"
        OTHER = "other", "Other"

    trainer = models.ForeignKey(Trainer, on_delete=models.PROTECT, related_name="travel_requests")
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="travel_requests",
    )
    # What the travel is for when it is not a session (a Train the Trainer day, supervision).
    purpose = models.CharField(max_length=200, blank=True)
    travel_on = models.DateField("date of travel")
    from_place = models.CharField("from", max_length=200)
    to_place = models.CharField("to", max_length=200)
    mode = models.CharField("how", max_length=16, choices=Mode.choices)
    return_journey = models.BooleanField("return journey", default=True)
    notes = models.TextField("anything the booker should know", blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    # Filled in by the coordinator who books it: tickets, times, reference.
    booking_details = models.TextField(blank=True)
    cost = models.DecimalField("cost (£)", max_digits=9, decimal_places=2, null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    booked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["travel_on", "pk"]
        indexes = [models.Index(fields=["status", "travel_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["requested", "cancelled"])
                | (~Q(booking_details="") & Q(booked_at__isnull=False)),
                name="travel_booked_has_details",
            ),
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0), name="travel_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Travel {self.from_place} to {self.to_place} on {self.travel_on}"


class FeeRate(models.Model):
    """A standard fee for a unit of work (a half day, a full day, an hour), in force from a date
    until the next rate for the same unit."""

    class Unit(models.TextChoices):
        HALF_DAY = "half_day", "Half day"
        FULL_DAY = "full_day", "Full day"
        HOUR = "hour", "Hour"

    unit = models.CharField(max_length=16, choices=Unit.choices)
    amount = models.DecimalField("amount (£)", max_digits=9, decimal_places=2)
    effective_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "effective_from"], name="one_fee_rate_a_day"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="fee_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_unit_display()}: £{self.amount} from {self.effective_from}"


class Fee(models.Model):
    """What a paid trainer earns for a session: units at the standard rate in force on the
    session's day, recorded by a coordinator, approved, then paid."""

    class Status(models.TextChoices):
        RECORDED = "recorded", "Recorded"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"

    trainer = models.ForeignKey(Trainer, on_delete=models.PROTECT, related_name="fees")
    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="fees")
    unit = models.CharField(max_length=16, choices=FeeRate.Unit.choices)
    quantity = models.DecimalField(max_digits=4, decimal_places=1)
    rate = models.DecimalField("rate (£)", max_digits=9, decimal_places=2)
    amount = models.DecimalField("amount (£)", max_digits=9, decimal_places=2)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECORDED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["trainer", "session"], name="one_fee_a_session"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0) & Q(amount__gt=0), name="fee_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False),
                name="fee_paid_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Fee £{self.amount} ({self.get_status_display()})"


class Statement(models.Model):
    """A trainer's yearly statement (fees and expenses paid in the tax year from 6 April
    `start_year`) as a PDF a worker prepares: queued -> ready, queued again when asked for again.
    The file is private: only the download view serves it, after checking who is asking."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Being prepared"
        READY = "ready", "Ready"

    trainer = models.ForeignKey(Trainer, on_delete=models.CASCADE, related_name="statements")
    start_year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(
        upload_to=PrivateUploadPath("expenses/statements"), max_length=200, blank=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    # When the worker's task was last published to the broker (cleared when that failed), so
    # the sweep does not publish again what is already waiting there.
    handed_off_at = models.DateTimeField(null=True, blank=True)
    prepared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start_year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "start_year"], name="one_statement_a_tax_year"
            ),
            models.CheckConstraint(
                condition=Q(status="queued") | (~Q(file="") & Q(prepared_at__isnull=False)),
                name="statement_ready_has_a_file",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"Statement {self.start_year} to {self.start_year + 1} ({self.get_status_display()})"
