import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from people.models import APP_DEVICE, Role
from tests.browser.conftest import DESKTOP, PHONE, menu_open
from tests.factories import (
    PASSWORD,
    RegionFactory,
    T3ProgrammeFactory,
    T3RequirementFactory,
    UserFactory,
    published_role_description,
)

pytestmark = pytest.mark.browser

APPLICANT_EMAIL = "robin@example.org"
NEW_PASSWORD = "my-own-long-password-2025"
WELCOME_SUBJECT = "Welcome to Coproduce: choose your password"
DEBRIEF_SUBJECT = "A trainer you support would like a debrief"
CHECK_IN_NOTES = "The part about my time on the ward was hard to tell today."


def watch_content_security_policy(page) -> list[str]:
    """What the CSP blocks on a page the autouse fixture does not watch (a second context)."""
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return blocked


def open_from_menu(page, label: str) -> None:
    """Follow a link in the site menu, opening it first where it is folded away (phones)."""
    if page.get_by_role("button", name="Show or hide the menu").is_visible():
        menu_open(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True).click()


def emails_to(mailoutbox, address: str, subject: str) -> list:
    return [m for m in mailoutbox if address in m.to and m.subject == subject]


def test_an_applicant_becomes_a_certified_trainer_and_asks_their_supporter_for_a_debrief(
    page, new_context, live_server, sign_in, axe_check, mailoutbox
):
    # What a running programme already has: a coordinator with an authenticator app, the
    # published role description, regions, and a Train the Trainer programme.
    coordinator = UserFactory(
        email="casey@example.org", full_name="Casey Coordinator", roles=[Role.COORDINATOR]
    )
    device = TOTPDevice.objects.create(user=coordinator, name=APP_DEVICE, confirmed=True)
    role_description = published_role_description()
    RegionFactory(name="Leeds")
    RegionFactory(name="Manchester")
    programme = T3ProgrammeFactory(name="Train the Trainer 2025")
    course = T3RequirementFactory(programme=programme, title="Attend the T3 course", order=1)
    shadow = T3RequirementFactory(programme=programme, title="Shadow a session", order=2)
    today = timezone.localdate()

    # A person reads the role description on their phone and applies.
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/join/")
    expect(page.get_by_role("heading", name=role_description.title, level=1)).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Tell us you are interested").click()
    expect(
        page.get_by_role("heading", name="Tell us you are interested in becoming a trainer")
    ).to_be_visible()
    axe_check(page)
    page.get_by_label("Your name").fill("Robin Applicant")
    page.get_by_label("Email address").fill(APPLICANT_EMAIL)
    page.get_by_label("Where you live or would like to be involved").select_option(
        label="Manchester"
    )
    page.get_by_label("Co-deliver sessions").check()
    page.get_by_label("Access needs (optional)").fill("A quiet room to prepare in.")
    page.get_by_label("I agree to Coproduce keeping the details").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    axe_check(page)

    # A coordinator, at a desk, moves the application on until it is accepted.
    desk = new_context(viewport=DESKTOP).new_page()
    desk_blocked = watch_content_security_policy(desk)
    sign_in(desk, coordinator.email, PASSWORD, device=device)
    expect(desk.get_by_role("heading", name="Schedule", level=1)).to_be_visible()
    open_from_menu(desk, "Applications")
    expect(desk.get_by_role("heading", name="Applications to become a trainer")).to_be_visible()
    axe_check(desk)
    desk.get_by_role("link", name="Robin Applicant").click()
    expect(desk.get_by_role("heading", name="Robin Applicant", level=1)).to_be_visible()
    expect(desk.get_by_text("A quiet room to prepare in.")).to_be_visible()
    axe_check(desk)

    desk.get_by_role("radio", name="Conversation booked").check()
    desk.get_by_label("Conversation date").fill((today + timedelta(days=7)).isoformat())
    desk.get_by_label("Conversation time").fill("14:30")
    desk.get_by_label("Note (optional)").fill("Booked a call; Robin prefers mornings next time.")
    desk.get_by_role("button", name="Save").click()
    expect(desk.get_by_text("Moved to “Conversation booked”.")).to_be_visible()
    axe_check(desk)
    desk.get_by_role("radio", name="Offered a place").check()
    desk.get_by_role("button", name="Save").click()
    expect(desk.get_by_text("Moved to “Offered a place”.")).to_be_visible()
    desk.get_by_role("radio", name="Accepted").check()
    desk.get_by_role("button", name="Save").click()
    expect(desk.get_by_text("Robin Applicant is now a trainer.")).to_be_visible()
    expect(desk.get_by_text("they have not chosen a password yet")).to_be_visible()
    axe_check(desk)

    # The new trainer chooses a password from the welcome email, on their phone.
    (welcome,) = emails_to(mailoutbox, APPLICANT_EMAIL, WELCOME_SUBJECT)
    link = re.search(r"https?://\S+?(/accounts/password-reset/\S+/)", welcome.body)
    assert link, welcome.body
    page.goto(live_server.url + link.group(1))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    axe_check(page)
    page.get_by_role("textbox", name=re.compile(r"^New password\*?$")).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_role("heading", name="Your new password is saved")).to_be_visible()
    axe_check(page)
    sign_in(page, APPLICANT_EMAIL, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="My sessions", level=1)).to_be_visible()

    # They fill in how they would like to take part.
    open_from_menu(page, "My profile")
    expect(page.get_by_role("heading", name="My profile", level=1)).to_be_visible()
    expect(page.get_by_label("Co-deliver sessions")).to_be_checked()
    axe_check(page)
    page.get_by_label("Co-design courses").check()
    page.get_by_label("Evaluate sessions").check()
    page.get_by_label("Most sessions a month").fill("2")
    page.get_by_label("Remind me this many days before a session").fill("5")
    page.get_by_label("Topics I will not speak about").fill("My family.")
    page.get_by_label("Reasonable adjustments").fill("Materials a week in advance.")
    page.get_by_role("radio", name="Expenses only").check()
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    expect(page.get_by_label("Most sessions a month")).to_have_value("2")
    expect(page.get_by_label("Topics I will not speak about")).to_have_value("My family.")
    expect(page.get_by_role("radio", name="Expenses only")).to_be_checked()
    axe_check(page)

    # The coordinator sees those preferences, names themselves as supporter, chooses the
    # programme and records the first requirement.
    open_from_menu(desk, "Trainers")
    expect(desk.get_by_role("heading", name="Trainers", level=1)).to_be_visible()
    axe_check(desk)
    desk.get_by_role("link", name="Robin Applicant").click()
    expect(desk.get_by_role("heading", name="Robin Applicant", level=1)).to_be_visible()
    expect(
        desk.get_by_text("Co-design courses, Co-deliver sessions, Evaluate sessions")
    ).to_be_visible()
    expect(desk.get_by_text("Materials a week in advance.")).to_be_visible()
    expect(desk.get_by_text("My family.")).to_have_count(0)  # private to trainer and supporter
    axe_check(desk)
    desk.get_by_label("Named supporter").select_option(
        label=f"Casey Coordinator ({coordinator.email})"
    )
    desk.get_by_label("Train the Trainer programme").select_option(label=programme.name)
    desk.get_by_role("button", name="Save supporter and programme").click()
    expect(desk.get_by_text("The supporter and programme are saved.")).to_be_visible()
    expect(desk.get_by_text(f"{programme.name}: 0 of 2 requirements met.")).to_be_visible()
    axe_check(desk)
    record_requirement_met(desk, course.title, today - timedelta(days=14), "Attended in Leeds.")
    expect(desk.get_by_text(f"{programme.name}: 1 of 2 requirements met.")).to_be_visible()

    # The trainer sees their progress.
    open_from_menu(page, "My training")
    expect(page.get_by_role("heading", name="My Train the Trainer progress")).to_be_visible()
    expect(page.get_by_text("You are not certified yet.")).to_be_visible()
    expect(page.get_by_text(f"{programme.name}: 1 of 2 requirements met.")).to_be_visible()
    progress = page.get_by_role("table")
    expect(progress.get_by_role("row", name=course.title)).to_contain_text("Done")
    expect(progress.get_by_role("row", name=course.title)).to_contain_text("Attended in Leeds.")
    expect(progress.get_by_role("row", name=shadow.title)).to_contain_text("Not yet")
    axe_check(page)

    # The coordinator records the last requirement: the trainer is certified.
    record_requirement_met(desk, shadow.title, today, "Shadowed Casey's session on stigma.")
    expect(desk.get_by_text(f"{programme.name}: 2 of 2 requirements met.")).to_be_visible()
    expect(desk.get_by_text(f"Certified ({programme.name}) on")).to_be_visible()
    expect(desk.get_by_role("button", name="Record as met")).to_have_count(0)
    axe_check(desk)

    page.reload()
    expect(page.get_by_text(f"You are certified as a trainer ({programme.name})")).to_be_visible()
    axe_check(page)

    # After delivering, the trainer checks in and asks for a debrief.
    open_from_menu(page, "Check-ins")
    expect(page.get_by_role("heading", name="My wellbeing check-ins")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Record a check-in").click()
    expect(page.get_by_role("heading", name="Record a wellbeing check-in")).to_be_visible()
    expect(page.get_by_text("we will email your supporter, Casey Coordinator")).to_be_visible()
    axe_check(page)
    page.get_by_role("radio", name="After delivering").check()
    page.get_by_role("radio", name="Low", exact=True).check()
    page.get_by_label("Anything you would like to note (optional)").fill(CHECK_IN_NOTES)
    page.get_by_label("I would like a debrief").check()
    page.get_by_role("button", name="Save my check-in").click()
    expect(page.get_by_role("heading", name="Wellbeing check-in", level=1)).to_be_visible()
    expect(
        page.get_by_text("We have emailed Casey Coordinator to say you would like a debrief.")
    ).to_be_visible()
    expect(page.get_by_text(CHECK_IN_NOTES)).to_be_visible()
    axe_check(page)

    # The supporter is told at once, without what the trainer wrote or how they feel.
    (debrief,) = emails_to(mailoutbox, coordinator.email, DEBRIEF_SUBJECT)
    assert "Robin Applicant would like a debrief" in debrief.body
    for content in [debrief.body, *(html for html, _ in debrief.alternatives)]:
        assert CHECK_IN_NOTES not in content
        assert "Low" not in content
    assert not desk_blocked, f"The content security policy blocked: {desk_blocked}"


def record_requirement_met(desk, title: str, day, evidence: str) -> None:
    desk.get_by_label("Requirement met").select_option(label=title)
    desk.get_by_label("Date it was met").fill(day.strftime("%d/%m/%Y"))
    desk.get_by_label("Evidence notes (optional)").fill(evidence)
    desk.get_by_role("button", name="Record as met").click()
    expect(desk.get_by_text("The requirement is recorded as met.")).to_be_visible()
    expect(desk.get_by_role("row", name=title)).to_contain_text("Done")


def test_the_apply_form_shows_what_is_missing_at_each_field_and_keeps_what_was_typed(
    page, live_server, axe_check
):
    published_role_description()
    RegionFactory(name="Manchester")
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/join/apply/")

    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Your form has not been sent yet")).to_be_visible()
    fields = [
        (page.get_by_label("Your name"), "Enter your name."),
        (page.get_by_label("Email address"), "Enter your email address."),
        (page.get_by_label("Where you live or would like to be involved"), "Choose a region."),
        (
            page.get_by_role("group", name="How would you like to be involved?"),
            "Choose at least one way you would like to be involved.",
        ),
        (
            page.get_by_label("I agree to Coproduce keeping the details"),
            "Tick the box to say we may keep these details.",
        ),
    ]
    summary = page.get_by_role("alert")
    for field, message in fields:
        expect(summary.get_by_role("link", name=message)).to_be_visible()
        expect(field).to_have_accessible_description(re.compile(re.escape(message)))
    axe_check(page)

    page.get_by_label("Your name").fill("Sam Example")
    page.get_by_label("Email address").fill("sam-at-example.org")
    page.get_by_label("Access needs (optional)").fill("Large print, please.")
    page.get_by_label("Co-design courses").check()
    page.get_by_role("button", name="Send").click()

    email = page.get_by_label("Email address")
    expect(email).to_have_accessible_description(
        re.compile("Enter an email address in the right format")
    )
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("sam-at-example.org")
    expect(page.get_by_label("Your name")).to_have_value("Sam Example")
    expect(page.get_by_label("Access needs (optional)")).to_have_value("Large print, please.")
    expect(page.get_by_label("Co-design courses")).to_be_checked()
    expect(summary.get_by_role("link", name="Enter your name.")).to_have_count(0)
    axe_check(page)
