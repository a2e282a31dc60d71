import re
from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from people.models import APP_DEVICE, Role
from people.services import second_factor_required
from tests.browser.conftest import DESKTOP, PHONE, current_code, menu_open
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def authenticator_for(person) -> TOTPDevice:
    return TOTPDevice.objects.create(user=person, name=APP_DEVICE, confirmed=True)


STARTS = [
    ({"roles": [Role.COORDINATOR]}, "Schedule"),
    ({"roles": [Role.TRAINER]}, "My sessions"),
    ({"roles": [Role.TEAM_LEAD]}, "My action plans"),
    ({"roles": [Role.MANAGER]}, "Dashboard"),
]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(("role", "heading"), STARTS, ids=[h for _, h in STARTS])
def test_each_role_signs_in_and_lands_on_its_start_page(
    page, live_server, sign_in, axe_check, role, heading, viewport
):
    person = UserFactory(email="person@example.org", **role)
    device = authenticator_for(person) if second_factor_required(person) else None
    page.set_viewport_size(viewport)

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    axe_check(page)
    sign_in(page, person.email, PASSWORD, device=device)

    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    axe_check(page)


def test_an_admin_signs_in_and_lands_on_the_django_admin(page, live_server, sign_in):
    admin = UserFactory(email="admin@example.org", is_superuser=True)

    sign_in(page, admin.email, PASSWORD, device=authenticator_for(admin))

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_a_person_signs_out_from_the_navigation(page, live_server, sign_in):
    person = UserFactory(email="person@example.org", roles=[Role.TRAINER])
    page.set_viewport_size(PHONE)
    sign_in(page, person.email, PASSWORD)

    menu_open(page)
    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_wrong_password_shows_a_clear_message_and_keeps_the_email(
    page, live_server, sign_in, axe_check
):
    person = UserFactory(email="person@example.org", roles=[Role.TRAINER])

    sign_in(page, person.email, "not-my-password")

    expect(page.get_by_text("did not match an account")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value(person.email)
    axe_check(page)


def test_repeated_wrong_passwords_lock_the_account_with_a_clear_message(
    page, live_server, sign_in, axe_check
):
    person = UserFactory(email="person@example.org", roles=[Role.COORDINATOR])

    for _ in range(5):
        sign_in(page, person.email, "not-my-password")

    expect(page.get_by_role("heading", name="Sign-in paused for 30 minutes")).to_be_visible()
    axe_check(page)
    sign_in(page, person.email, PASSWORD)
    expect(page.get_by_role("heading", name="Sign-in paused for 30 minutes")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_coordinator_sets_up_the_authenticator_and_signs_in_again_with_a_code(
    page, live_server, sign_in, axe_check, viewport
):
    coordinator = UserFactory(email="casey@example.org", roles=[Role.COORDINATOR])
    page.set_viewport_size(viewport)

    sign_in(page, coordinator.email, PASSWORD)
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    axe_check(page)
    # What a person types from the key shown under the QR code, as their app would use it.
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    app = TOTPDevice(key=b32decode(key).hex())
    page.get_by_label("6-digit code").fill("000000" if current_code(app) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_text("That code did not match")).to_be_visible()
    axe_check(page)
    page.get_by_label("6-digit code").fill(current_code(app))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Schedule", level=1)).to_be_visible()
    expect(page.get_by_text("Two-step sign-in is on")).to_be_visible()

    if viewport == PHONE:
        menu_open(page)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email address").fill(coordinator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    axe_check(page)
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        next_code = current_code(app)  # the code after the one already used
    page.get_by_label("6-digit code").fill(next_code)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Schedule", level=1)).to_be_visible()


def test_a_password_alone_reaches_only_the_code_page_and_a_code_lets_a_coordinator_replace_the_app(
    page, live_server, sign_in, axe_check
):
    coordinator = UserFactory(email="casey@example.org", roles=[Role.COORDINATOR])
    old_app = authenticator_for(coordinator)

    sign_in(page, coordinator.email, PASSWORD)
    page.goto(live_server.url + "/accounts/two-step/set-up/")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_have_count(0)
    page.get_by_label("6-digit code").fill(current_code(old_app))
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Replace your authenticator app")).to_be_visible()
    axe_check(page)
    key = page.locator("#setup-key").inner_text().replace(" ", "")
    new_app = TOTPDevice(key=b32decode(key).hex())
    page.get_by_label("6-digit code").fill(current_code(new_app))
    page.get_by_role("button", name="Use this app from now on").click()

    expect(page.get_by_text("Two-step sign-in is on")).to_be_visible()
    assert not TOTPDevice.objects.filter(pk=old_app.pk).exists()
    assert TOTPDevice.objects.get(user=coordinator, confirmed=True).key == new_app.key
