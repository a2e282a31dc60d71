"""A trainer claims expenses on their phone after delivering a session; a coordinator at a desk
approves and pays the claim; the trainer sees the timeline and got the emails, and the session's
cost per learner includes the claim."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from people.models import APP_DEVICE, Role
from sessions.models import Registration, TrainerAssignment
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_session_journey import open_from_menu
from tests.expenses.factories import PNG, joined_a_year_ago
from tests.factories import (
    PASSWORD,
    RegistrationFactory,
    SessionCostFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


def test_a_trainer_claims_on_a_phone_and_a_coordinator_approves_and_pays(
    page, new_context, live_server, sign_in, axe_check, mailoutbox, starting_mileage_rates
):
    coordinator = UserFactory(
        email="casey@example.org", full_name="Casey Coordinator", roles=[Role.COORDINATOR]
    )
    device = TOTPDevice.objects.create(user=coordinator, name=APP_DEVICE, confirmed=True)
    robin = joined_a_year_ago(
        TrainerFactory(
            certified=True, user__email="robin@example.org", user__full_name="Robin Trainer"
        )
    ).user
    ended = timezone.now() - timedelta(minutes=30)
    session = TrainingSessionFactory(
        starts_at=ended - timedelta(hours=3), ends_at=ended, coordinator=coordinator
    )
    TrainerAssignmentFactory(session=session, user=robin, status=TrainerAssignment.Status.ACCEPTED)
    for status in (Registration.Status.ATTENDED, Registration.Status.ATTENDED):
        RegistrationFactory(session=session, status=status)
    SessionCostFactory(session=session, amount="20.00")  # refreshments

    # Robin, on their phone, files the delivery report and claims from it.
    phone = new_context(viewport=PHONE).new_page()
    sign_in(phone, robin.email, PASSWORD)
    expect(phone.get_by_role("heading", name="My sessions", level=1)).to_be_visible()
    phone.get_by_role("link", name=re.compile(r"^Attendance register")).click()
    phone.get_by_role("navigation", name="This session").get_by_role(
        "link", name="Delivery report"
    ).click()
    expect(phone.get_by_role("heading", name="Delivery report", level=1)).to_be_visible()
    phone.get_by_role("radio", name="Yes").check()
    phone.get_by_label("Number of learners").fill("2")
    phone.get_by_role("button", name="File the report").click()
    expect(phone.get_by_text("Thank you. Your report is filed")).to_be_visible()
    phone.get_by_role("button", name="Claim expenses for this session").click()
    expect(
        phone.get_by_role("heading", name=re.compile("^Expenses claim"), level=1)
    ).to_be_visible()
    axe_check(phone)

    phone.get_by_label("Kind of expense").select_option(label="Mileage")
    phone.get_by_label("What it was").fill("Drive to the venue and back")
    phone.get_by_label("Miles (mileage only)").fill("23.5")
    phone.get_by_label("How you travelled (mileage only)").select_option(label="Car")
    phone.get_by_role("button", name="Add the expense").click()
    expect(phone.get_by_text("Mileage of £10.58 added.")).to_be_visible()

    phone.get_by_label("Kind of expense").select_option(label="Public transport")
    phone.get_by_label("What it was").fill("Bus into town")
    phone.get_by_label("Amount (£)").fill("4.20")
    phone.get_by_label("Receipts (optional)").set_input_files(
        files=[{"name": "bus-ticket.png", "mimeType": "image/png", "buffer": PNG}]
    )
    phone.get_by_role("button", name="Add the expense").click()
    expect(phone.get_by_text("Public transport of £4.20 added.")).to_be_visible()
    expect(phone.get_by_role("link", name=re.compile("bus-ticket.png"))).to_be_visible()
    axe_check(phone)

    phone.get_by_role("link", name="Submit claim (total £14.78)").click()
    expect(phone.get_by_role("heading", name=re.compile("^Submit your claim"))).to_be_visible()
    axe_check(phone)
    phone.get_by_role("button", name="Submit claim for £14.78").click()
    expect(
        phone.get_by_role("heading", name=re.compile("^Expenses claim"), level=1)
    ).to_be_visible()

    # Casey, at a desk, approves the claim and records the payment.
    page.set_viewport_size(DESKTOP)
    sign_in(page, coordinator.email, PASSWORD, device=device)
    open_from_menu(page, "Expense claims")
    expect(page.get_by_role("heading", name="Expense claims", level=1)).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name=re.compile(r"^Claim \d+$")).click()
    expect(page.get_by_text("£14.78").first).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("bus-ticket.png"))).to_be_visible()
    axe_check(page)
    page.get_by_role("radio", name="Approve").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text(re.compile(r"Claim \d+ is approved\."))).to_be_visible()
    paid_on = timezone.localdate()
    page.get_by_label("Paid on").fill(paid_on.isoformat())
    page.get_by_label("Payment reference").fill("BACS 4471")
    page.get_by_role("button", name="Mark paid").click()
    expect(page.get_by_text(re.compile(r"Claim \d+ is marked paid\."))).to_be_visible()
    axe_check(page)

    # The session's costs include the claim: (£20.00 + £14.78) / 2 learners.
    page.goto(f"{live_server.url}/schedule/{session.pk}/costs/")
    expect(page.get_by_text("Cost per learner attended: £17.39")).to_be_visible()
    axe_check(page)

    # Robin sees where the money is, and was told at each step.
    phone.reload()
    timeline = phone.locator(".claim-timeline")
    expect(timeline).to_contain_text("Submitted")
    expect(timeline).to_contain_text("Approved")
    expect(timeline).to_contain_text(f"Paid on {paid_on:%-d %B %Y}")
    axe_check(phone)
    subjects = sorted(m.subject for m in mailoutbox if "robin@example.org" in m.to)
    assert [s.rsplit(" is ", 1)[1] for s in subjects] == ["approved", "paid", "received"]
