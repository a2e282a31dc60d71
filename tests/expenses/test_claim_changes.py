"""A trainer's changes to their own claim: correcting and removing expenses, receipts kept with
them, discarding a draft, and who may start a claim at all. Each is refused, with nothing
changed, once the claim is submitted or when it is someone else's."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone

from expenses.models import Claim, ClaimEvent, Item, Receipt, Vehicle
from expenses.services import (
    MOST_RECEIPTS_AN_ITEM,
    claim_discard,
    claim_start,
    item_add,
    item_change,
    item_remove,
    receipt_remove,
)
from tests.expenses.factories import PNG, ClaimFactory, ItemFactory, ReceiptFactory
from trainers.models import Trainer

pytestmark = pytest.mark.django_db


def photo(name: str = "receipt.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def details(**fields) -> dict:
    return {
        "kind": Item.Kind.PUBLIC_TRANSPORT,
        "spent_on": timezone.localdate(),
        "description": "Bus to the venue",
        "amount": Decimal("4.20"),
    } | fields


# Who may start a claim


def test_a_trainer_who_chose_no_payment_cannot_start_a_claim_and_is_told_why():
    claim = ClaimFactory()
    trainer = claim.trainer
    trainer.payment_choice = Trainer.Payment.DECLINE
    trainer.save(update_fields=["payment_choice"])

    with pytest.raises(ValidationError) as refused:
        claim_start(trainer=trainer, activity=Claim.Activity.T3_DAY, activity_description="Day 2")

    assert "You chose “no payment”" in refused.value.messages[0]
    assert "booked and paid for you" in refused.value.messages[0]
    assert list(Claim.objects.all()) == [claim]


@pytest.mark.parametrize("choice", [Trainer.Payment.PAID, Trainer.Payment.EXPENSES_ONLY])
def test_paid_and_expenses_only_trainers_can_start_a_claim(choice):
    trainer = ClaimFactory().trainer
    trainer.payment_choice = choice
    trainer.save(update_fields=["payment_choice"])

    claim = claim_start(
        trainer=trainer, activity=Claim.Activity.SUPERVISION, activity_description="Supervision"
    )

    assert claim.status == Claim.Status.DRAFT


# Receipts


def test_receipts_are_kept_with_the_expense_under_random_private_names():
    claim = ClaimFactory()

    item = item_add(
        claim=claim,
        by=claim.trainer.user,
        **details(receipts=[photo("bus ticket.png"), photo("../../etc/passwd.png")]),
    )

    receipts = list(item.receipts.all())
    assert [r.original_name for r in receipts] == ["bus ticket.png", "passwd.png"]
    for receipt in receipts:
        assert receipt.file.name.startswith("private/expenses/receipts/")
        assert receipt.file.name.endswith(".png")
        assert "ticket" not in receipt.file.name
        assert receipt.size == len(PNG)


def test_a_file_that_is_not_a_pdf_jpeg_or_png_is_refused_and_the_expense_not_added():
    claim = ClaimFactory()
    program = SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00" + b"\x00" * 200)

    with pytest.raises(ValidationError) as refused:
        item_add(claim=claim, by=claim.trainer.user, **details(receipts=[program]))

    assert "receipt.pdf: This file is not a PDF, JPEG or PNG" in refused.value.messages[0]
    assert not Item.objects.exists()
    assert not Receipt.objects.exists()


def test_an_expense_keeps_at_most_ten_receipts():
    item = ItemFactory()
    for _ in range(MOST_RECEIPTS_AN_ITEM):
        ReceiptFactory(item=item)

    with pytest.raises(ValidationError) as refused:
        item_change(item=item, by=item.claim.trainer.user, **details(receipts=[photo()]))

    assert refused.value.message_dict == {"receipts": ["An expense can have at most 10 receipts."]}
    assert item.receipts.count() == MOST_RECEIPTS_AN_ITEM


@pytest.fixture
def media(settings, tmp_path):
    """An empty storage of this test's own, so what is left in it can be counted."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_in(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def second_receipt_row_fails(monkeypatch):
    """Call it, and the database refuses the second receipt written from then on, once the first
    receipt and the second's file are stored: the whole change rolls back."""
    save, saved = Receipt.save, []

    def save_then_fail(self, *args, **kwargs):
        save(self, *args, **kwargs)
        saved.append(self)
        if len(saved) == 2:
            raise IntegrityError("the database refused the receipt")

    return lambda: monkeypatch.setattr(Receipt, "save", save_then_fail)


def test_receipts_of_an_expense_that_was_not_added_leave_no_file(media, second_receipt_row_fails):
    claim = ClaimFactory()
    second_receipt_row_fails()

    with pytest.raises(IntegrityError):
        item_add(claim=claim, by=claim.trainer.user, **details(receipts=[photo("a.png"), photo()]))

    assert not Item.objects.exists()
    assert not Receipt.objects.exists()
    assert files_in(media) == []


def test_receipts_of_a_change_that_was_not_saved_leave_no_file(media, second_receipt_row_fails):
    item = ItemFactory()
    kept = ReceiptFactory(item=item)
    second_receipt_row_fails()

    with pytest.raises(IntegrityError):
        item_change(
            item=item,
            by=item.claim.trainer.user,
            **details(amount=Decimal("9.99"), receipts=[photo("a.png"), photo()]),
        )

    item.refresh_from_db()
    assert item.amount == Decimal("4.20")
    assert list(item.receipts.all()) == [kept]
    assert files_in(media) == [media / kept.file.name]


def test_removing_a_receipt_deletes_its_file(django_capture_on_commit_callbacks):
    receipt = ReceiptFactory()
    name = receipt.file.name
    assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        receipt_remove(receipt=receipt, by=receipt.item.claim.trainer.user)

    assert not Receipt.objects.exists()
    assert not default_storage.exists(name)


# Changing and removing expenses


def test_changing_an_expense_to_mileage_works_the_amount_out_again():
    item = ItemFactory()

    item_change(
        item=item,
        by=item.claim.trainer.user,
        **details(kind=Item.Kind.MILEAGE, amount=None, miles=Decimal("23.5"), vehicle=Vehicle.CAR),
    )

    item.refresh_from_db()
    assert (item.amount, item.miles, item.per_mile) == (
        Decimal("10.58"),
        Decimal("23.5"),
        Decimal("0.45"),
    )


def test_changing_mileage_to_a_fare_forgets_the_miles():
    item = ItemFactory(
        kind=Item.Kind.MILEAGE,
        miles=Decimal("10"),
        vehicle=Vehicle.CAR,
        per_mile=Decimal("0.45"),
        amount=Decimal("4.50"),
    )

    item_change(item=item, by=item.claim.trainer.user, **details(amount=Decimal("3.10")))

    item.refresh_from_db()
    assert (item.amount, item.miles, item.vehicle, item.per_mile) == (
        Decimal("3.10"),
        None,
        "",
        None,
    )


def test_a_bad_change_is_refused_with_the_expense_as_it_was():
    item = ItemFactory()

    with pytest.raises(ValidationError) as refused:
        item_change(
            item=item,
            by=item.claim.trainer.user,
            **details(amount=Decimal("-1"), description="Changed"),
        )

    assert refused.value.message_dict == {"amount": ["Enter an amount of more than £0."]}
    item.refresh_from_db()
    assert (item.amount, item.description) == (Decimal("4.20"), "Bus to the venue")


def test_miles_are_given_to_one_decimal_place():
    claim = ClaimFactory()

    with pytest.raises(ValidationError) as refused:
        item_add(
            claim=claim,
            by=claim.trainer.user,
            **details(kind=Item.Kind.MILEAGE, miles=Decimal("23.55"), vehicle=Vehicle.CAR),
        )

    assert refused.value.message_dict == {
        "miles": ["Enter the miles to one decimal place, like 23.5."]
    }
    assert not Item.objects.exists()


def test_removing_an_expense_removes_its_receipts_and_their_files(
    django_capture_on_commit_callbacks,
):
    receipt = ReceiptFactory()
    item, name = receipt.item, receipt.file.name

    with django_capture_on_commit_callbacks(execute=True):
        item_remove(item=item, by=item.claim.trainer.user)

    assert not Item.objects.exists()
    assert not Receipt.objects.exists()
    assert not default_storage.exists(name)


@pytest.mark.parametrize(
    "status",
    [Claim.Status.SUBMITTED, Claim.Status.APPROVED, Claim.Status.REJECTED, Claim.Status.PAID],
)
def test_nothing_on_a_claim_past_its_trainer_changes(status):
    receipt = ReceiptFactory(item__claim__status=status)
    item = receipt.item
    trainer = item.claim.trainer.user
    attempts = [
        lambda: item_add(claim=item.claim, by=trainer, **details()),
        lambda: item_change(item=item, by=trainer, **details(amount=Decimal("1.00"))),
        lambda: item_remove(item=item, by=trainer),
        lambda: receipt_remove(receipt=receipt, by=trainer),
        lambda: claim_discard(claim=item.claim, by=trainer),
    ]

    for attempt in attempts:
        with pytest.raises(ValidationError):
            attempt()

    item.refresh_from_db()
    assert item.amount == Decimal("4.20")
    assert Item.objects.count() == 1
    assert Receipt.objects.count() == 1
    assert Claim.objects.get().status == status


def test_another_trainer_changes_nothing_on_a_claim(other_trainer):
    receipt = ReceiptFactory()
    item = receipt.item

    for attempt in [
        lambda: item_change(item=item, by=other_trainer, **details(amount=Decimal("1.00"))),
        lambda: item_remove(item=item, by=other_trainer),
        lambda: receipt_remove(receipt=receipt, by=other_trainer),
        lambda: claim_discard(claim=item.claim, by=other_trainer),
    ]:
        with pytest.raises(ValidationError):
            attempt()

    item.refresh_from_db()
    assert item.amount == Decimal("4.20")
    assert Receipt.objects.count() == 1


def test_a_returned_claim_can_still_be_corrected():
    item = ItemFactory(claim__status=Claim.Status.RETURNED)

    item_change(item=item, by=item.claim.trainer.user, **details(amount=Decimal("5.00")))

    item.refresh_from_db()
    assert item.amount == Decimal("5.00")


# Discarding a draft


def test_discarding_a_draft_deletes_it_with_its_items_receipts_and_files(
    django_capture_on_commit_callbacks,
):
    receipt = ReceiptFactory()
    claim, name = receipt.item.claim, receipt.file.name
    ClaimEvent.objects.create(
        claim=claim, by=claim.trainer.user, at=timezone.now(), to_status="draft"
    )

    with django_capture_on_commit_callbacks(execute=True):
        claim_discard(claim=claim, by=claim.trainer.user)

    assert not Claim.objects.exists()
    assert not Item.objects.exists()
    assert not default_storage.exists(name)


def test_a_returned_claim_is_kept_not_discarded():
    claim = ClaimFactory(status=Claim.Status.RETURNED, submitted_at=timezone.now() - timedelta(1))

    with pytest.raises(ValidationError) as refused:
        claim_discard(claim=claim, by=claim.trainer.user)

    assert refused.value.messages == ["Only your own draft can be discarded."]
    assert Claim.objects.filter(pk=claim.pk).exists()
