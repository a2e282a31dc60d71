"""Limits on what visitors may try without an account: wrong emails at self check-in (the
8-character code is on a screen in the room), per network address and per session, counted
against the real client address behind the TLS proxy, and still answering when Redis is down."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from sessions.models import Registration, TrainingSession
from tests.factories import RegistrationFactory, TrainingSessionFactory
from tests.sessions.registration_helpers import body_and_html, emails_to, ics_of, text

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
# A Redis cache on a port nothing listens on: the cache is down, for real.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


@pytest.fixture
def session() -> TrainingSession:
    return TrainingSessionFactory(capacity=10)


@pytest.fixture
def ada(session) -> Registration:
    return RegistrationFactory(session=session, participant__email="ada@example.org")


def check_in(client, session, email, *, via=None, remote=PROXY):
    meta = {"REMOTE_ADDR": remote}
    if via:
        meta["HTTP_X_FORWARDED_FOR"] = via
    return client.post(
        reverse("sessions:checkin", kwargs={"code": session.check_in_code}),
        {"email": email},
        **meta,
    )


def during(session):
    return time_machine.travel(session.starts_at + timedelta(minutes=10), tick=False)


def status_of(registration: Registration) -> str:
    registration.refresh_from_db()
    return registration.status


def test_wrong_check_ins_from_many_addresses_are_capped_for_the_session(client, session, ada):
    with during(session):
        # 100 wrong guesses, 5 from each of 20 addresses: none reaches the per-address pause.
        for n in range(100):
            check_in(client, session, f"guess{n}@example.org", remote=f"192.0.2.{n // 5}")
        response = check_in(client, session, "ada@example.org", remote="198.51.100.50")

    assert response.status_code == 429
    assert "too many wrong tries on this session" in text(response)
    assert status_of(ada) == Registration.Status.BOOKED


def test_behind_a_trusted_proxy_each_visitor_has_their_own_allowance(
    client, settings, session, ada
):
    settings.TRUSTED_PROXY_COUNT = 1
    with during(session):
        for n in range(20):
            check_in(client, session, f"guess{n}@example.org", via="203.0.113.7")
        paused = check_in(client, session, "ada@example.org", via="203.0.113.7")
        other = check_in(client, session, "ada@example.org", via="198.51.100.20")

    assert "too many tries from here" in text(paused)
    assert other.status_code == 302
    assert status_of(ada) == Registration.Status.ATTENDED


def test_without_a_trusted_proxy_a_made_up_x_forwarded_for_gets_no_new_allowance(
    client, settings, session, ada
):
    settings.TRUSTED_PROXY_COUNT = 0
    with during(session):
        for n in range(20):
            check_in(client, session, f"guess{n}@example.org", via=f"192.0.2.{n}")
        response = check_in(client, session, "ada@example.org", via="192.0.2.200")

    assert "too many tries from here" in text(response)
    assert status_of(ada) == Registration.Status.BOOKED


def test_with_the_cache_down_check_in_answers_and_asks_to_try_again_shortly(
    client, settings, session, ada
):
    settings.CACHES = REDIS_DOWN
    with during(session):
        response = check_in(client, session, "ada@example.org")

    assert response.status_code == 429
    assert "Please try again in a few minutes" in text(response)
    assert status_of(ada) == Registration.Status.BOOKED


# Public registration is not a mail relay


@pytest.fixture
def open_session() -> TrainingSession:
    return TrainingSessionFactory(course_version__course__title="Hearing Voices", capacity=40)


@pytest.fixture
def register(client, django_capture_on_commit_callbacks):
    """Post the public form from `remote` (through the proxy when `via`), sending what is queued
    after commit (the emails)."""

    def post(session, email, *, full_name="Priya Shah", remote="192.0.2.10", via=None):
        meta = {"REMOTE_ADDR": remote}
        if via:
            meta["HTTP_X_FORWARDED_FOR"] = via
        data = {"full_name": full_name, "email": email, "participant_type": "staff", "team": ""}
        url = reverse("sessions:register", kwargs={"token": session.registration_token})
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, **meta)

    return post


def test_25_registrations_to_25_addresses_from_one_address_send_only_the_allowed_emails(
    register, open_session
):
    responses = [register(open_session, f"person{n}@example.org") for n in range(25)]

    assert [r.status_code for r in responses] == [302] * 20 + [429] * 5
    assert len(mail.outbox) == 20
    assert Registration.objects.count() == 20
    assert "we have paused them for a while" in text(responses[-1])


def test_one_recipient_gets_at_most_six_emails_a_day_from_the_form(register, open_session):
    responses = [
        register(open_session, "priya@example.org", remote=f"192.0.2.{n}") for n in range(8)
    ]

    assert [r.status_code for r in responses] == [302] * 6 + [429] * 2
    assert len(emails_to("priya@example.org")) == 6
    assert "already sent several emails to this address today" in text(responses[-1])


def test_behind_a_trusted_proxy_each_visitors_registrations_are_counted_apart(
    settings, register, open_session
):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(20):
        register(open_session, f"person{n}@example.org", via="203.0.113.7")

    paused = register(open_session, "late@example.org", via="203.0.113.7")
    other = register(open_session, "other@example.org", via="198.51.100.20")

    assert paused.status_code == 429
    assert other.status_code == 302


def test_with_the_cache_down_registration_answers_normally_and_the_limit_still_holds(
    settings, register, open_session
):
    settings.CACHES = REDIS_DOWN

    responses = [register(open_session, "down@example.org", remote="192.0.2.77") for _ in range(7)]

    assert [r.status_code for r in responses] == [302] * 6 + [429]
    assert len(emails_to("down@example.org")) == 6


@pytest.mark.parametrize("state", ["new", "booked", "waitlisted", "cancelled"])
def test_the_registration_page_answers_the_same_whatever_the_emails_state(client, register, state):
    full = TrainingSessionFactory(course_version__course__title="Hearing Voices", capacity=1)
    RegistrationFactory(session=full)
    if state != "new":
        RegistrationFactory(session=full, status=state, participant__email="priya@example.org")

    response = register(full, "priya@example.org")
    done = client.get(response.url)

    assert response.status_code == 302
    assert response.url == reverse(
        "sessions:register-done", kwargs={"token": full.registration_token}
    )
    page = text(done)
    assert "We have emailed that address to say what happens next." in page
    for telling in ("already", "waitlist (number", "booked on this session", "You are"):
        assert telling not in page
    (message,) = emails_to("priya@example.org")
    expected = {
        "new": "You are on the waitlist",
        "booked": "You are already registered",
        "waitlisted": "You are already registered",
        "cancelled": "You are on the waitlist",
    }[state]
    assert message.subject.startswith(expected)


def test_someone_already_booked_is_told_so_only_by_email(register, open_session):
    RegistrationFactory(
        session=open_session, participant__email="priya@example.org", participant__full_name="Priya"
    )

    register(open_session, "PRIYA@example.org")

    (message,) = emails_to("priya@example.org")
    assert "you are already booked on" in body_and_html(message)
    assert "Nothing has changed: your place is still yours." in message.body
    assert Registration.objects.filter(session=open_session).count() == 1


@pytest.mark.parametrize(
    ("typed", "greeting"),
    [
        ("Win £££ at evil.example/x", "Hello Win £££ at evil. example/x,"),
        ("http://evil.example", "Hello there,"),
    ],
)
def test_a_name_typed_on_the_form_reaches_no_email_as_a_link(
    register, open_session, typed, greeting
):
    register(open_session, "victim@example.org", full_name=typed)

    (message,) = emails_to("victim@example.org")
    body = body_and_html(message)
    assert greeting in message.body
    assert "evil.example" not in body
    assert "http://evil" not in body
    assert "evil.example" not in ics_of(message)


def test_an_email_written_with_a_look_alike_letter_answers_like_the_plain_one(
    register, open_session
):
    # "K" (U+212A, the Kelvin sign) passes Django's email check; PostgreSQL lowers it to "k" for
    # the unique constraint but not for the case-insensitive lookup, so the page used to print
    # "Constraint ... is violated" for an address already known: an oracle, and no booking.
    register(open_session, "kate@example.org", full_name="Kate Bell")
    mail.outbox.clear()

    response = register(open_session, "\u212aate@example.org", remote="192.0.2.11")

    assert response.status_code == 302
    assert emails_to("kate@example.org")


def test_look_alike_letters_do_not_give_one_recipient_more_emails(register, open_session):
    # "ſ" (long s) matches "s" in the lookup, so "ſam@" reached sam@'s inbox on a limit of its own.
    variants = ["sam@example.org", "Sam@example.org", "ſam@example.org", "\u017fAM@example.org"]
    variants = [*variants, *variants]

    responses = [
        register(open_session, email, remote=f"192.0.2.{n}") for n, email in enumerate(variants)
    ]

    assert [r.status_code for r in responses] == [302] * 6 + [429] * 2


def test_registrations_from_many_addresses_of_one_ipv6_network_share_one_allowance(
    register, open_session
):
    # One household, phone or server is given a whole /64: each of its addresses must not be a
    # network address of its own, or the hourly limit means nothing over IPv6.
    responses = [
        register(open_session, f"person{n}@example.org", remote=f"2001:db8:1:2::{n + 1:x}")
        for n in range(25)
    ]
    other_network = register(open_session, "someone@example.org", remote="2001:db8:1:3::1")

    assert [r.status_code for r in responses] == [302] * 20 + [429] * 5
    assert other_network.status_code == 302
