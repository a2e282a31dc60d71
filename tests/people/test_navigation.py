import pytest

from people import navigation
from people.models import Role
from people.navigation import (
    MENU,
    PLACEHOLDERS,
    START_PAGES,
    MenuEntry,
    menu_entries,
    menu_register,
    start_page_register,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered():
    """The real registrations, to which a test may add its own for its duration only. Restored
    in place: the start page view holds PLACEHOLDERS itself."""
    start_pages, placeholders, menu = dict(START_PAGES), dict(PLACEHOLDERS), list(MENU)
    yield
    START_PAGES.clear()
    START_PAGES.update(start_pages)
    PLACEHOLDERS.clear()
    PLACEHOLDERS.update(placeholders)
    MENU[:] = menu


def _labels(response) -> list[str]:
    return [item["label"] for item in response.context["nav_items"]]


def test_an_app_s_start_page_replaces_the_role_s_placeholder(client, registered):
    start_page_register(role=Role.MANAGER, label="Rollout", url_name="audit:event-list")
    client.force_login(UserFactory(roles=[Role.MANAGER]))

    home = client.get("/")
    placeholder = client.get("/start/manager/")

    assert home["Location"] == "/audit/"
    assert placeholder.status_code == 404
    assert _labels(client.get("/audit/"))[0] == "Rollout"


def test_a_role_has_one_start_page(registered):
    with pytest.raises(ValueError, match="already sessions:schedule"):
        start_page_register(role=Role.COORDINATOR, label="Other", url_name="audit:event-list")


def test_registering_a_start_page_again_changes_nothing(registered):
    start_page_register(role=Role.COORDINATOR, label="Schedule", url_name="sessions:schedule")

    assert navigation.start_url(Role.COORDINATOR) == "/schedule/"


def test_only_a_role_has_a_start_page(registered):
    with pytest.raises(ValueError, match="not a role"):
        start_page_register(role="wizard", label="Spells", url_name="audit:event-list")


def test_a_menu_entry_s_position_orders_it_whatever_the_order_apps_register_in(registered):
    menu_register(MenuEntry("Expenses", "audit:event-list", roles=(Role.MANAGER,), position=311))

    assert [entry.label for entry in menu_entries(Role.MANAGER)] == [
        "Results",
        "Expenses",
        "Expense totals",
        "Audit trail",
    ]


def test_registering_a_menu_entry_again_changes_nothing(registered):
    entry = menu_entries(Role.TEAM_LEAD)[0]

    menu_register(entry)

    assert menu_entries(Role.TEAM_LEAD) == [entry]


def test_a_menu_entry_shows_only_to_its_roles(client, registered):
    menu_register(MenuEntry("Expenses", "audit:event-list", roles=(Role.MANAGER,), position=311))
    client.force_login(UserFactory(roles=[Role.TEAM_LEAD]))

    response = client.get("/start/team_lead/")

    assert "Expenses" not in _labels(response)
