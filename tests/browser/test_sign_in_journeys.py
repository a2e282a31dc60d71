import re

import pytest
from playwright.sync_api import expect

from people.models import Role
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

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
    page.set_viewport_size(viewport)

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    axe_check(page)
    sign_in(page, person.email, PASSWORD)

    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    axe_check(page)


def test_an_admin_signs_in_and_lands_on_the_django_admin(page, live_server, sign_in):
    admin = UserFactory(email="admin@example.org", is_superuser=True)

    sign_in(page, admin.email, PASSWORD)

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def test_a_person_signs_out_from_the_navigation(page, live_server, sign_in):
    person = UserFactory(email="person@example.org", roles=[Role.TRAINER])
    page.set_viewport_size(PHONE)
    sign_in(page, person.email, PASSWORD)

    page.get_by_role("button", name="Show or hide the menu").click()
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
