"""A trainer asks for their yearly statement on My earnings and downloads it once prepared; a
coordinator does the same for them from the session's fees. Celery runs inline here, so the
statement is ready by the time the page comes back."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from expenses.models import Fee
from expenses.selectors import tax_year_of
from people.models import APP_DEVICE, Role
from sessions.models import TrainerAssignment
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_session_journey import open_from_menu
from tests.expenses.factories import FeeFactory, joined_a_year_ago
from tests.factories import PASSWORD, TrainerAssignmentFactory, TrainerFactory, UserFactory
from tests.pdfs import pdf_inflated

pytestmark = pytest.mark.browser


def test_a_trainer_prepares_and_downloads_their_statement_and_a_coordinator_does_for_them(
    page, new_context, live_server, sign_in, axe_check
):
    coordinator = UserFactory(
        email="casey@example.org", full_name="Casey Coordinator", roles=[Role.COORDINATOR]
    )
    device = TOTPDevice.objects.create(user=coordinator, name=APP_DEVICE, confirmed=True)
    trainer = joined_a_year_ago(
        TrainerFactory(
            certified=True, user__email="robin@example.org", user__full_name="Robin Trainer"
        )
    )
    fee = FeeFactory(
        trainer=trainer,
        amount=Decimal("75.00"),
        status=Fee.Status.PAID,
        paid_on=timezone.localdate(),
    )
    TrainerAssignmentFactory(
        session=fee.session, user=trainer.user, status=TrainerAssignment.Status.ACCEPTED
    )
    year = tax_year_of(timezone.localdate())[0].year
    label = f"{year} to {year + 1}"

    phone = new_context(viewport=PHONE).new_page()
    sign_in(phone, trainer.user.email, PASSWORD)
    open_from_menu(phone, "My earnings")
    expect(phone.get_by_role("heading", name=re.compile("^My earnings"), level=1)).to_be_visible()
    axe_check(phone)
    phone.get_by_role("button", name=f"Prepare my statement for {label}").click()
    expect(phone.get_by_text(f"The statement for {label} is being prepared.")).to_be_visible()
    download_link = phone.get_by_role(
        "link", name=re.compile(rf"^Download the statement for {label} \(prepared ")
    )
    expect(download_link).to_be_visible()
    expect(phone.get_by_role("button", name=f"Prepare it again for {label}")).to_be_visible()
    axe_check(phone)
    with phone.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == f"statement-{year}-{year + 1}.pdf"
    with open(download.value.path(), "rb") as pdf:
        content = pdf_inflated(pdf.read())
    heading = "Fees paid: £75.00"
    assert b"<feff" + heading.encode("utf-16-be").hex().encode() + b">" in content

    page.set_viewport_size(DESKTOP)
    sign_in(page, coordinator.email, PASSWORD, device=device)
    page.goto(f"{live_server.url}/fees/sessions/{fee.session_id}/")
    page.get_by_role("link", name="Yearly statements of Robin Trainer").click()
    expect(page.get_by_role("heading", name=re.compile("^Yearly statements"))).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name=f"Prepare the statement for {year - 1} to {year}").click()
    expect(
        page.get_by_role(
            "link", name=re.compile(rf"^Download the statement for {year - 1} to {year} ")
        )
    ).to_be_visible()
    axe_check(page)
