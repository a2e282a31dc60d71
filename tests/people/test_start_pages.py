import re

import pytest

from people.models import Role
from people.navigation import start_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLE_USERS = {
    Role.COORDINATOR: "coordinator",
    Role.TRAINER: "trainer",
    Role.TEAM_LEAD: "team_lead",
    Role.MANAGER: "manager",
}
HEADINGS = {
    Role.COORDINATOR: "Schedule",
    Role.TRAINER: "My sessions",
    Role.TEAM_LEAD: "My action plans",
    Role.MANAGER: "Dashboard",
}
# Roles whose start page is still the placeholder; the others start at their real pages
# (schedule, my sessions), which their own tests cover.
PLACEHOLDER_ROLES = [Role.TEAM_LEAD, Role.MANAGER]
# Pages only their own role may open: "My sessions" is open to anyone who is on a session.
ROLE_ONLY_PAGES = [Role.COORDINATOR, *PLACEHOLDER_ROLES]
# A signed-in page: the session, the person, their role groups, their second-factor device.
# Nothing grows with the data.
MAX_QUERIES = 4


def _start(role: str) -> str:
    return start_url(role)


def _heading(response) -> str:
    page = response.content.decode()
    found = re.search(r"<h1>(.*?)</h1>", page, re.DOTALL)
    assert found, page
    return found.group(1).strip()


def _nav_labels(response) -> list[str]:
    nav = re.search(r'<ul class="navbar-nav[^"]*">(.*?)</ul>', response.content.decode(), re.DOTALL)
    if nav is None:
        return []
    return [label.strip() for label in re.findall(r"<a [^>]*>(.*?)</a>", nav.group(1), re.DOTALL)]


# home


def test_home_sends_a_signed_out_visitor_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/"


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_home_sends_each_role_to_its_start_page(client, request, role):
    client.force_login(request.getfixturevalue(ROLE_USERS[role]))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == _start(role)


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_each_role_lands_on_a_page_headed_for_its_work(client, request, role):
    client.force_login(request.getfixturevalue(ROLE_USERS[role]))

    response = client.get("/", follow=True)

    assert response.status_code == 200
    assert _heading(response) == HEADINGS[role]


def test_home_sends_an_admin_without_a_role_to_the_django_admin(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_an_admin_with_a_role_starts_at_that_role(client):
    client.force_login(UserFactory(is_superuser=True, roles=[Role.MANAGER]))

    response = client.get("/")

    assert response["Location"] == "/start/manager/"


def test_home_tells_someone_without_a_role_that_they_have_none(client):
    client.force_login(UserFactory(full_name="Ann Jones"))

    response = client.get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "people/no_role.html"
    assert "does not have a role yet" in response.content.decode()
    assert _heading(response) == "Welcome, Ann"


def test_someone_without_a_role_gets_no_navigation(client):
    client.force_login(UserFactory())

    response = client.get("/")

    assert _nav_labels(response) == []


@pytest.mark.parametrize(
    ("roles", "start"),
    [
        ([Role.TRAINER, Role.COORDINATOR], "/schedule/"),
        ([Role.TRAINER, Role.MANAGER], "/start/manager/"),
        ([Role.TRAINER, Role.TEAM_LEAD], "/start/team_lead/"),
        ([Role.TEAM_LEAD, Role.MANAGER], "/start/manager/"),
    ],
)
def test_someone_with_two_roles_starts_at_the_first_in_start_page_order(client, roles, start):
    client.force_login(UserFactory(roles=roles))

    response = client.get("/")

    assert response["Location"] == start


def test_the_navigation_offers_both_start_pages_to_someone_with_two_roles(client):
    client.force_login(UserFactory(roles=[Role.TRAINER, Role.MANAGER]))

    response = client.get("/", follow=True)

    assert _nav_labels(response) == [
        "Dashboard",
        "My sessions",
        "Results",
        "Expense totals",
        "Audit trail",
        "My profile",
        "My training",
        "My expenses",
        "My travel",
        "My earnings",
        "Check-ins",
        "Support",
        "My calendar",
    ]


def test_someone_with_two_roles_may_open_both_start_pages(client):
    client.force_login(UserFactory(roles=[Role.TRAINER, Role.MANAGER]))

    statuses = [client.get(_start(role)).status_code for role in ("manager", "trainer")]

    assert statuses == [200, 200]


def test_the_navigation_offers_a_trainer_only_a_trainers_pages(client, trainer):
    client.force_login(trainer)

    response = client.get(_start("trainer"))

    assert _nav_labels(response) == [
        "My sessions",
        "My profile",
        "My training",
        "My expenses",
        "My travel",
        "My earnings",
        "Check-ins",
        "Support",
        "My calendar",
    ]


def test_the_navigation_offers_an_admin_the_django_admin(client):
    client.force_login(UserFactory(is_superuser=True, roles=[Role.COORDINATOR]))

    response = client.get(_start("coordinator"))

    assert _nav_labels(response) == [
        "Schedule",
        "Courses",
        "Venues",
        "Trainers",
        "Applications",
        "Train the Trainer",
        "Role description",
        "People I support",
        "Evaluation form",
        "Results",
        "Import",
        "My calendar",
        "Expense claims",
        "Travel requests",
        "Mileage rates",
        "Fee rates",
        "Expense totals",
        "Audit trail",
        "Failed email",
        "Admin",
    ]


def test_the_navigation_marks_the_current_page(client, coordinator):
    client.force_login(coordinator)

    response = client.get(_start("coordinator"))

    assert '<a class="nav-link active" href="/schedule/"' in response.content.decode()
    assert 'aria-current="page"' in response.content.decode()


# start pages: who may open which


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_each_role_may_open_its_own_start_page(client, request, role):
    client.force_login(request.getfixturevalue(ROLE_USERS[role]))

    response = client.get(_start(role))

    assert response.status_code == 200
    assert _heading(response) == HEADINGS[role]


@pytest.mark.parametrize(
    ("user", "page"),
    [
        (user, page)
        for user in ROLE_USERS.values()
        for page in ROLE_ONLY_PAGES
        if ROLE_USERS[page] != user
    ],
)
def test_a_role_may_not_open_another_roles_start_page(client, request, user, page):
    client.force_login(request.getfixturevalue(user))

    response = client.get(_start(page))

    assert response.status_code == 403


@pytest.mark.parametrize("page", ROLE_ONLY_PAGES)
def test_an_admin_without_the_role_may_not_open_a_start_page(client, admin_user, page):
    client.force_login(admin_user)

    response = client.get(_start(page))

    assert response.status_code == 403


@pytest.mark.parametrize("page", list(ROLE_USERS))
def test_a_signed_out_visitor_is_sent_to_sign_in_from_a_start_page(client, page):
    response = client.get(_start(page))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/sign-in/?next={_start(page)}"


def test_an_unknown_role_has_no_start_page(client, coordinator):
    client.force_login(coordinator)

    response = client.get("/start/wizard/")

    assert response.status_code == 404


def test_a_role_label_is_not_a_start_page(client, team_lead):
    client.force_login(team_lead)

    response = client.get("/start/Team%20lead/")

    assert response.status_code == 404


def test_the_start_page_greets_the_person_by_first_name(client):
    client.force_login(UserFactory(full_name="Ann Jones", roles=[Role.TEAM_LEAD]))

    response = client.get(_start("team_lead"))

    assert "Welcome, Ann." in response.content.decode()


def test_the_start_page_shows_who_is_signed_in(client):
    client.force_login(UserFactory(full_name="Ann Jones", roles=[Role.COORDINATOR]))

    response = client.get(_start("coordinator"))

    assert '<span class="navbar-text me-3">Ann Jones</span>' in response.content.decode()


# queries


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_home_runs_a_bounded_number_of_queries(
    client, request, role, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(ROLE_USERS[role]))

    with django_assert_max_num_queries(MAX_QUERIES):
        client.get("/")


@pytest.mark.parametrize("role", PLACEHOLDER_ROLES)
def test_a_start_page_runs_a_bounded_number_of_queries(
    client, request, role, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(ROLE_USERS[role]))

    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(_start(role))


def test_a_start_page_for_someone_with_every_role_runs_the_same_queries(
    client, django_assert_max_num_queries
):
    client.force_login(UserFactory(is_superuser=True, roles=list(Role)))

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(_start("team_lead"))

    assert _nav_labels(response) == [
        "Schedule",
        "Dashboard",
        "My action plans",
        "My sessions",
        "Courses",
        "Venues",
        "Trainers",
        "Applications",
        "Train the Trainer",
        "Role description",
        "People I support",
        "Evaluation form",
        "Results",
        "Import",
        "My calendar",
        "Expense claims",
        "Travel requests",
        "Mileage rates",
        "Fee rates",
        "Expense totals",
        "Audit trail",
        "Failed email",
        "My profile",
        "My training",
        "My expenses",
        "My travel",
        "My earnings",
        "Check-ins",
        "Support",
        "Admin",
    ]


def test_the_no_role_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(UserFactory())

    with django_assert_max_num_queries(MAX_QUERIES):
        client.get("/")


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MANAGER])
def test_coordinators_and_managers_find_the_audit_trail_in_the_navigation(client, role):
    client.force_login(UserFactory(roles=[role]))

    response = client.get(_start(role))

    assert {"label": "Audit trail", "url": "/audit/"} in response.context["nav_items"]


@pytest.mark.parametrize("role", [Role.TRAINER, Role.TEAM_LEAD])
def test_others_are_not_offered_the_audit_trail(client, role):
    client.force_login(UserFactory(roles=[role]))

    response = client.get(_start(role))

    assert "/audit/" not in [item["url"] for item in response.context["nav_items"]]
