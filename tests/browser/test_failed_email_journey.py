import pytest
from django.core import mail
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from notifications.models import Notification
from people.models import APP_DEVICE, Role
from tests.browser.conftest import DESKTOP, PHONE, menu_open
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_coordinator_finds_an_email_that_failed_and_sends_it_again(
    page, live_server, sign_in, axe_check, viewport
):
    coordinator = UserFactory(
        email="cora@example.org", full_name="Cora Coordinator", roles=[Role.COORDINATOR]
    )
    device = TOTPDevice.objects.create(user=coordinator, name=APP_DEVICE, confirmed=True)
    learner = UserFactory(email="lee.learner@example.org", full_name="Lee Learner")
    # As the sender leaves it after the server refused it for good.
    Notification.objects.create(
        key="failed-journey",
        kind="password_reset",
        recipient_email=learner.email,
        recipient_user=learner,
        related_type=None,
        subject="Reset your Coproduce password",
        template="people/email/password_reset",
        due_at=timezone.now(),
        status=Notification.Status.FAILED,
        attempts=1,
        last_attempt_at=timezone.now(),
        last_error="SMTPRecipientsRefused: 550 5.1.1 No such user here",
    )
    page.set_viewport_size(viewport)
    sign_in(page, coordinator.email, PASSWORD, device=device)

    if viewport == PHONE:
        menu_open(page)
    page.get_by_role("link", name="Failed email").click()
    expect(page.get_by_role("heading", name="Failed email")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_text("Reset your Coproduce password")).to_be_visible()
    expect(table.get_by_text("550 5.1.1 No such user here")).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Send again to lee.learner@example.org").click()

    expect(page.get_by_text("is queued to go again")).to_be_visible()
    expect(page.get_by_text("No email has failed.")).to_be_visible()
    axe_check(page)
    assert [message.to for message in mail.outbox] == [["lee.learner@example.org"]]
    assert Notification.objects.get(key="failed-journey").status == Notification.Status.SENT
