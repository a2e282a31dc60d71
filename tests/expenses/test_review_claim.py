"""A claim's page for coordinators: what it is for, its items, receipts, exact total, timeline and
the earnings warning; approving, rejecting or returning it and recording payment, each bad input
refused at its field with nothing changed; receipts shown in the page, PDFs downloaded."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from expenses.models import Claim, ClaimEvent, Item
from expenses.services import claim_decide
from people.models import Role
from tests.expenses.factories import PNG, ClaimFactory, ItemFactory, ReceiptFactory
from tests.people.factories import UserFactory
from tests.trainers.factories import TrainerFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def coordinator():
    return UserFactory(roles=[Role.COORDINATOR], full_name="Cora Ordinator")


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def claim():
    claim = ClaimFactory(status=Claim.Status.SUBMITTED)
    ItemFactory(claim=claim, amount=Decimal("0.10"), description="Bus one way")
    ItemFactory(claim=claim, amount=Decimal("0.20"), description="Bus the other way")
    return claim


def page(client, claim):
    return client.get(reverse("expenses:review-claim", kwargs={"pk": claim.pk}))


def decide(client, claim, **data):
    return client.post(reverse("expenses:review-decide", kwargs={"pk": claim.pk}), data)


def pay(client, claim, **data):
    return client.post(reverse("expenses:review-pay", kwargs={"pk": claim.pk}), data)


# The page


def test_the_page_shows_the_trainer_the_session_the_items_and_the_exact_total(signed_in, claim):
    claim.trainer.user.full_name = "Tam Trainer"
    claim.trainer.user.save()

    text = page(signed_in, claim).content.decode()

    assert "Tam Trainer" in text
    assert claim.session.code in text
    assert "Bus one way" in text
    assert "Bus the other way" in text
    assert "total £0.30" in text


def test_a_mileage_line_shows_its_miles_and_rate(signed_in, claim):
    ItemFactory(
        claim=claim,
        kind=Item.Kind.MILEAGE,
        miles=Decimal("23.5"),
        vehicle="car",
        per_mile=Decimal("0.45"),
        amount=Decimal("10.58"),
    )

    text = page(signed_in, claim).content.decode()

    assert "23.5 miles × £0.45 a mile" in text
    assert "total £10.88" in text


def test_a_photo_receipt_is_shown_with_alt_text_and_a_pdf_is_a_link(signed_in, claim):
    item = claim.items.first()
    photo = ReceiptFactory(item=item, original_name="bus.png")
    pdf = ReceiptFactory(
        item=item, file=ContentFile(PDF, name="ticket.pdf"), original_name="ticket.pdf"
    )

    text = page(signed_in, claim).content.decode()

    photo_url = reverse("expenses:review-receipt", kwargs={"pk": claim.pk, "receipt_pk": photo.pk})
    pdf_url = reverse("expenses:review-receipt", kwargs={"pk": claim.pk, "receipt_pk": pdf.pk})
    assert f'<img src="{photo_url}" alt="Receipt for public transport' in text
    assert f'<a href="{pdf_url}">ticket.pdf (PDF, downloads)</a>' in text


def test_the_timeline_shows_each_change_and_who_made_it(signed_in, claim, coordinator):
    ClaimEvent.objects.create(
        claim=claim,
        by=claim.trainer.user,
        at=timezone.now(),
        from_status="draft",
        to_status="submitted",
    )

    text = page(signed_in, claim).content.decode()

    assert "<strong>Submitted</strong>" in text


def test_the_page_runs_the_same_queries_with_one_item_or_many(
    signed_in, claim, django_assert_max_num_queries
):
    ReceiptFactory(item=claim.items.first())
    with django_assert_max_num_queries(12) as few:
        page(signed_in, claim)
    for _ in range(20):
        ReceiptFactory(item=ItemFactory(claim=claim))

    with django_assert_max_num_queries(len(few.captured_queries)):
        page(signed_in, claim)


def test_a_draft_is_not_shown_to_coordinators(signed_in):
    assert page(signed_in, ClaimFactory()).status_code == 404


# The earnings warning


def test_approving_past_the_trainers_yearly_limit_is_warned_before_approval(signed_in, claim):
    claim.trainer.yearly_earnings_limit = Decimal("0.25")
    claim.trainer.save()

    text = page(signed_in, claim).content.decode()

    assert "past the yearly earnings limit of £0.25" in text
    assert "to £0.30 this tax year" in text
    assert "Record the decision" in text  # a warning, not a block


def test_no_warning_while_the_claim_stays_within_the_limit(signed_in, claim):
    claim.trainer.yearly_earnings_limit = Decimal("0.30")
    claim.trainer.save()

    assert "yearly earnings limit" not in page(signed_in, claim).content.decode()


# Deciding


def test_a_coordinator_approves_a_claim(signed_in, claim, coordinator):
    response = decide(signed_in, claim, decision="approved")

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED
    assert claim.events.get().by == coordinator


@pytest.mark.parametrize("decision", ["rejected", "returned"])
def test_rejecting_or_returning_without_a_reason_is_refused_at_the_field(
    signed_in, claim, decision
):
    response = decide(signed_in, claim, decision=decision, reason="  ")

    assert response.status_code == 200
    assert response.context["decision_form"].errors == {"reason": ["Say why: the trainer is told."]}
    assert f'value="{decision}" ' in response.content.decode()  # their choice is kept
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    assert not claim.events.exists()


def test_returning_with_a_reason_tells_the_trainer_why(signed_in, claim):
    decide(signed_in, claim, decision="returned", reason="Add the bus ticket, please.")

    claim.refresh_from_db()
    assert claim.status == Claim.Status.RETURNED
    assert claim.decision_reason == "Add the bus ticket, please."


def test_a_decision_that_is_not_one_of_the_choices_is_refused(signed_in, claim):
    response = decide(signed_in, claim, decision="paid")

    assert "decision" in response.context["decision_form"].errors
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED


def test_the_second_coordinator_is_told_the_claim_was_decided_already(signed_in, claim):
    other = UserFactory(roles=[Role.COORDINATOR])
    claim_decide(claim=claim, by=other, to=Claim.Status.APPROVED)

    response = decide(signed_in, claim, decision="rejected", reason="Too late")

    assert "This claim is approved already, so it was not changed." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED
    assert claim.events.count() == 1


def test_a_coordinator_sees_they_cannot_decide_their_own_claim(client):
    coordinator = UserFactory(roles=[Role.COORDINATOR, Role.TRAINER])
    own = ClaimFactory(trainer=TrainerFactory(user=coordinator), status=Claim.Status.SUBMITTED)
    ItemFactory(claim=own)
    client.force_login(coordinator)

    text = page(client, own).content.decode()

    assert "This is your own claim: another coordinator decides on it" in text
    assert "Record the decision" not in text


def test_a_crafted_post_on_ones_own_claim_is_refused_with_nothing_changed(client):
    coordinator = UserFactory(roles=[Role.COORDINATOR, Role.TRAINER])
    own = ClaimFactory(trainer=TrainerFactory(user=coordinator), status=Claim.Status.SUBMITTED)
    ItemFactory(claim=own)
    client.force_login(coordinator)

    response = decide(client, own, decision="approved")

    assert "You cannot decide on your own claim: ask another coordinator." in (
        response.content.decode()
    )
    own.refresh_from_db()
    assert own.status == Claim.Status.SUBMITTED


# Paying


def approved(days_ago: int) -> Claim:
    """An approved claim, submitted and approved `days_ago` days ago."""
    at = timezone.now() - timedelta(days=days_ago)
    claim = ClaimFactory(status=Claim.Status.APPROVED, submitted_at=at)
    ClaimEvent.objects.create(
        claim=claim,
        by=UserFactory(roles=[Role.COORDINATOR]),
        at=at,
        from_status=Claim.Status.SUBMITTED,
        to_status=Claim.Status.APPROVED,
    )
    return claim


def test_a_coordinator_records_payment_with_a_date_and_reference(signed_in):
    claim = approved(days_ago=3)
    yesterday = timezone.localdate() - timedelta(days=1)

    pay(signed_in, claim, paid_on=yesterday.isoformat(), reference="BACS 0042")

    claim.refresh_from_db()
    assert (claim.status, claim.paid_on, claim.payment_reference) == (
        Claim.Status.PAID,
        yesterday,
        "BACS 0042",
    )


def test_a_payment_date_in_the_future_is_refused_at_the_field(signed_in):
    claim = ClaimFactory(status=Claim.Status.APPROVED)
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = pay(signed_in, claim, paid_on=tomorrow.isoformat(), reference="BACS 0042")

    assert response.context["payment_form"].errors == {
        "paid_on": ["The payment date cannot be in the future."]
    }
    assert 'value="BACS 0042"' in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED


def test_a_payment_date_before_the_claim_was_approved_is_refused_at_the_field(signed_in):
    claim = approved(days_ago=2)
    approved_on = timezone.localdate() - timedelta(days=2)
    day_before = approved_on - timedelta(days=1)

    response = pay(signed_in, claim, paid_on=day_before.isoformat(), reference="BACS 0042")

    assert response.context["payment_form"].errors == {
        "paid_on": [
            f"The payment date cannot be before the claim was approved, on {approved_on:%-d %B %Y}."
        ]
    }
    assert 'value="BACS 0042"' in response.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.paid_on, claim.payment_reference) == ("approved", None, "")


@pytest.mark.parametrize(
    ("paid_on", "message"),
    [
        ("9999-12-31", "The payment date cannot be in the future."),
        ("0001-01-01", "The payment date cannot be before the claim was approved"),
    ],
)
def test_a_payment_date_at_either_end_of_the_calendar_is_refused_at_the_field(
    signed_in, paid_on, message
):
    claim = approved(days_ago=2)

    response = pay(signed_in, claim, paid_on=paid_on)

    assert message in response.context["payment_form"].errors["paid_on"][0]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED


@pytest.mark.parametrize("paid_on", ["", "31/02/2026", "yesterday"])
def test_a_missing_or_unreadable_payment_date_is_refused(signed_in, paid_on):
    claim = ClaimFactory(status=Claim.Status.APPROVED)

    response = pay(signed_in, claim, paid_on=paid_on)

    assert "paid_on" in response.context["payment_form"].errors
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED


def test_a_crafted_payment_of_a_claim_not_yet_approved_is_refused(signed_in, claim):
    response = pay(signed_in, claim, paid_on=timezone.localdate().isoformat())

    assert "This claim is submitted, so it cannot be marked paid." in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED


# Receipts


def test_a_photo_receipt_is_served_to_show_in_the_page(signed_in, claim):
    receipt = ReceiptFactory(item=claim.items.first(), original_name="bus.png")

    response = signed_in.get(
        reverse("expenses:review-receipt", kwargs={"pk": claim.pk, "receipt_pk": receipt.pk})
    )

    assert response["Content-Disposition"] == 'inline; filename="bus.png"'
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == PNG


def test_a_pdf_receipt_is_downloaded(signed_in, claim):
    receipt = ReceiptFactory(
        item=claim.items.first(), file=ContentFile(PDF, name="t.pdf"), original_name="t.pdf"
    )

    response = signed_in.get(
        reverse("expenses:review-receipt", kwargs={"pk": claim.pk, "receipt_pk": receipt.pk})
    )

    assert response["Content-Disposition"] == 'attachment; filename="t.pdf"'
    b"".join(response.streaming_content)


def test_a_receipt_on_a_draft_is_not_found_however_it_is_asked_for(signed_in):
    receipt = ReceiptFactory(item=ItemFactory(claim=ClaimFactory()))
    claim_pk = receipt.item.claim_id

    preview = signed_in.get(
        reverse("expenses:review-receipt", kwargs={"pk": claim_pk, "receipt_pk": receipt.pk})
    )
    download = signed_in.get(reverse("expenses:receipt-download", kwargs={"pk": receipt.pk}))

    assert preview.status_code == download.status_code == 404


@pytest.mark.parametrize("status", [Claim.Status.RETURNED, Claim.Status.PAID])
def test_a_receipt_on_a_claim_once_submitted_is_shown(signed_in, status):
    receipt = ReceiptFactory(item=ItemFactory(claim=ClaimFactory(status=status)))

    response = signed_in.get(
        reverse(
            "expenses:review-receipt",
            kwargs={"pk": receipt.item.claim_id, "receipt_pk": receipt.pk},
        )
    )

    assert response.status_code == 200
    b"".join(response.streaming_content)


def test_a_crafted_decision_on_a_draft_is_not_found_and_changes_nothing(signed_in):
    draft = ClaimFactory()
    ItemFactory(claim=draft)

    response = decide(signed_in, draft, decision="approved")

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == Claim.Status.DRAFT
