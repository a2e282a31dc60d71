import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from people.models import APP_DEVICE, Role
from sessions.models import TrainingSession
from tests.browser.conftest import DESKTOP, PHONE, menu_open
from tests.factories import (
    PASSWORD,
    RegionFactory,
    RoomFactory,
    TrainerFactory,
    UserFactory,
    published_role_description,
)
from trainers.models import Involvement

pytestmark = pytest.mark.browser

COURSE = "Hearing voices: recovery in practice"
LEARNERS = [
    ("Ada Learner", "ada@example.org"),
    ("Ben Learner", "ben@example.org"),
    ("Cleo Learner", "cleo@example.org"),
]


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


def the_email(mailoutbox, address: str, subject_starts: str):
    (email,) = [m for m in mailoutbox if address in m.to and m.subject.startswith(subject_starts)]
    return email


def link_path(body: str, pattern: str) -> str:
    """The path of the link in an email's text that matches `pattern` (the site's address is
    the configured one, not the live server's)."""
    found = re.search(r"https?://\S+?(" + pattern + r")", body)
    assert found, body
    return found.group(1)


def test_a_coordinator_runs_a_session_from_course_to_delivery_report(
    page, new_context, live_server, sign_in, axe_check, mailoutbox
):
    # What a running programme already has: a coordinator with an authenticator app, the
    # published role description, and in Manchester a venue and two certified service-user
    # trainers who would like to lead and co-deliver.
    coordinator = UserFactory(
        email="casey@example.org", full_name="Casey Coordinator", roles=[Role.COORDINATOR]
    )
    device = TOTPDevice.objects.create(user=coordinator, name=APP_DEVICE, confirmed=True)
    role_description = published_role_description()
    manchester = RegionFactory(name="Manchester")
    room = RoomFactory(
        venue__name="Zion Centre", venue__region=manchester, name="Garden Room", capacity=16
    )
    involvement = [Involvement.LEAD.value, Involvement.CO_DELIVER.value]
    robin = TrainerFactory(
        certified=True,
        region=manchester,
        involvement=involvement,
        user__email="robin@example.org",
        user__full_name="Robin Trainer",
    ).user
    sam = TrainerFactory(
        certified=True,
        region=manchester,
        involvement=involvement,
        user__email="sam@example.org",
        user__full_name="Sam Trainer",
    ).user
    day = timezone.localdate() + timedelta(days=7)

    # The coordinator, at a desk, creates the course and its handbook.
    page.set_viewport_size(DESKTOP)
    sign_in(page, coordinator.email, PASSWORD, device=device)
    expect(page.get_by_role("heading", name="Schedule", level=1)).to_be_visible()
    axe_check(page)
    open_from_menu(page, "Courses")
    expect(page.get_by_role("heading", name="Courses", level=1)).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Create a course").click()
    expect(page.get_by_role("heading", name="Create a course")).to_be_visible()
    axe_check(page)
    page.get_by_label("Course title").fill(COURSE)
    page.get_by_label("Learning aims").fill("Understand hearing voices from people who do.")
    page.get_by_role("button", name="Create the course").click()
    expect(page.get_by_role("heading", name=COURSE, level=1)).to_be_visible()
    expect(page.get_by_text(f"“{COURSE}” is created with a draft version 1.")).to_be_visible()
    axe_check(page)

    outcomes = [
        ("Learners can describe what hearing voices is like.", "Story circle", "Chairs."),
        ("Learners can name three ways to support someone.", "Role play", "Scenario cards."),
    ]
    for number, (outcome, activity, materials) in enumerate(outcomes, start=1):
        page.get_by_role("link", name="Add a learning outcome").click()
        expect(page.get_by_role("heading", name="Add a learning outcome")).to_be_visible()
        if number == 1:
            axe_check(page)
        page.get_by_label("Learning outcome").fill(outcome)
        page.get_by_role("button", name="Add the learning outcome").click()
        expect(page.get_by_text("The learning outcome is added.")).to_be_visible()
        page.get_by_role("link", name=f"Add an activity to outcome {number}").click()
        expect(page.get_by_role("heading", name="Add an activity")).to_be_visible()
        if number == 1:
            axe_check(page)
        page.get_by_label("Title").fill(activity)
        page.get_by_label("Duration in minutes").fill("40")
        page.get_by_label("Materials (optional)").fill(materials)
        page.get_by_label("Instructions (optional)").fill("Sit in a circle and listen.")
        page.get_by_label("Notes for trainers (optional)").fill("Offer a break.")
        page.get_by_role("button", name="Add the activity").click()
        expect(page.get_by_text("The activity is added.")).to_be_visible()
        expect(page.get_by_role("heading", name=activity)).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Edit aims, guidance and co-designers").click()
    expect(page.get_by_role("heading", name="Edit draft version 1")).to_be_visible()
    axe_check(page)
    page.get_by_label("Support guidance").fill("A debrief with the lead trainer afterwards.")
    page.get_by_label("Trainer role description").select_option(
        label=f"{role_description.title}, version {role_description.version} (published)"
    )
    page.get_by_label("Robin Trainer (Manchester)").check()
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Draft version 1 saved.")).to_be_visible()
    expect(page.get_by_role("region", name="Co-designed with")).to_contain_text("Robin Trainer")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the handbook (PDF)").click()
    handbook = download.value
    assert handbook.suggested_filename.endswith(".pdf")
    with open(handbook.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    page.get_by_role("button", name="Start a pilot of version 1").click()
    expect(
        page.get_by_text("Version 1 is now a pilot. It can no longer be changed.")
    ).to_be_visible()
    axe_check(page)

    # They schedule it at the venue next week, with two places.
    open_from_menu(page, "Schedule")
    page.get_by_role("navigation", name="Schedule views").get_by_role(
        "link", name="Schedule a session"
    ).click()
    expect(page.get_by_role("heading", name="Schedule a session")).to_be_visible()
    axe_check(page)
    page.get_by_label("Course").select_option(label=f"{COURSE} (version 1, pilot)")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Starts at").fill("10:00")
    page.get_by_label("Ends at").fill("13:00")
    page.get_by_role("radio", name="At a venue").check()
    page.get_by_label("Room (for a session at a venue)").select_option(
        label="Zion Centre, Garden Room (Manchester, holds 16)"
    )
    page.get_by_label("Places").fill("2")
    page.get_by_label("Rollout phase").select_option(label="Pilot")
    page.get_by_role("button", name="Schedule the session").click()
    expect(page.get_by_text("is scheduled. Invite its trainers below.")).to_be_visible()
    expect(page.get_by_role("heading", name=COURSE, level=1)).to_contain_text(
        day.strftime("%-d %B %Y")
    )
    session = TrainingSession.objects.get(course_version__course__title=COURSE)
    assert session.room == room
    axe_check(page)

    # They invite both trainers from the suitable ones.
    for person, role in [(robin, "Lead trainer"), (sam, "Co-trainer")]:
        page.get_by_label(f"Role for {person.full_name}").select_option(label=role)
        page.get_by_role("button", name=f"Invite {person.full_name}").click()
        expect(
            page.get_by_text(f"{person.full_name} is invited as {role.lower()}.")
        ).to_be_visible()
    people = page.get_by_role("table", name="People invited to this session")
    expect(people.get_by_role("row", name="Robin Trainer")).to_contain_text("Invited")
    expect(people.get_by_role("row", name="Sam Trainer")).to_contain_text("Invited")
    axe_check(page)

    # Robin accepts from the invitation email, on their phone, without signing in.
    invitation = the_email(mailoutbox, robin.email, "Will you join")
    robin_phone = new_context(viewport=PHONE).new_page()
    robin_blocked = watch_content_security_policy(robin_phone)
    robin_phone.goto(live_server.url + link_path(invitation.body, r"/invitations/\S+/accept/"))
    expect(robin_phone.get_by_role("heading", name="Accept this invitation?")).to_be_visible()
    expect(robin_phone.get_by_text("Lead trainer")).to_be_visible()
    axe_check(robin_phone)
    robin_phone.get_by_role("button", name="Yes, I accept").click()
    expect(robin_phone.get_by_role("heading", name="Your invitation")).to_be_visible()
    expect(robin_phone.get_by_text("You accepted")).to_be_visible()
    axe_check(robin_phone)

    # The coordinator confirms the session, which is now service-user-led.
    page.reload()
    expect(people.get_by_role("row", name="Robin Trainer")).to_contain_text("Accepted")
    page.get_by_role("button", name="Confirm the session").click()
    expect(page.get_by_text("The session is confirmed.")).to_be_visible()
    expect(page.get_by_text(f"{session.code} · Confirmed")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Registrations", exact=True).click()
    expect(page.get_by_role("heading", name="Registrations", level=1)).to_be_visible()
    axe_check(page)
    public_link = page.get_by_label("Share this link so people can register themselves")
    register_path = urlsplit(public_link.input_value()).path

    # Three learners register through the public link on their phones: the third is
    # waitlisted, as there are two places.
    learner_pages = {}
    for number, (name, email) in enumerate(LEARNERS, start=1):
        learner = new_context(viewport=PHONE).new_page()
        blocked = watch_content_security_policy(learner)
        learner.goto(live_server.url + register_path)
        expect(learner.get_by_role("heading", name=f"Register for {COURSE}")).to_be_visible()
        if number == 3:
            expect(learner.get_by_text("This session is full.")).to_be_visible()
        if number in (1, 3):
            axe_check(learner)
        learner.get_by_label("Full name").fill(name)
        learner.get_by_label("Email address").fill(email)
        learner.get_by_role("radio", name="Staff").check()
        learner.get_by_role("button", name="Register").click()
        expect(learner.get_by_role("heading", name="Your registration for")).to_be_visible()
        # The same answer whatever happened: the email says which (a place, or the waitlist).
        expect(
            learner.get_by_text("We have emailed that address to say what happens next.")
        ).to_be_visible()
        if number in (1, 3):
            axe_check(learner)
        learner_pages[email] = (learner, blocked)

    # Ben cannot come after all and cancels from the link in his confirmation email.
    ben = learner_pages["ben@example.org"][0]
    confirmation = the_email(mailoutbox, "ben@example.org", "Your place on")
    ben.goto(live_server.url + link_path(confirmation.body, r"/registrations/\S+/cancel/"))
    expect(ben.get_by_text("Do you want to cancel your place?")).to_be_visible()
    axe_check(ben)
    ben.get_by_role("button", name="Yes, cancel my place").click()
    expect(
        ben.get_by_text("Your registration is cancelled. We have emailed you to confirm it.")
    ).to_be_visible()
    expect(ben.get_by_text("Registered as Ben Learner: Cancelled.")).to_be_visible()
    axe_check(ben)

    # Cleo, on the waitlist, gets the place and is told.
    promoted = the_email(mailoutbox, "cleo@example.org", "A place is yours")
    assert COURSE in promoted.subject
    assert "/registrations/" in promoted.body
    page.reload()
    registered = page.get_by_role("table", name=re.compile("People registered"))
    expect(registered.get_by_role("row", name="Cleo Learner")).to_contain_text("Booked")
    expect(registered.get_by_role("row", name="Ada Learner")).to_contain_text("Booked")
    expect(registered.get_by_role("row", name="Ben Learner")).to_contain_text("Cancelled")
    expect(page.get_by_text("2 of 2 places taken.")).to_be_visible()
    axe_check(page)

    # The day comes. Rather than move the clock (which would also move Playwright's timeouts),
    # the session is shifted so that it ran this morning: the register is open from its start
    # until a week after its end, and the report can be filed once it has ended.
    ended = timezone.now() - timedelta(minutes=30)
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=ended - timedelta(hours=3), ends_at=ended
    )

    # Robin marks attendance on their phone, then files the delivery report.
    sign_in(robin_phone, robin.email, PASSWORD)
    expect(robin_phone.get_by_role("heading", name="My sessions", level=1)).to_be_visible()
    expect(robin_phone.get_by_role("heading", name="Recent sessions")).to_be_visible()
    axe_check(robin_phone)
    robin_phone.get_by_role("link", name=re.compile(r"^Attendance register")).click()
    expect(robin_phone.get_by_role("heading", name="Register", level=1)).to_be_visible()
    axe_check(robin_phone)
    ada = robin_phone.get_by_role("group", name="Ada Learner")
    cleo = robin_phone.get_by_role("group", name="Cleo Learner")
    # Each choice is a big button-like label over its radio: tap the label, as a person does.
    ada.get_by_text("Attended", exact=True).click()
    cleo.get_by_text("Did not attend", exact=True).click()
    cleo.get_by_text("Partly", exact=True).click()  # Cleo left at the break, in fact
    expect(ada.get_by_role("radio", name="Attended")).to_be_checked()
    expect(cleo.get_by_role("radio", name="Partly")).to_be_checked()
    expect(cleo.get_by_role("radio", name="Did not attend")).not_to_be_checked()
    robin_phone.get_by_role("button", name="Save the register").click()
    expect(
        robin_phone.get_by_text(
            "Attendance saved: 1 attended, 1 partly, 0 did not attend, 0 not marked yet."
        )
    ).to_be_visible()
    axe_check(robin_phone)

    robin_phone.get_by_role("navigation", name="This session").get_by_role(
        "link", name="Delivery report"
    ).click()
    expect(robin_phone.get_by_role("heading", name="Delivery report", level=1)).to_be_visible()
    expect(robin_phone.get_by_label("Number of learners")).to_have_value("2")
    axe_check(robin_phone)
    robin_phone.get_by_role("radio", name="Yes").check()
    robin_phone.get_by_label("What went well?").fill("The story circle opened people up.")
    robin_phone.get_by_label("What should change in the course?").fill("Longer break.")
    robin_phone.get_by_role("button", name="File the report").click()
    expect(
        robin_phone.get_by_text(
            "Thank you. Your report is filed and the session is marked as delivered."
        )
    ).to_be_visible()
    expect(robin_phone.get_by_text("The story circle opened people up.")).to_be_visible()
    axe_check(robin_phone)

    # The coordinator sees the session delivered, with the attendance.
    page.get_by_role("navigation", name="This session").get_by_role(
        "link", name="Session", exact=True
    ).click()
    expect(page.get_by_text(f"{session.code} · Delivered")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Registrations", exact=True).click()
    expect(page.get_by_text("Attendance: 1 attended, 1 partly, 0 did not attend.")).to_be_visible()

    blocked = robin_blocked + [text for _, watched in learner_pages.values() for text in watched]
    assert not blocked, f"The content security policy blocked: {blocked}"
