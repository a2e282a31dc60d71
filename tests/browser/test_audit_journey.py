import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from people.models import APP_DEVICE, Role
from tests.browser.conftest import DESKTOP, PHONE, menu_open
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_manager_reads_the_audit_trail_and_filters_it(
    page, live_server, sign_in, axe_check, viewport
):
    manager = UserFactory(
        email="morgan@example.org", full_name="Morgan Manager", roles=[Role.MANAGER]
    )
    device = TOTPDevice.objects.create(user=manager, name=APP_DEVICE, confirmed=True)
    page.set_viewport_size(viewport)
    sign_in(page, manager.email, PASSWORD, device=device)

    if viewport == PHONE:
        menu_open(page)
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    axe_check(page)

    page.get_by_label("Action").select_option(label="Signed in")
    page.get_by_label("From").fill("31/02/2026")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("The filter could not be used")).to_be_visible()
    expect(page.get_by_label("From")).to_have_value("31/02/2026")
    axe_check(page)

    page.get_by_label("From").fill("")
    page.get_by_role("button", name="Filter").click()
    table = page.get_by_role("table")
    expect(table.get_by_role("cell", name="Signed in")).to_be_visible()
    expect(table.get_by_text("Morgan Manager")).to_be_visible()
    axe_check(page)
