import re
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from evaluations.pdf import SESSION_REPORT_TEMPLATE, session_report_context
from evaluations.selectors import RESULTS_WITHHELD, document_session_report
from people.models import APP_DEVICE, Role
from sessions.models import Registration, TrainerAssignment
from sessions.services import delivery_report_submit
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import (
    PASSWORD,
    ParticipantFactory,
    RegistrationFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
    registrations_in_bulk,
    responses_for,
    standard_form,
)

pytestmark = pytest.mark.browser

LEARNERS = [
    ("Ada Learner", "ada@example.org"),
    ("Ben Learner", "ben@example.org"),
    ("Cleo Learner", "cleo@example.org"),
]
BEFORE = "Before today: how confident were you to involve service users"
AFTER = "Now: how confident are you to involve service users in your work?"
ORGANISED = "How well organised was the session?"


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


def the_email(mailoutbox, address: str, subject_starts: str):
    (email,) = [m for m in mailoutbox if address in m.to and m.subject.startswith(subject_starts)]
    return email


def link_path(body: str, pattern: str) -> str:
    """The path of the link in an email's text that matches `pattern`."""
    found = re.search(r"https?://\S+?(" + pattern + r")", body)
    assert found, body
    return found.group(1)


def question(page, text: str):
    """A rating or yes/no question's group of radios, by its question."""
    return page.get_by_role("group", name=re.compile(re.escape(text)))


def rate(page, text: str, value: int) -> None:
    question(page, text).get_by_role("radio", name=re.compile(rf"^{value}\b")).check()


def answer_everything(page, *, skip: str = "") -> None:
    """Answer the standard form: 4s, confidence 2 before and 4 after, yes, and comments."""
    ratings = {
        "How far did the session meet its learning outcomes?": 4,
        "How valuable was hearing from trainers with lived experience?": 5,
        BEFORE: 2,
        AFTER: 4,
        ORGANISED: 4,
    }
    for text, value in ratings.items():
        if text != skip:
            rate(page, text, value)
    question(page, "Would you recommend this session to a colleague?").get_by_role(
        "radio", name="Yes"
    ).check()
    page.get_by_label("What was most useful?").fill("Hearing the trainers' own stories.")
    page.get_by_label("What will you do more of?").fill("Ask people what helps them.")


def test_a_delivered_session_is_evaluated_chased_and_reported(
    page, new_context, live_server, sign_in, axe_check, mailoutbox
):
    # The programme has its standard form, a coordinator with an authenticator app, and a
    # session that ended yesterday, led by a certified trainer, with three learners attended.
    standard_form()
    coordinator = UserFactory(
        email="casey@example.org", full_name="Casey Coordinator", roles=[Role.COORDINATOR]
    )
    device = TOTPDevice.objects.create(user=coordinator, name=APP_DEVICE, confirmed=True)
    robin = TrainerFactory(
        certified=True, user__email="robin@example.org", user__full_name="Robin Trainer"
    ).user
    starts_at = timezone.now() - timedelta(days=1)
    session = TrainingSessionFactory(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        course_version__course__title="Hearing voices: recovery in practice",
    )
    TrainerAssignmentFactory(
        session=session,
        user=robin,
        role=TrainerAssignment.Role.LEAD,
        status=TrainerAssignment.Status.ACCEPTED,
    )
    for name, email in LEARNERS:
        RegistrationFactory(
            session=session,
            participant=ParticipantFactory(full_name=name, email=email),
            status=Registration.Status.ATTENDED,
        )

    # Robin files the delivery report, which marks the session delivered: each attendee is
    # emailed their own link.
    delivery_report_submit(session=session, by=robin, delivered_as_planned=True, attendee_count=3)
    session.refresh_from_db()
    assert session.status == session.Status.DELIVERED
    invitations = {email: the_email(mailoutbox, email, "Your feedback on") for _, email in LEARNERS}
    paths = {
        email: link_path(message.body, r"/evaluate/[^/\s]+/")
        for email, message in invitations.items()
    }
    assert len(set(paths.values())) == 3

    # Ada, on her phone, misses a required rating: she is told where, and her answers stay.
    ada = new_context(viewport=PHONE).new_page()
    ada_blocked = watch_content_security_policy(ada)
    ada.goto(live_server.url + paths["ada@example.org"])
    expect(ada.get_by_role("heading", name="Your feedback", level=1)).to_be_visible()
    expect(ada.get_by_role("heading", name="Where to find support")).to_be_visible()
    axe_check(ada)
    answer_everything(ada, skip=ORGANISED)
    ada.get_by_role("button", name="Send my feedback").click()
    summary = ada.get_by_role("alert")
    expect(summary).to_contain_text("Your feedback has not been sent yet")
    expect(summary.get_by_role("link", name=re.compile(re.escape(ORGANISED)))).to_contain_text(
        "Choose a number from 1 to 5."
    )
    expect(question(ada, ORGANISED)).to_contain_text("Choose a number from 1 to 5.")
    expect(question(ada, BEFORE).get_by_role("radio", name=re.compile(r"^2\b"))).to_be_checked()
    expect(question(ada, AFTER).get_by_role("radio", name=re.compile(r"^4\b"))).to_be_checked()
    expect(ada.get_by_label("What was most useful?")).to_have_value(
        "Hearing the trainers' own stories."
    )
    axe_check(ada)
    rate(ada, ORGANISED, 3)
    ada.get_by_role("button", name="Send my feedback").click()
    expect(ada.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()
    axe_check(ada)
    assert not ada_blocked, ada_blocked

    # Ben answers everything at once on his phone.
    ben = new_context(viewport=PHONE).new_page()
    ben_blocked = watch_content_security_policy(ben)
    ben.goto(live_server.url + paths["ben@example.org"])
    answer_everything(ben)
    ben.get_by_role("button", name="Send my feedback").click()
    expect(ben.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()
    assert not ben_blocked, ben_blocked

    # The coordinator sees two of three have responded and sends Cleo the one reminder.
    page.set_viewport_size(DESKTOP)
    sign_in(page, coordinator.email, PASSWORD, device=device)
    page.goto(f"{live_server.url}/schedule/{session.pk}/")
    axe_check(page)
    page.get_by_role("link", name="Evaluation invitations").click()
    expect(page.get_by_role("heading", name="Feedback", level=1)).to_be_visible()
    expect(page.get_by_text("2 of 3 (67%)")).to_be_visible()
    waiting = page.get_by_role("table", name=re.compile("People who have not responded"))
    expect(waiting.get_by_role("row", name=re.compile("Cleo Learner"))).to_contain_text("Not sent")
    expect(waiting).not_to_contain_text("Ada Learner")
    axe_check(page)
    page.get_by_role("button", name="Send the reminder to 1 person").click()
    expect(waiting.get_by_role("row", name=re.compile("Cleo Learner"))).to_contain_text("Sent")
    axe_check(page)
    reminder = the_email(mailoutbox, "cleo@example.org", "Reminder: your feedback on")
    assert not [m for m in mailoutbox if m.subject.startswith("Reminder") and len(m.to) != 1]
    assert len([m for m in mailoutbox if m.subject.startswith("Reminder")]) == 1

    # Cleo answers from the reminder.
    cleo = new_context(viewport=PHONE).new_page()
    cleo_blocked = watch_content_security_policy(cleo)
    cleo.goto(live_server.url + link_path(reminder.body, r"/evaluate/[^/\s]+/"))
    answer_everything(cleo)
    cleo.get_by_role("button", name="Send my feedback").click()
    expect(cleo.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()
    assert not cleo_blocked, cleo_blocked

    # Three of three answered: too few for anything but the count, for everyone
    # (docs/domain.md, Evaluations).
    page.goto(f"{live_server.url}/schedule/{session.pk}/")
    page.get_by_role("link", name="Evaluation results").click()
    expect(page.get_by_role("heading", name="Evaluation results", level=1)).to_be_visible()
    expect(page.get_by_text("3 of 3 (100%)")).to_be_visible()
    expect(page.get_by_text(RESULTS_WITHHELD)).to_be_visible()
    expect(page.locator("svg")).to_have_count(0)
    expect(page.get_by_text("Hearing the trainers' own stories.")).to_have_count(0)
    axe_check(page)

    # Robin, the lead trainer, is told the same.
    trainer = new_context(viewport=DESKTOP).new_page()
    trainer_blocked = watch_content_security_policy(trainer)
    sign_in(trainer, robin.email, PASSWORD)
    results_url = f"{live_server.url}/schedule/{session.pk}/results/"
    trainer.goto(results_url)
    expect(trainer.get_by_role("heading", name="Evaluation results", level=1)).to_be_visible()
    expect(trainer.get_by_text(RESULTS_WITHHELD)).to_be_visible()
    expect(trainer.get_by_text("Hearing the trainers' own stories.")).to_have_count(0)
    axe_check(trainer)

    # The coordinator releases the comments; with three responses Robin still reads none.
    page.get_by_role("button", name="Release comments to the trainers").click()
    expect(page.get_by_text("Comments were released to the trainers on")).to_be_visible()
    axe_check(page)
    trainer.reload()
    expect(trainer.get_by_text(RESULTS_WITHHELD)).to_be_visible()
    expect(trainer.get_by_text("Hearing the trainers' own stories.")).to_have_count(0)
    expect(trainer.get_by_text("Ask people what helps them.")).to_have_count(0)

    # Two more attendees answer (straight in the database). With five, the results show the
    # change in confidence: 2.0 before, 4.0 now, +2.0; and Robin reads the released comments.
    registrations_in_bulk(session, 2, status=Registration.Status.ATTENDED)
    responses_for(session, 2, ratings={"confidence_before": 2, "confidence_after": 4})
    page.reload()
    expect(page.get_by_text("5 of 5 (100%)")).to_be_visible()
    confidence = page.get_by_role("region", name="Confidence to involve service users")
    expect(confidence).to_contain_text("Mean before the session 2.0")
    expect(confidence).to_contain_text("now 4.0")
    expect(confidence).to_contain_text("a change of +2.0")
    expect(page.locator("svg").first).to_be_visible()
    expect(page.get_by_text("Hearing the trainers' own stories.").first).to_be_visible()
    axe_check(page)
    trainer.reload()
    expect(trainer.get_by_text("Hearing the trainers' own stories.").first).to_be_visible()
    expect(trainer.get_by_text("Ask people what helps them.").first).to_be_visible()
    assert not trainer_blocked, trainer_blocked

    # The session report opens as a PDF, with its charts.
    page.goto(f"{live_server.url}/schedule/{session.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Session report (PDF)").click()
    with open(download.value.path(), "rb") as pdf:
        content = pdf.read()
    assert content.startswith(b"%PDF")
    assert len(content) > 5000
    report_html = render_to_string(
        SESSION_REPORT_TEMPLATE,
        session_report_context(document_session_report(session=session, with_names=True)),
    )
    assert "<svg" in report_html
    assert "Confidence to involve service users" in report_html
