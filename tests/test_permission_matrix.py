"""Who gets what at every URL that takes an object id or token.

Each route with a parameter has a row: how to build a real URL, and for each role what comes
back. Each app keeps its rows next to its tests, as `ROWS` in tests/<app>/permission_rows.py
(tests/permissions.py says what a row is); this module collects them all and runs each for every
role. The meta-test below fails when a route with a parameter has no row, so every new route
must be added to its app's rows. The Django admin is covered as a whole: every parameterised
admin route, for every role but admin, must send the visitor to the admin's sign-in page.
"""

import importlib
import importlib.util
import pkgutil
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse

import tests
from people.models import Role
from tests.people.factories import UserFactory
from tests.permissions import ADMIN_SIGN_IN, ROLES, SIGN_IN, Row


@pytest.fixture
def people(db) -> dict:
    return {
        "visitor": None,
        "trainer_a": UserFactory(email="trainer.a@example.org", roles=[Role.TRAINER]),
        "trainer_b": UserFactory(email="trainer.b@example.org", roles=[Role.TRAINER]),
        "team_lead": UserFactory(email="lead@example.org", roles=[Role.TEAM_LEAD]),
        "coordinator": UserFactory(email="coord@example.org", roles=[Role.COORDINATOR]),
        "manager": UserFactory(email="manager@example.org", roles=[Role.MANAGER]),
        "admin": UserFactory(email="admin@example.org", is_superuser=True),
    }


def rows_of_every_app() -> list[Row]:
    """The ROWS of every tests/<app>/permission_rows.py, app by app in the order of their names."""
    rows: list[Row] = []
    for package in sorted(pkgutil.iter_modules(tests.__path__), key=lambda m: m.name):
        name = f"tests.{package.name}.permission_rows"
        if package.ispkg and importlib.util.find_spec(name) is not None:
            rows += importlib.import_module(name).ROWS
    return rows


MATRIX = rows_of_every_app()


def client_for(client, people: dict, role: str):
    if people[role] is not None:
        client.force_login(people[role])
    return client


def outcome(response) -> int | str:
    if response.status_code == 302:
        if response.url.startswith("/admin/login/"):
            return ADMIN_SIGN_IN
        if response.url.startswith(reverse("login")):
            return SIGN_IN
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", MATRIX, ids=lambda row: f"{row.route}[{row.label}]")
def test_each_role_gets_what_the_matrix_says(client, people, row, role):
    url = reverse(row.route, kwargs=row.kwargs(people))

    response = client_for(client, people, role).get(url)

    assert outcome(response) == row.expect[role], url


def test_a_tampered_reset_link_never_shows_the_form(client, people):
    row = next(r for r in MATRIX if r.route == "password_reset_confirm")

    response = client.get(reverse(row.route, kwargs=row.kwargs(people)), follow=True)

    assert "new_password1" not in response.content.decode()


def routes_with_parameters(resolver=None, prefix="", namespace="") -> list[tuple[str, str, str]]:
    """(namespace, name, route) of every route that takes a parameter, through every include."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += routes_with_parameters(entry, route, inner)
        elif isinstance(entry, URLPattern) and ("<" in route or "(?P" in route):
            name = f"{namespace}{entry.name}" if entry.name else ""
            found.append((namespace, name, route))
    return found


ADMIN_ROUTES = [route for ns, _, route in routes_with_parameters() if ns.startswith("admin:")]
ADMIN_VALUES = {"app_label": "people", "content_type_id": "1"}


def admin_url(route: str) -> str:
    """A concrete URL for an admin route: each parameter gets a plausible value."""
    url = re.sub(
        r"<(?:\w+:)?(\w+)>", lambda m: ADMIN_VALUES.get(m.group(1), "1"), route.lstrip("^")
    )
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: ADMIN_VALUES.get(m.group(1), "x"), url)
    return "/" + url.replace("^", "").rstrip("$")


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
@pytest.mark.parametrize("route", ADMIN_ROUTES)
def test_only_admins_reach_the_django_admins_object_pages(client, people, route, role):
    url = admin_url(route)

    response = client_for(client, people, role).get(url)

    assert outcome(response) == ADMIN_SIGN_IN, url


def test_an_admin_reaches_the_admins_object_pages(client, people):
    user_pages = [route for route in ADMIN_ROUTES if route.startswith("admin/people/user/")]
    client_for(client, people, "admin")

    for route in user_pages:
        url = admin_url(route).replace("/1/", f"/{people['trainer_a'].pk}/")
        assert client.get(url, follow=True).status_code == 200, url


def uncovered_routes() -> list[str]:
    covered = {row.route for row in MATRIX}
    return [
        f"{name or '(unnamed)'} at {route}"
        for namespace, name, route in routes_with_parameters()
        if not namespace.startswith("admin:") and name not in covered
    ]


def test_every_route_with_an_id_or_token_is_in_the_matrix():
    missing = uncovered_routes()

    assert not missing, (
        "Add these routes to ROWS in tests/<app>/permission_rows.py of the app that owns them: "
        + ", ".join(missing)
    )


def _new_view(request, claim_id):
    raise AssertionError("never called")


urlpatterns = [
    path("claims/<int:claim_id>/", _new_view, name="claim-detail"),
    path("", include("config.urls")),
]


@pytest.mark.urls(__name__)
def test_the_meta_test_catches_a_new_route_that_is_not_in_the_matrix():
    assert uncovered_routes() == ["claim-detail at claims/<int:claim_id>/"]


def test_the_meta_test_sees_parameterised_routes():
    names = {name for _, name, _ in routes_with_parameters()}

    assert {"people:start", "password_reset_confirm"} <= names
    assert ADMIN_ROUTES
