"""The coordinators' claim queue: submitted claims oldest first with their age, overdue ones
marked, filtered by region (the session's, or the trainer's for other activity) and trainer,
approved-but-unpaid claims on their own tab; several approved or marked paid at once, each
through the service, with what was refused and why."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from expenses.models import Claim, ClaimEvent, Item
from people.models import Role
from tests.expenses.factories import ClaimFactory, ItemFactory
from tests.people.factories import RegionFactory, UserFactory
from tests.trainers.factories import TrainerFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("expenses:review-queue")


@pytest.fixture
def coordinator():
    return UserFactory(roles=[Role.COORDINATOR])


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def submitted(days_ago: int = 0, **fields) -> Claim:
    claim = ClaimFactory(status=Claim.Status.SUBMITTED, **fields)
    claim.submitted_at = timezone.now() - timedelta(days=days_ago)
    claim.save()
    ItemFactory(claim=claim)
    return claim


def listed(response) -> list[int]:
    return [claim.pk for claim in response.context["claims"]]


# The list


def test_submitted_claims_are_listed_oldest_first_with_their_age(signed_in):
    newer, older = submitted(days_ago=2), submitted(days_ago=12)
    ClaimFactory(status=Claim.Status.DRAFT)
    ClaimFactory(status=Claim.Status.APPROVED)

    response = signed_in.get(QUEUE)

    assert listed(response) == [older.pk, newer.pk]
    text = response.content.decode()
    assert "submitted 12 days ago" in text
    assert "submitted 2 days ago" in text


def test_a_claim_flagged_overdue_says_so_in_words(signed_in):
    claim = submitted(days_ago=20)
    claim.overdue_flagged_at = timezone.now()
    claim.save()

    assert "Overdue: unpaid for 10 working days or more" in signed_in.get(QUEUE).content.decode()


def test_the_total_of_each_claim_is_exact(signed_in):
    claim = submitted()
    ItemFactory(claim=claim, amount=Decimal("0.10"))
    ItemFactory(claim=claim, amount=Decimal("0.20"))

    response = signed_in.get(QUEUE)

    assert response.context["claims"][0].total == Decimal("4.50")
    assert '<td class="text-end">£4.50</td>' in response.content.decode()


def test_the_second_tab_lists_approved_claims_not_yet_paid(signed_in):
    approved = ClaimFactory(status=Claim.Status.APPROVED)
    ClaimFactory(status=Claim.Status.PAID)
    submitted()

    assert listed(signed_in.get(QUEUE, {"show": "approved"})) == [approved.pk]


def test_the_region_filter_uses_the_sessions_region_or_the_trainers_for_other_activity(
    signed_in,
):
    north, south = RegionFactory(name="North"), RegionFactory(name="South")
    session_in_north = submitted(session__region=north, trainer=TrainerFactory(region=south))
    supervision_of_northern_trainer = submitted(
        activity=Claim.Activity.SUPERVISION,
        session=None,
        activity_description="Supervision in Leeds",
        trainer=TrainerFactory(region=north),
    )
    submitted(session__region=south, trainer=TrainerFactory(region=north))

    response = signed_in.get(QUEUE, {"region": north.pk})

    assert sorted(listed(response)) == sorted(
        [session_in_north.pk, supervision_of_northern_trainer.pk]
    )


def test_the_trainer_filter_lists_that_trainers_claims_only(signed_in):
    theirs = submitted()
    submitted()

    assert listed(signed_in.get(QUEUE, {"trainer": theirs.trainer_id})) == [theirs.pk]


def test_an_unknown_filter_value_is_refused_clearly(signed_in):
    submitted()

    response = signed_in.get(QUEUE, {"region": "999999"})

    assert response.context["filter_form"].errors == {"region": ["Choose a region from the list."]}
    assert listed(response) == []


def test_the_queue_is_in_the_coordinators_menu(signed_in):
    assert f'href="{QUEUE}"' in signed_in.get(reverse("expenses:rate-list")).content.decode()


def test_people_other_than_coordinators_are_refused(client):
    client.force_login(UserFactory(roles=[Role.MANAGER, Role.TRAINER]))

    assert client.get(QUEUE).status_code == 403


def _many_claims(count: int) -> None:
    trainer = TrainerFactory()
    now = timezone.now()
    claims = Claim.objects.bulk_create(
        Claim(
            trainer=trainer,
            activity=Claim.Activity.OTHER,
            activity_description="Planning day",
            status=Claim.Status.SUBMITTED,
            submitted_at=now - timedelta(minutes=n),
        )
        for n in range(count)
    )
    Item.objects.bulk_create(
        Item(claim=claim, kind="parking", spent_on=now.date(), description="Car park", amount=2)
        for claim in claims
    )


def test_the_queue_runs_the_same_queries_with_10_and_10000_claims(signed_in):
    _many_claims(10)
    with CaptureQueriesContext(connection) as few:
        assert len(listed(signed_in.get(QUEUE))) == 10
    _many_claims(9990)

    with CaptureQueriesContext(connection) as many:
        assert len(listed(signed_in.get(QUEUE))) == 50

    assert len(many.captured_queries) == len(few.captured_queries) <= 10


# Bulk


def bulk(client, claims, **data):
    return client.post(QUEUE, {"claims": [c.pk for c in claims], **data}, follow=True)


def test_several_claims_are_approved_at_once_and_each_refusal_is_reported(signed_in, coordinator):
    first, second = submitted(days_ago=3), submitted(days_ago=2)
    already = ClaimFactory(status=Claim.Status.APPROVED)
    own = submitted(trainer=TrainerFactory(user=coordinator))

    response = bulk(signed_in, [first, second, already, own], action="approve")

    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == Claim.Status.APPROVED
    assert statuses[own.pk] == Claim.Status.SUBMITTED
    text = [str(m) for m in response.context["messages"]]
    assert f"Approved: claim {first.pk}, claim {second.pk}." in text
    assert (
        f"Claim {already.pk} was not changed: This claim is approved already, so it was not "
        "changed." in text
    )
    assert (
        f"Claim {own.pk} was not changed: You cannot decide on your own claim: ask another "
        "coordinator." in text
    )


def approved(days_ago: int = 0) -> Claim:
    """A claim submitted and approved `days_ago` days ago."""
    claim = submitted(days_ago=days_ago)
    claim.status = Claim.Status.APPROVED
    claim.save()
    ClaimEvent.objects.create(
        claim=claim,
        by=UserFactory(roles=[Role.COORDINATOR]),
        at=timezone.now() - timedelta(days=days_ago),
        from_status=Claim.Status.SUBMITTED,
        to_status=Claim.Status.APPROVED,
    )
    return claim


def test_several_claims_are_marked_paid_with_one_date_and_reference(signed_in):
    claims = [approved(days_ago=3) for _ in range(3)]
    yesterday = timezone.localdate() - timedelta(days=1)

    bulk(signed_in, claims, action="pay", paid_on=yesterday.isoformat(), reference="Run 7")

    assert set(
        Claim.objects.filter(pk__in=[c.pk for c in claims]).values_list(
            "status", "paid_on", "payment_reference"
        )
    ) == {(Claim.Status.PAID, yesterday, "Run 7")}


def test_marking_paid_only_pays_approved_claims_and_says_why_not_the_others(signed_in):
    approved, waiting = ClaimFactory(status=Claim.Status.APPROVED), submitted()

    response = bulk(
        signed_in,
        [approved, waiting],
        action="pay",
        paid_on=timezone.localdate().isoformat(),
    )

    waiting.refresh_from_db()
    assert waiting.status == Claim.Status.SUBMITTED
    assert (
        f"Claim {waiting.pk} was not changed: This claim is submitted, so it cannot be marked paid."
        in [str(m) for m in response.context["messages"]]
    )


def test_an_empty_selection_is_refused_and_nothing_changes(signed_in):
    submitted()

    response = signed_in.post(QUEUE, {"action": "approve"})

    assert response.context["bulk"].errors == {"claims": ["Choose at least one claim."]}
    assert "Nothing was changed" in response.content.decode()
    assert not Claim.objects.exclude(status=Claim.Status.SUBMITTED).exists()


@pytest.mark.parametrize("crafted", ["999999", "not-a-number"])
def test_an_unknown_claim_among_the_chosen_refuses_them_all(signed_in, crafted):
    claim = submitted()

    response = signed_in.post(QUEUE, {"claims": [claim.pk, crafted], "action": "approve"})

    assert "claims" in response.context["bulk"].errors
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    assert f'value="{claim.pk}" id="claim-{claim.pk}" aria-describedby="claims-error" checked' in (
        response.content.decode()
    )


def test_a_crafted_draft_among_the_chosen_is_refused_and_nothing_changes(signed_in):
    claim, draft = submitted(), ClaimFactory(status=Claim.Status.DRAFT)

    response = signed_in.post(QUEUE, {"claims": [claim.pk, draft.pk], "action": "approve"})

    assert "claims" in response.context["bulk"].errors
    assert set(Claim.objects.values_list("status", flat=True)) == {"submitted", "draft"}


def test_a_payment_date_in_the_future_is_refused_before_any_claim_is_paid(signed_in):
    claim = ClaimFactory(status=Claim.Status.APPROVED)
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = signed_in.post(
        f"{QUEUE}?show=approved",
        {"claims": [claim.pk], "action": "pay", "paid_on": tomorrow.isoformat(), "reference": "R1"},
    )

    assert response.context["bulk"].errors == {
        "paid_on": ["The payment date cannot be in the future."]
    }
    assert 'value="R1"' in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED


def test_a_payment_date_before_a_chosen_claim_was_approved_is_refused_and_nothing_is_paid(
    signed_in,
):
    earlier, later = approved(days_ago=5), approved(days_ago=2)
    later_on = timezone.localdate() - timedelta(days=2)
    paid_on = timezone.localdate() - timedelta(days=3)

    response = signed_in.post(
        f"{QUEUE}?show=approved",
        {
            "claims": [earlier.pk, later.pk],
            "action": "pay",
            "paid_on": paid_on.isoformat(),
            "reference": "R1",
        },
    )

    assert response.context["bulk"].errors == {
        "paid_on": [
            "The payment date cannot be before the day a claim was approved: claim "
            f"{later.pk} was approved on {later_on:%-d %B %Y}."
        ]
    }
    assert 'value="R1"' in response.content.decode()
    assert set(Claim.objects.values_list("status", "paid_on")) == {("approved", None)}


@pytest.mark.parametrize(
    ("paid_on", "message"),
    [
        ("9999-12-31", "The payment date cannot be in the future."),
        ("0001-01-01", "The payment date cannot be before the day a claim was approved"),
    ],
)
def test_a_bulk_payment_date_at_either_end_of_the_calendar_is_refused(signed_in, paid_on, message):
    claim = approved(days_ago=2)

    response = signed_in.post(QUEUE, {"claims": [claim.pk], "action": "pay", "paid_on": paid_on})

    assert message in response.context["bulk"].errors["paid_on"][0]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED


def test_marking_paid_without_a_date_is_refused(signed_in):
    claim = ClaimFactory(status=Claim.Status.APPROVED)

    response = signed_in.post(QUEUE, {"claims": [claim.pk], "action": "pay", "paid_on": ""})

    assert response.context["bulk"].errors == {"paid_on": ["Enter the date they were paid."]}
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED


def test_a_trainer_with_an_earnings_limit_is_pointed_out_before_bulk_approval(signed_in):
    limited = submitted()
    submitted()
    limited.trainer.yearly_earnings_limit = Decimal("500.00")
    limited.trainer.save()

    text = signed_in.get(QUEUE).content.decode()

    assert text.count("Has a yearly earnings limit") == 1
    row = text.split(f'id="claim-{limited.pk}"')[1].split("</tr>")[0]
    assert "Has a yearly earnings limit" in row


def test_bulk_approval_leaves_a_claim_that_would_pass_the_trainers_limit_for_its_own_page(
    signed_in,
):
    over = submitted()  # £4.20, with £4.00 left before the limit
    over.trainer.yearly_earnings_limit = Decimal("4.00")
    over.trainer.save()
    within = submitted()
    within.trainer.yearly_earnings_limit = Decimal("4.20")  # exactly at the limit is fine
    within.trainer.save()

    response = bulk(signed_in, [over, within], action="approve")

    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert statuses[over.pk] == Claim.Status.SUBMITTED
    assert statuses[within.pk] == Claim.Status.APPROVED
    text = [str(m) for m in response.context["messages"]]
    assert (
        f"Claim {over.pk} was not changed: Approving it would take the trainer past the yearly "
        "earnings limit they recorded: open the claim to see the warning and approve it there."
        in text
    )


def test_bulk_approval_counts_the_claims_it_has_just_approved_towards_the_limit(signed_in):
    first = submitted(days_ago=2)
    first.trainer.yearly_earnings_limit = Decimal("5.00")
    first.trainer.save()
    second = submitted(
        days_ago=1,
        trainer=first.trainer,
        session=None,
        activity="other",
        activity_description="Supervision travel",
    )

    bulk(signed_in, [first, second], action="approve")

    statuses = dict(Claim.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk]) == (
        Claim.Status.APPROVED,
        Claim.Status.SUBMITTED,
    )
