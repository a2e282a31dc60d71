"""A trainer's claim pages: My expenses, New claim, "Claim expenses for this session", the claim
page (adding expenses with receipts, the exact total, the timeline), submitting after seeing the
total, and the read-only claim once submitted. Bad input is refused at its field with what was
typed kept and nothing saved; crafted POSTs change nothing; another trainer gets a 404."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from expenses.links import claim_links_on_session
from expenses.models import Claim, ClaimEvent, Item, Receipt
from expenses.selectors import SESSIONS_TO_CLAIM_FOR
from expenses.services import claim_decide, claim_pay, claim_submit
from people.models import Role
from sessions.models import DeliveryReport
from tests.expenses.factories import (
    PNG,
    ClaimFactory,
    ItemFactory,
    ReceiptFactory,
    joined_a_year_ago,
)
from tests.factories import (
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)
from trainers.models import Trainer

pytestmark = pytest.mark.django_db

MEGABYTE = 1024 * 1024


@pytest.fixture
def profile() -> Trainer:
    return joined_a_year_ago(TrainerFactory(status="active", user__full_name="Robin Trainer"))


@pytest.fixture
def signed_in(client, profile):
    client.force_login(profile.user)
    return client


@pytest.fixture
def draft(profile) -> Claim:
    return ClaimFactory(trainer=profile)


def detail(claim: Claim) -> str:
    return reverse("expenses:claim-detail", kwargs={"pk": claim.pk})


def delivered_session_for(profile: Trainer, *, days_ago: int = 2, status: str = "delivered"):
    starts = timezone.now() - timedelta(days=days_ago)
    session = TrainingSessionFactory(
        starts_at=starts, ends_at=starts + timedelta(hours=3), status=status
    )
    TrainerAssignmentFactory(session=session, user=profile.user, status="accepted")
    return session


def item_post(**fields) -> dict:
    return {
        "kind": Item.Kind.PUBLIC_TRANSPORT,
        "spent_on": timezone.localdate().isoformat(),
        "description": "Bus to the venue",
        "amount": "4.20",
    } | fields


def shown(html: str, name: str, value: str) -> bool:
    """Whether the form on the page still holds what the person typed or chose."""
    if name in ("kind", "vehicle"):
        return f'<option value="{value}" selected>' in html
    return f'name="{name}" value="{value}"' in html


def text(response) -> str:
    return " ".join(response.content.decode().split())


# Starting a claim from where the trainer is


def test_my_sessions_offers_to_claim_for_a_recent_session_and_the_button_opens_its_draft(
    signed_in, profile
):
    session = delivered_session_for(profile)
    start = reverse("expenses:claim-start", kwargs={"session_id": session.pk})

    page = signed_in.get(reverse("sessions:my-sessions"))

    assert f'action="{start}"' in page.content.decode()
    assert "Claim expenses for this session" in text(page)
    response = signed_in.post(start)
    claim = Claim.objects.get()
    assert response.url == detail(claim)
    assert (claim.session, claim.status) == (session, Claim.Status.DRAFT)
    signed_in.post(start)
    assert Claim.objects.count() == 1


def test_offering_claims_on_my_sessions_adds_no_query_per_session(
    signed_in, profile, django_assert_max_num_queries
):
    delivered_session_for(profile)
    url = reverse("sessions:my-sessions")
    signed_in.get(url)
    with django_assert_max_num_queries(20) as few:
        signed_in.get(url)

    for days_ago in range(1, 7):
        delivered_session_for(profile, days_ago=days_ago)

    with django_assert_max_num_queries(len(few)):
        page = text(signed_in.get(url))
    assert page.count("Claim expenses for this session") == 7


def test_a_session_still_to_come_offers_no_claim(signed_in, profile):
    upcoming = TrainerAssignmentFactory(user=profile.user, status="accepted").session

    page = signed_in.get(reverse("sessions:my-sessions"))

    assert upcoming.course_version.course.title in page.content.decode()
    assert "Claim expenses for this session" not in text(page)


def test_the_filed_delivery_report_offers_to_claim(signed_in, profile):
    session = delivered_session_for(profile, status="confirmed")
    report = reverse("sessions:delivery-report", kwargs={"pk": session.pk})
    start = reverse("expenses:claim-start", kwargs={"session_id": session.pk})
    assert f'action="{start}"' not in signed_in.get(report).content.decode()

    filed = signed_in.post(
        report,
        {
            "delivered_as_planned": "yes",
            "attendee_count": "0",
            "went_well": "",
            "to_change": "",
        },
    )
    assert filed.status_code == 302

    assert f'action="{start}"' in signed_in.get(report).content.decode()


def test_the_filed_report_of_a_session_over_a_year_ago_offers_no_claim(signed_in, profile):
    session = delivered_session_for(profile, days_ago=366)
    DeliveryReport.objects.create(
        session=session, delivered_as_planned=True, attendee_count=0, submitted_by=profile.user
    )
    start = reverse("expenses:claim-start", kwargs={"session_id": session.pk})

    report = signed_in.get(reverse("sessions:delivery-report", kwargs={"pk": session.pk}))

    assert report.status_code == 200
    assert f'action="{start}"' not in report.content.decode()
    assert signed_in.post(start).status_code == 404


@pytest.mark.parametrize(
    ("after_start", "offered"),
    [
        (SESSIONS_TO_CLAIM_FOR - timedelta(minutes=1), True),
        (SESSIONS_TO_CLAIM_FOR, True),
        (SESSIONS_TO_CLAIM_FOR + timedelta(minutes=1), False),
    ],
    ids=["a minute inside", "on the edge", "a minute past"],
)
def test_the_claim_button_is_offered_exactly_while_the_claim_can_be_started(
    signed_in, profile, after_start, offered
):
    session = delivered_session_for(profile)
    start = reverse("expenses:claim-start", kwargs={"session_id": session.pk})

    with time_machine.travel(session.starts_at + after_start, tick=False):
        signed_in.force_login(profile.user)  # a year on, the sign-in has long expired
        links = claim_links_on_session(session=session, user=profile.user)
        response = signed_in.post(start)

    assert [link.url for link in links] == ([start] if offered else [])
    assert response.status_code == (302 if offered else 404)
    assert Claim.objects.filter(session=session).exists() == offered


def test_a_trainer_cannot_open_a_claim_for_a_session_they_were_not_on(signed_in, profile):
    other = TrainerFactory()
    session = delivered_session_for(other)

    response = signed_in.post(reverse("expenses:claim-start", kwargs={"session_id": session.pk}))

    assert response.status_code == 404
    assert not Claim.objects.exists()


def test_a_trainer_who_chose_no_payment_is_told_why_and_where_to_change_it(signed_in, profile):
    profile.payment_choice = Trainer.Payment.DECLINE
    profile.save(update_fields=["payment_choice"])
    session = delivered_session_for(profile)

    response = signed_in.post(
        reverse("expenses:claim-start", kwargs={"session_id": session.pk}), follow=True
    )

    assert not Claim.objects.exists()
    page = text(response)
    assert "You chose “no payment” on your profile, so you cannot claim expenses." in page
    assert reverse("trainers:my-profile") in page
    assert "booked and paid for you" in page
    new_claim = text(signed_in.get(reverse("expenses:claim-create")))
    assert "You cannot claim expenses at the moment" in new_claim
    assert "Start the claim" not in new_claim


def test_a_new_claim_for_other_approved_activity(signed_in, profile):
    response = signed_in.post(
        reverse("expenses:claim-create"),
        {"activity": Claim.Activity.T3_DAY, "activity_description": "Train the Trainer day 2"},
    )

    claim = Claim.objects.get()
    assert response.url == detail(claim)
    assert (claim.trainer, claim.activity, claim.session) == (profile, "t3_day", None)


def test_a_new_claim_for_a_session_offers_only_sessions_the_trainer_was_on(signed_in, profile):
    mine = delivered_session_for(profile, days_ago=20)
    theirs = delivered_session_for(TrainerFactory())

    form = signed_in.get(reverse("expenses:claim-create")).content.decode()
    response = signed_in.post(
        reverse("expenses:claim-create"),
        {"activity": Claim.Activity.SESSION, "session": theirs.pk},
    )

    assert f'value="{mine.pk}"' in form
    assert f'value="{theirs.pk}"' not in form
    assert "Choose a session you were on." in text(response)
    signed_in.post(
        reverse("expenses:claim-create"), {"activity": Claim.Activity.SESSION, "session": mine.pk}
    )
    assert Claim.objects.get().session == mine


def test_other_activity_without_saying_what_is_refused_at_the_field(signed_in):
    response = signed_in.post(
        reverse("expenses:claim-create"), {"activity": Claim.Activity.SUPERVISION}
    )

    assert response.status_code == 200
    assert "Say what the activity was." in text(response)
    assert not Claim.objects.exists()


# The claim page: adding expenses


def test_the_claim_page_adds_a_mileage_trip_and_a_bus_fare_and_totals_them(signed_in, draft):
    page = text(signed_in.get(detail(draft)))
    assert "car £0.45" in page  # the rate is shown beside the mileage fields

    signed_in.post(
        detail(draft),
        item_post(
            kind=Item.Kind.MILEAGE,
            amount="",
            miles="23.5",
            vehicle="car",
            description="Home to the venue and back",
        ),
    )
    signed_in.post(detail(draft), item_post(receipts=[SimpleUploadedFile("bus.png", PNG)]))

    page = text(signed_in.get(detail(draft)))
    assert "23.5 miles, car, at £0.45 a mile" in page
    assert "£10.58" in page
    assert "bus.png" in page
    assert 'id="claim-total">£14.78<' in page
    assert "Submit claim (total £14.78)" in page


def test_the_add_form_starts_on_the_day_of_the_session_claimed_for(signed_in, profile):
    starts = timezone.now() - timedelta(days=3)
    session = TrainingSessionFactory(starts_at=starts, ends_at=starts + timedelta(hours=3))
    claim = ClaimFactory(trainer=profile, session=session)

    page = signed_in.get(detail(claim)).content.decode()

    day = timezone.localtime(session.starts_at).date().isoformat()
    assert f'name="spent_on" value="{day}"' in page


def test_amounts_that_floats_would_round_add_up_exactly(signed_in, draft):
    for amount in ["0.10", "0.20", "0.70", "1.10", "2.20"]:
        signed_in.post(detail(draft), item_post(amount=amount))
    for miles in ["0.1", "0.2"]:
        signed_in.post(
            detail(draft), item_post(kind="mileage", amount="", miles=miles, vehicle="car")
        )

    page = text(signed_in.get(detail(draft)))

    # 0.1 + 0.2 miles at 45p are 5p and 9p; the fares 4.30: every figure to the penny.
    assert Item.objects.count() == 7
    assert 'id="claim-total">£4.44<' in page


BAD_ITEMS = [
    ({"amount": "-4.20"}, "amount", "Enter an amount of more than £0."),
    ({"amount": "0"}, "amount", "Enter an amount of more than £0."),
    ({"amount": "4.205"}, "amount", "Enter pounds and pence only, for example 4.20."),
    (
        {"amount": "four pounds"},
        "amount",
        "Enter the amount in pounds and pence, for example 4.20.",
    ),
    (
        {"kind": "mileage", "amount": "", "miles": "0", "vehicle": "car"},
        "miles",
        "Enter the miles, more than 0 and up to 1,000.",
    ),
    (
        {"kind": "mileage", "amount": "", "miles": "10000", "vehicle": "car"},
        "miles",
        "Enter the miles, more than 0 and up to 1,000.",
    ),
    ({"kind": "mileage", "amount": "", "miles": "12"}, "vehicle", "Choose how you travelled."),
    ({"kind": "taxi"}, "reason", "Say why a taxi was needed."),
    (
        {"spent_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
        "spent_on",
        "The date cannot be in the future.",
    ),
    (
        {"spent_on": (timezone.localdate() - timedelta(days=400)).isoformat()},
        "spent_on",
        "The date is before you joined the programme.",
    ),
    ({"description": ""}, "description", "Say what the expense was."),
]


@pytest.mark.parametrize(
    ("fields", "field", "message"), BAD_ITEMS, ids=[f"{b[1]}:{b[0]}" for b in BAD_ITEMS]
)
def test_a_bad_expense_is_refused_at_its_field_keeping_what_was_typed(
    signed_in, draft, fields, field, message
):
    typed = item_post(description="Bus to the venue on Tuesday") | fields

    response = signed_in.post(detail(draft), typed)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {field: [message]}
    html = response.content.decode()
    for name, value in typed.items():
        if value:
            assert shown(html, name, value), name
    assert "Error: " in text(response).split("·")[0]
    assert not Item.objects.exists()


def test_a_program_renamed_pdf_is_refused_with_its_name_and_nothing_saved(signed_in, draft):
    program = SimpleUploadedFile("receipt.pdf", b"MZ\x90\x00\x03" + b"\x00" * 500)

    response = signed_in.post(detail(draft), item_post(receipts=[program]))

    assert response.context["form"].errors == {
        "receipts": [
            "receipt.pdf: This file is not a PDF, JPEG or PNG. Choose a file of one of those types."
        ]
    }
    assert not Item.objects.exists()
    assert not Receipt.objects.exists()


def test_an_11_mb_photo_is_refused_and_nothing_saved(signed_in, draft):
    photo = SimpleUploadedFile(
        "photo.png", PNG + b"\x00" * (11 * MEGABYTE - len(PNG)), content_type="image/png"
    )

    response = signed_in.post(detail(draft), item_post(receipts=[photo]))

    assert response.context["form"].errors == {
        "receipts": ["photo.png: This file is 11 MB; the most it can be is 10 MB."]
    }
    assert not Item.objects.exists()


def test_the_receipt_field_takes_several_files_and_a_phone_camera(signed_in, draft):
    page = signed_in.get(detail(draft)).content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert 'accept="application/pdf,image/jpeg,image/png,image/*"' in page
    assert "multiple" in page.split('name="receipts"')[1].split(">")[0]


# Changing an expense


def test_changing_an_expense_and_adding_a_receipt(signed_in, draft):
    item = ItemFactory(claim=draft)
    url = reverse("expenses:item-edit", kwargs={"pk": item.pk})
    assert 'value="4.20"' in signed_in.get(url).content.decode()

    response = signed_in.post(
        url, item_post(amount="5.60", receipts=[SimpleUploadedFile("ticket.png", PNG)])
    )

    assert response.url == detail(draft)
    item.refresh_from_db()
    assert item.amount == Decimal("5.60")
    assert [r.original_name for r in item.receipts.all()] == ["ticket.png"]


def test_a_bad_change_keeps_what_was_typed_and_the_expense_as_it_was(signed_in, draft):
    item = ItemFactory(claim=draft)

    response = signed_in.post(
        reverse("expenses:item-edit", kwargs={"pk": item.pk}),
        item_post(amount="0", description="Changed my mind"),
    )

    assert response.context["form"].errors == {"amount": ["Enter an amount of more than £0."]}
    assert 'value="Changed my mind"' in response.content.decode()
    item.refresh_from_db()
    assert (item.amount, item.description) == (Decimal("4.20"), "Bus to the venue")


def test_removing_an_expense_and_a_receipt(signed_in, draft):
    receipt = ReceiptFactory(item=ItemFactory(claim=draft))
    kept = ItemFactory(claim=draft)

    signed_in.post(reverse("expenses:receipt-remove", kwargs={"pk": receipt.pk}))
    assert not Receipt.objects.exists()
    signed_in.post(reverse("expenses:item-remove", kwargs={"pk": receipt.item_id}))

    assert list(draft.items.all()) == [kept]


def test_discarding_a_draft(signed_in, draft):
    response = signed_in.post(reverse("expenses:claim-discard", kwargs={"pk": draft.pk}))

    assert response.url == reverse("expenses:claim-list")
    assert not Claim.objects.exists()


# Submitting


def test_submitting_shows_the_total_first_then_submits(signed_in, draft):
    ItemFactory(claim=draft, amount=Decimal("10.58"))
    ItemFactory(claim=draft)
    url = reverse("expenses:claim-submit", kwargs={"pk": draft.pk})

    check = text(signed_in.get(url))
    assert "Submit claim for £14.78" in check
    assert "yearly earnings limit" not in check
    assert Claim.objects.get().status == Claim.Status.DRAFT

    response = signed_in.post(url)

    assert response.url == detail(draft)
    assert Claim.objects.get().status == Claim.Status.SUBMITTED


def test_before_submitting_a_trainer_is_warned_the_claim_takes_them_past_their_limit(
    signed_in, profile, draft
):
    profile.yearly_earnings_limit = Decimal("100.00")
    profile.save(update_fields=["yearly_earnings_limit"])
    ItemFactory(claim=ClaimFactory(trainer=profile, status="paid"), amount=Decimal("90.00"))
    ItemFactory(claim=draft, amount=Decimal("10.01"))

    check = text(signed_in.get(reverse("expenses:claim-submit", kwargs={"pk": draft.pk})))

    assert "This claim would take you past your yearly earnings limit" in check
    assert "limit of £100.00" in check
    assert "it would be £100.01" in check
    assert "Submit claim for £10.01" in check  # a warning, not a block


def test_a_claim_just_up_to_the_limit_gives_no_warning(signed_in, profile, draft):
    profile.yearly_earnings_limit = Decimal("100.00")
    profile.save(update_fields=["yearly_earnings_limit"])
    ItemFactory(claim=ClaimFactory(trainer=profile, status="paid"), amount=Decimal("90.00"))
    ItemFactory(claim=draft, amount=Decimal("10.00"))

    check = text(signed_in.get(reverse("expenses:claim-submit", kwargs={"pk": draft.pk})))

    assert "yearly earnings limit" not in check


@pytest.mark.parametrize("status", ["submitted", "approved", "rejected", "paid"])
def test_a_claim_past_its_trainer_is_read_only_and_crafted_posts_change_nothing(
    signed_in, profile, status
):
    claim = ClaimFactory(trainer=profile, status=status)
    receipt = ReceiptFactory(item=ItemFactory(claim=claim))
    item = receipt.item

    page = text(signed_in.get(detail(claim)))
    posts = [
        (detail(claim), item_post(amount="99.00")),
        (reverse("expenses:item-edit", kwargs={"pk": item.pk}), item_post(amount="99.00")),
        (reverse("expenses:item-remove", kwargs={"pk": item.pk}), {}),
        (reverse("expenses:receipt-remove", kwargs={"pk": receipt.pk}), {}),
        (reverse("expenses:claim-submit", kwargs={"pk": claim.pk}), {}),
        (reverse("expenses:claim-discard", kwargs={"pk": claim.pk}), {}),
    ]
    for url, data in posts:
        assert signed_in.post(url, data).status_code == 302, url

    assert "Add an expense" not in page
    assert "Submit claim" not in page
    assert "Change or add receipts" not in page
    item.refresh_from_db()
    assert item.amount == Decimal("4.20")
    assert (Item.objects.count(), Receipt.objects.count()) == (1, 1)
    assert Claim.objects.get().status == status


def test_a_returned_claim_shows_the_reason_and_can_be_changed_again(signed_in, profile):
    claim = ClaimFactory(trainer=profile, status="returned", decision_reason="Add the bus receipt.")

    page = text(signed_in.get(detail(claim)))
    signed_in.post(detail(claim), item_post())

    assert "Returned for a change" in page
    assert "The coordinator wrote: Add the bus receipt." in page
    assert "Add an expense" in page
    assert claim.items.count() == 1


def test_a_rejected_claim_shows_the_reason(signed_in, profile):
    claim = ClaimFactory(
        trainer=profile, status="rejected", decision_reason="Not approved activity."
    )

    page = text(signed_in.get(detail(claim)))

    assert "Not approved" in page
    assert "The coordinator wrote: Not approved activity." in page


def test_the_timeline_reads_submitted_approved_paid_with_the_coordinators_name(signed_in, draft):
    ItemFactory(claim=draft)
    claim_submit(claim=draft, by=draft.trainer.user)
    coordinator = UserFactory(full_name="Casey Coordinator", roles=[Role.COORDINATOR])
    claim_decide(claim=draft, by=coordinator, to=Claim.Status.APPROVED)
    claim_pay(claim=draft, by=coordinator, paid_on=timezone.localdate(), reference="BACS 1")

    page = text(signed_in.get(detail(draft)))

    today = f"{timezone.localdate():%-d %B %Y}"
    timeline = page.split("What has happened")[1]
    assert timeline.index("Submitted") < timeline.index("Approved") < timeline.index("Paid on")
    assert f"Paid on {today}" in timeline
    assert "by you" in timeline
    assert "by Casey Coordinator" in timeline
    assert "(reference BACS 1)" in page


# My expenses


def test_my_expenses_lists_each_claim_with_what_for_status_total_and_date(signed_in, profile):
    session_claim = ClaimFactory(trainer=profile, status="submitted")
    ItemFactory(claim=session_claim, amount=Decimal("0.10"))
    ItemFactory(claim=session_claim, amount=Decimal("0.20"))
    ClaimFactory(
        trainer=profile, activity="supervision", session=None, activity_description="Supervision"
    )
    ClaimFactory()  # someone else's

    page = text(signed_in.get(reverse("expenses:claim-list")))

    course = session_claim.session.course_version.course.title
    assert course in page
    assert "Submitted" in page
    assert "£0.30" in page
    assert "Travel to supervision: Supervision" in page
    assert "£0.00" in page
    assert page.count(reverse("expenses:claim-detail", kwargs={"pk": session_claim.pk})) == 1
    assert page.count("<tr>") == 3  # the heading and the trainer's own two


def test_my_expenses_is_in_the_trainers_menu(signed_in):
    page = signed_in.get(reverse("sessions:my-sessions")).content.decode()

    assert reverse("expenses:claim-list") in page


def many_claims(profile: Trainer, count: int) -> None:
    session = TrainingSessionFactory()
    claims = Claim.objects.bulk_create(
        Claim(trainer=profile, activity="session", session=session) for _ in range(count)
    )
    Item.objects.bulk_create(
        Item(claim=claim, kind="parking", spent_on=timezone.localdate(), description="P", amount=1)
        for claim in claims
    )


def test_my_expenses_runs_the_same_queries_for_10_and_10000_claims(
    signed_in, profile, django_assert_max_num_queries
):
    many_claims(profile, 10)
    url = reverse("expenses:claim-list")
    signed_in.get(url)
    with django_assert_max_num_queries(15) as few:
        signed_in.get(url)

    many_claims(profile, 9_990)

    with django_assert_max_num_queries(len(few)) as many:
        response = signed_in.get(url)
    assert len(many) == len(few)
    assert "1 to 25 of 10000" in text(response)


def test_the_claim_page_runs_a_bounded_number_of_queries(
    signed_in, draft, django_assert_max_num_queries
):
    ReceiptFactory(item=ItemFactory(claim=draft))
    signed_in.get(detail(draft))
    with django_assert_max_num_queries(20) as few:
        signed_in.get(detail(draft))

    for _ in range(15):
        ReceiptFactory(item=ItemFactory(claim=draft))
        ClaimEvent.objects.create(
            claim=draft, by=draft.trainer.user, at=timezone.now(), to_status="draft"
        )

    with django_assert_max_num_queries(len(few)):
        signed_in.get(detail(draft))


# Receipts are private


@pytest.mark.parametrize(
    ("spent_on", "message"),
    [
        ("9999-12-31", "The date cannot be in the future."),
        ("0001-01-01", "The date is before you joined the programme."),
    ],
)
def test_an_expense_dated_at_either_end_of_the_calendar_is_refused_at_the_date(
    signed_in, draft, spent_on, message
):
    response = signed_in.post(detail(draft), item_post(spent_on=spent_on))

    assert response.context["form"].errors == {"spent_on": [message]}
    assert not Item.objects.exists()


def test_a_receipt_is_downloaded_by_its_trainer_and_coordinators_only(
    client, profile, other_trainer, coordinator
):
    claim = ClaimFactory(trainer=profile, status=Claim.Status.SUBMITTED)
    receipt = ReceiptFactory(item=ItemFactory(claim=claim))
    url = reverse("expenses:receipt-download", kwargs={"pk": receipt.pk})

    client.force_login(profile.user)
    own = client.get(url)
    client.force_login(coordinator)
    coordinators = client.get(url)
    client.force_login(other_trainer)
    others = client.get(url)

    assert own.status_code == coordinators.status_code == 200
    assert b"".join(own.streaming_content) == PNG
    assert own["Content-Type"] == "image/png"
    assert own["Content-Disposition"].startswith("attachment")
    assert own["Cache-Control"] == "no-store"
    assert others.status_code == 404


def test_a_receipt_on_a_draft_is_its_trainers_own_and_a_coordinator_gets_404(
    client, profile, coordinator
):
    receipt = ReceiptFactory(item=ItemFactory(claim=ClaimFactory(trainer=profile)))
    url = reverse("expenses:receipt-download", kwargs={"pk": receipt.pk})

    client.force_login(coordinator)
    coordinators = client.get(url)
    client.force_login(profile.user)
    own = client.get(url)

    assert coordinators.status_code == 404
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PNG


def test_a_coordinator_who_is_also_a_trainer_downloads_receipts_of_their_own_draft(client):
    profile = joined_a_year_ago(
        TrainerFactory(status="active", user__roles=[Role.TRAINER, Role.COORDINATOR])
    )
    receipt = ReceiptFactory(item=ItemFactory(claim=ClaimFactory(trainer=profile)))
    client.force_login(profile.user)

    response = client.get(reverse("expenses:receipt-download", kwargs={"pk": receipt.pk}))

    assert response.status_code == 200


def test_no_public_url_serves_a_receipt(client, profile):
    receipt = ReceiptFactory(item=ItemFactory(claim=ClaimFactory(trainer=profile)))
    public = settings.MEDIA_URL + receipt.file.name
    client.force_login(profile.user)

    assert receipt.file.name.startswith("private/")
    with pytest.raises(Resolver404):
        resolve(public)
    assert client.get(public).status_code == 404


def test_another_trainer_reaching_a_claim_item_or_receipt_gets_404(client, other_trainer, draft):
    TrainerFactory(user=other_trainer)
    receipt = ReceiptFactory(item=ItemFactory(claim=draft))
    client.force_login(other_trainer)
    urls = [
        detail(draft),
        reverse("expenses:claim-submit", kwargs={"pk": draft.pk}),
        reverse("expenses:claim-discard", kwargs={"pk": draft.pk}),
        reverse("expenses:item-edit", kwargs={"pk": receipt.item_id}),
        reverse("expenses:item-remove", kwargs={"pk": receipt.item_id}),
        reverse("expenses:receipt-remove", kwargs={"pk": receipt.pk}),
    ]

    for url in urls:
        assert client.post(url, item_post(amount="1.00")).status_code == 404, url

    assert (Claim.objects.get().status, Item.objects.get().amount) == ("draft", Decimal("4.20"))
    assert Receipt.objects.count() == 1
