"""Factories for expenses: claims with their items, receipts, travel requests, fees and yearly
statements.

ClaimFactory() is a draft for a session the trainer was on (an accepted assignment is made);
pass status="submitted" and so on, written straight to the database with no timeline or email.
ItemFactory() is a £4.20 bus fare on a new draft. StatementFactory() is this tax year's statement,
ready, its file a tiny stand-in PDF (the worker's real one is made by statement_prepare).
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from expenses.models import Claim, Fee, FeeRate, Item, Receipt, Statement, TravelRequest
from expenses.selectors import tax_year_of
from people.models import Role
from sessions.models import TrainerAssignment
from tests.factory_base import ModelFactory
from tests.people.factories import UserFactory
from tests.sessions.factories import TrainerAssignmentFactory, TrainingSessionFactory
from tests.trainers.factories import TrainerFactory

# The smallest valid PNG: a receipt photo in tests.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
# Enough of a PDF for its kind to be read from the content.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def joined_a_year_ago(trainer):
    """Move the trainer's joining date back a year, so claims can date items in the past."""
    trainer.created_at = timezone.now() - timedelta(days=365)
    trainer.save(update_fields=["created_at"])
    return trainer


class ClaimFactory(ModelFactory[Claim]):
    class Meta:
        model = Claim
        skip_postgeneration_save = True

    trainer = factory.LazyFunction(lambda: joined_a_year_ago(TrainerFactory(status="active")))
    activity = Claim.Activity.SESSION
    session = factory.SubFactory(TrainingSessionFactory)
    status = Claim.Status.DRAFT
    submitted_at = factory.LazyAttribute(
        lambda o: None if o.status == Claim.Status.DRAFT else timezone.now()
    )
    paid_on = factory.LazyAttribute(
        lambda o: timezone.localdate() if o.status == Claim.Status.PAID else None
    )

    @factory.post_generation
    def on_the_session(obj: Claim, create: bool, extracted, **kwargs) -> None:
        if create and obj.session_id:
            TrainerAssignmentFactory(
                session=obj.session,
                user=obj.trainer.user,
                status=TrainerAssignment.Status.ACCEPTED,
            )


class ItemFactory(ModelFactory[Item]):
    class Meta:
        model = Item

    claim = factory.SubFactory(ClaimFactory)
    kind = Item.Kind.PUBLIC_TRANSPORT
    spent_on = factory.LazyFunction(timezone.localdate)
    description = "Bus to the venue"
    amount = Decimal("4.20")


class ReceiptFactory(ModelFactory[Receipt]):
    class Meta:
        model = Receipt

    item = factory.SubFactory(ItemFactory)
    file = factory.LazyFunction(lambda: ContentFile(PNG, name="receipt.png"))
    original_name = "receipt.png"
    size = len(PNG)


class TravelRequestFactory(ModelFactory[TravelRequest]):
    class Meta:
        model = TravelRequest

    trainer = factory.LazyFunction(lambda: TrainerFactory(status="active"))
    session = factory.SubFactory(TrainingSessionFactory)
    travel_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    from_place = "Leeds"
    to_place = "York"
    mode = TravelRequest.Mode.TRAIN


class FeeRateFactory(ModelFactory[FeeRate]):
    class Meta:
        model = FeeRate

    unit = FeeRate.Unit.HALF_DAY
    amount = Decimal("75.00")
    effective_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))


class FeeFactory(ModelFactory[Fee]):
    class Meta:
        model = Fee

    trainer = factory.LazyFunction(lambda: TrainerFactory(status="active"))
    session = factory.SubFactory(TrainingSessionFactory)
    unit = FeeRate.Unit.HALF_DAY
    quantity = Decimal("1.0")
    rate = Decimal("75.00")
    amount = Decimal("75.00")
    recorded_by = factory.SubFactory(UserFactory, roles=[Role.COORDINATOR])


class StatementFactory(ModelFactory[Statement]):
    class Meta:
        model = Statement

    trainer = factory.LazyFunction(lambda: TrainerFactory(status="active"))
    start_year = factory.LazyFunction(lambda: tax_year_of(timezone.localdate())[0].year)
    status = Statement.Status.READY
    file = factory.LazyFunction(lambda: ContentFile(PDF, name="statement.pdf"))
    requested_by = factory.SelfAttribute("trainer.user")
    requested_at = factory.LazyFunction(timezone.now)
    prepared_at = factory.LazyFunction(timezone.now)
