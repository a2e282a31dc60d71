"""A NUL byte (or any character a token never has) in a URL or a parameter is a 404 or a 400,
never a 500. PostgreSQL refuses NUL in text, so these tests mean most when run against it
(DATABASE_URL=postgres://...), as CI does."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Every route a visitor reaches without signing in whose URL carries a token or a code,
# with a well-formed value (unknown to the database) in place of each.
PUBLIC_TOKEN_PATHS = [
    "/invitations/{token}/accept/",
    "/invitations/{token}/decline/",
    "/register/{token}/",
    "/register/{token}/done/",
    "/registrations/{token}/cancel/",
    "/c/{code}/",
    "/calendar/{token}.ics",
    "/evaluate/s/{code}/",
    "/evaluate/{token}/",
    "/evaluate/{token}/thanks/",
    "/evaluate/{token}/certificate.pdf",
    "/accounts/password-reset/{uid}/{token}/",
]
TOKEN = "abcdefghijklmnopqrstuvwxyzABCDEF"
CODE = "ABCD2345"
UID = "MTIz"


def _with(path: str, *, token: str = TOKEN, code: str = CODE, uid: str = UID) -> str:
    return path.format(token=token, code=code, uid=uid)


@pytest.mark.parametrize("path", PUBLIC_TOKEN_PATHS)
@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("%00", id="NUL"),
        pytest.param("%00%00", id="two NULs"),
        pytest.param("%C3%A9", id="an accented letter"),
        pytest.param("%20", id="a space"),
        pytest.param("'", id="a quote"),
    ],
)
def test_a_bad_character_in_a_public_token_route_is_not_found(client, db, path, bad):
    url = _with(path, token=TOKEN[:10] + bad + TOKEN[10:], code=CODE[:4] + bad + CODE[4:])

    response = client.get(url)

    assert response.status_code == 404


@pytest.mark.parametrize("path", PUBLIC_TOKEN_PATHS)
def test_a_nul_alone_in_a_public_token_route_is_not_found(client, db, path):
    assert client.get(_with(path, token="%00", code="%00", uid="%00")).status_code == 404


@pytest.mark.parametrize("path", PUBLIC_TOKEN_PATHS)
def test_a_post_with_a_nul_in_a_public_token_route_is_not_found(client, db, path):
    url = _with(path, token=TOKEN + "%00", code=CODE + "%00", uid=UID + "%00")

    assert client.post(url, {"email": "x@example.org"}).status_code == 404


@pytest.mark.parametrize("path", PUBLIC_TOKEN_PATHS)
def test_a_well_formed_unknown_token_is_still_an_ordinary_not_found(client, db, path):
    # The guard must not turn a real, unknown token into something else.
    assert client.get(_with(path)).status_code in (200, 404)


def _parameterless_paths() -> list[str]:
    """Every page in the urlconf whose URL takes no parameter (the admin's included)."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            route = str(entry.pattern)
            if isinstance(entry, URLResolver):
                if "<" not in route and "(" not in route:
                    walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern) and not re.search(r"[<(\\]", route):
                found.append("/" + prefix + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


PARAMETERLESS = _parameterless_paths()


def test_the_sweep_finds_the_sites_pages():
    assert {"/", "/schedule/", "/trainers/", "/audit/", "/evaluations/results/"} <= set(
        PARAMETERLESS
    )


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def _page_field_names(client, path: str) -> set[str]:
    """The names of the fields on the page's forms, as the page is shown without parameters."""
    page = client.get(path)
    if page.status_code != 200:
        return set()
    html = page.content.decode(errors="replace")
    return set(re.findall(r"""<(?:input|select|textarea)\b[^>]*\bname=["']([^"']+)""", html))


# Query parameters the views read directly (request.GET / request.POST), beside form fields.
KNOWN_PARAMETERS = ("next", "month", "week", "date", "q", "page", "region", "status", "course")


@pytest.mark.parametrize("path", PARAMETERLESS)
def test_a_nul_in_any_query_parameter_of_any_page_is_not_a_server_error(as_coordinator, path):
    names = _page_field_names(as_coordinator, path)
    names |= {"x", *KNOWN_PARAMETERS}

    everything = "&".join(f"{name}=%00" for name in sorted(names))
    responses = [as_coordinator.get(f"{path}?{everything}")]
    responses += [as_coordinator.get(f"{path}?{name}=a%00b") for name in sorted(names)]

    assert all(response.status_code < 500 for response in responses)
    assert all(response.status_code != 200 for response in responses)


@pytest.mark.parametrize("path", [p for p in PARAMETERLESS if p.startswith("/admin/")])
def test_a_nul_in_the_admins_search_and_filters_is_not_a_server_error(as_admin, path):
    for query in ("q=%00", "o=%00", "p=%00", "x=%00", "_changelist_filters=%00"):
        assert as_admin.get(f"{path}?{query}").status_code < 500


@pytest.mark.parametrize("path", PARAMETERLESS)
def test_a_nul_in_a_posted_field_of_any_page_is_not_a_server_error(as_coordinator, path):
    names = _page_field_names(as_coordinator, path)
    names |= {"x", "next"}
    data = {name: "a\x00b" for name in names if name != "csrfmiddlewaretoken"}

    response = as_coordinator.post(path, data)

    assert response.status_code < 500


def test_a_nul_in_the_path_of_an_ordinary_page_is_not_a_server_error(as_coordinator):
    for path in ("/schedule/%00/", "/trainers/%00/", "/admin/people/user/%00/change/", "/%00"):
        assert as_coordinator.get(path).status_code == 404


def test_an_upload_still_works_and_a_nul_in_its_form_fields_is_refused(as_coordinator):
    # The guard must not read a multipart body's files itself; a NUL in a plain field is 400.
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("plan.csv", b"a,b\n1,2\n", content_type="text/csv")
    ordinary = as_coordinator.post("/imports/", {"file": upload})
    upload = SimpleUploadedFile("plan.csv", b"a,b\n1,2\n", content_type="text/csv")
    bad = as_coordinator.post("/imports/", {"file": upload, "kind": "a\x00b"})

    assert ordinary.status_code in (200, 302)
    assert bad.status_code == 400


def test_a_nul_in_a_query_parameter_is_answered_with_400(as_coordinator):
    response = as_coordinator.get("/schedule/?region=%00")

    assert response.status_code == 400


def test_a_nul_in_the_session_cookie_is_not_a_server_error(client, db):
    # Sent as sessionid="abcdefgh\000ijklmnop"; Django's cookie parser unescapes the \000.
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"

    assert client.get("/accounts/sign-in/").status_code == 400


def test_a_nul_in_the_user_name_at_sign_in_is_not_a_server_error(client, db):
    response = client.post("/accounts/sign-in/", {"username": "a\x00b", "password": "x\x00"})

    assert response.status_code == 400


def test_a_nul_in_a_header_at_a_failed_sign_in_is_not_a_server_error(client, db):
    # axes records the User-Agent of a failed sign-in in PostgreSQL. gunicorn refuses a NUL in a
    # header itself, but runserver and other servers pass it on.
    response = client.post(
        "/accounts/sign-in/",
        {"username": "nobody@example.org", "password": "wrong-password-here"},
        HTTP_USER_AGENT="Mozilla\x00/5.0",
    )

    assert response.status_code == 400
