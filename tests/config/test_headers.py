"""Security headers on every page: CSP without inline scripts, nosniff, frame-deny, a strict
referrer policy, no caching of personal data; unknown hosts refused."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver


def pages_without_parameters(resolver=None, prefix="") -> list[str]:
    """Every route of the site that takes no parameter (the admin is checked on its index)."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                found.append(route)
            else:
                found.extend(pages_without_parameters(entry, route))
        elif isinstance(entry, URLPattern) and not entry.pattern.converters and "<" not in route:
            found.append(route)
    return sorted({"/" + path.lstrip("^/").rstrip("$") for path in found})


PAGES = pages_without_parameters()


def test_the_page_list_is_not_empty():
    assert "/accounts/sign-in/" in PAGES
    assert len(PAGES) >= 5


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who", ["visitor", "coordinator"])
def test_every_page_has_a_csp_without_inline_scripts(client, coordinator, path, who):
    if who == "coordinator":
        client.force_login(coordinator)

    response = client.get(path)

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("path", PAGES)
def test_every_page_refuses_sniffing_framing_and_leaking_the_referrer(client, db, path):
    response = client.get(path)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/schedule/", "/"])
def test_pages_for_signed_in_people_are_never_cached(client, coordinator, path):
    client.force_login(coordinator)

    assert client.get(path)["Cache-Control"] == "no-store"


def test_the_password_pages_are_never_cached(client, db):
    assert client.get("/accounts/password-reset/")["Cache-Control"] == "no-store"


def test_an_unknown_host_gets_400(client, db):
    response = client.get("/accounts/sign-in/", HTTP_HOST="evil.example.com")

    assert response.status_code == 400


def test_the_base_template_has_no_inline_script(client, db):
    html = client.get("/accounts/sign-in/").content.decode()

    assert "<script>" not in html
    assert all("src=" in tag for tag in html.split("<script")[1:])
