"""Playwright against Django's live server, in Debian's Chromium (never a downloaded browser).

Without Chromium these tests skip with a loud reason, unless REQUIRE_BROWSER=1 (CI), where a
missing browser is a failure.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import TOTP
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test
# itself (factories) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        shutil.which("chromium"),
        "/usr/bin/chromium",
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if path is None:
        reason = (
            "NO CHROMIUM FOUND: browser journeys were NOT run. Install Debian's `chromium` "
            "or set CHROMIUM_PATH."
        )
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but " + reason, pytrace=False)
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


@pytest.fixture
def axe_check():
    """Fail on any serious or critical accessibility violation on the current page."""
    axe = Axe()

    def check(page) -> None:
        violations = axe.run(page).response["violations"]
        bad = [v for v in violations if v.get("impact") in ("serious", "critical")]
        details = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in bad
        )
        assert not bad, f"axe found problems on {page.url}:\n{details}"

    return check


@pytest.fixture(autouse=True)
def _no_content_security_policy_violations(request):
    """Chromium reports what the CSP blocked on the console: any such report fails the test."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield
    assert not blocked, f"The content security policy blocked: {blocked}"


def menu_open(page) -> None:
    """Unfold the site menu on a narrow screen and wait until it has finished opening: a click
    on an entry while the menu still slides open can be lost on a busy machine."""
    page.get_by_role("button", name="Show or hide the menu").click()
    expect(page.locator("#site-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))


def current_code(device) -> str:
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{totp.token():06d}"


@pytest.fixture
def sign_in(live_server):
    """Sign in through the real form, by its visible labels, with a code if they use an app."""

    def do(page, email: str, password: str, *, device=None) -> None:
        page.goto(live_server.url + "/accounts/sign-in/")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        if device is not None:
            page.get_by_label("6-digit code").fill(current_code(device))
            page.get_by_role("button", name="Continue").click()

    return do
