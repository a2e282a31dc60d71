"""The 403, 404 and 500 pages, in the site layout, giving nothing away.

The 500 test through the client uses this module as its URLconf: a page that fails, plus the
site's own URLs.
"""

import pytest
from django.template.loader import render_to_string
from django.urls import include, path


def _fails(request):
    raise RuntimeError("connection to db-primary.internal failed: password hunter2")


urlpatterns = [
    path("test/fails/", _fails),
    path("", include("config.urls")),
]

LAYOUT_MARKS = ('href="#main">Skip to main content</a>', '<main id="main"', "<footer")
SECRET_PATH = "/no-such-page/token-8f14e45fceea167a/"


def _template_names(response) -> list[str]:
    return [template.name for template in response.templates]


def _in_layout(html: str) -> bool:
    return all(mark in html for mark in LAYOUT_MARKS)


# 404


@pytest.mark.django_db
def test_an_unknown_address_is_not_found(client):
    response = client.get(SECRET_PATH)

    assert response.status_code == 404
    assert _template_names(response)[:2] == ["404.html", "base.html"]


@pytest.mark.django_db
def test_the_not_found_page_is_in_the_site_layout(client):
    html = client.get(SECRET_PATH).content.decode()

    assert _in_layout(html)
    assert "<title>Page not found · Coproduce</title>" in html
    assert "<h1>Page not found</h1>" in html


@pytest.mark.django_db
def test_the_not_found_page_links_home(client):
    html = client.get(SECRET_PATH).content.decode()

    assert '<a href="/">Go to your start page</a>' in html


@pytest.mark.django_db
def test_the_not_found_page_does_not_repeat_the_address(client):
    html = client.get(SECRET_PATH).content.decode()

    assert "token-8f14e45fceea167a" not in html


@pytest.mark.django_db
def test_the_not_found_page_does_not_list_the_sites_addresses(client):
    html = client.get(SECRET_PATH).content.decode()

    assert "URLconf" not in html
    assert "admin/" not in html
    assert "start/&lt;slug:role&gt;" not in html


def test_the_not_found_page_shows_a_signed_in_person_their_navigation(client, coordinator):
    client.force_login(coordinator)

    html = client.get(SECRET_PATH).content.decode()

    assert 'href="/schedule/"' in html
    assert "Sign out" in html


def test_someone_elses_start_page_slug_that_does_not_exist_is_the_same_not_found(
    client, coordinator
):
    client.force_login(coordinator)

    response = client.get("/start/wizard/")

    assert response.status_code == 404
    assert _template_names(response)[0] == "404.html"


# 403


def test_a_refused_page_is_forbidden_in_the_site_layout(client, trainer):
    client.force_login(trainer)

    response = client.get("/schedule/")

    assert response.status_code == 403
    assert _template_names(response)[:2] == ["403.html", "base.html"]
    assert _in_layout(response.content.decode())


def test_the_forbidden_page_explains_and_links_home(client, trainer):
    client.force_login(trainer)

    html = client.get("/schedule/").content.decode()

    assert "<title>Not allowed · Coproduce</title>" in html
    assert "<h1>You can't open this page</h1>" in html
    assert '<a href="/">Go to your start page</a>' in html


def test_the_forbidden_page_still_offers_the_persons_own_pages(client, trainer):
    client.force_login(trainer)

    html = client.get("/schedule/").content.decode()

    assert 'href="/me/sessions/"' in html
    assert 'href="/schedule/"' not in html


# 500


def test_the_server_error_page_renders_without_a_request_or_context():
    html = render_to_string("500.html")

    assert "<h1>Something went wrong</h1>" in html
    assert '<a href="/">Go to your start page</a>' in html


def test_the_server_error_page_is_in_the_site_layout():
    html = render_to_string("500.html")

    assert _in_layout(html)
    assert "<title>Something went wrong · Coproduce</title>" in html


def test_the_server_error_page_shows_no_navigation_or_account():
    html = render_to_string("500.html")

    assert "Sign out" not in html
    assert 'id="site-nav"' not in html


@pytest.mark.urls(__name__)
def test_a_failing_page_answers_with_the_server_error_page(client):
    client.raise_request_exception = False

    response = client.get("/test/fails/")

    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.content.decode()


@pytest.mark.urls(__name__)
def test_the_server_error_page_gives_nothing_away(client):
    client.raise_request_exception = False

    html = client.get("/test/fails/").content.decode()

    assert "hunter2" not in html
    assert "RuntimeError" not in html
    assert "Traceback" not in html
