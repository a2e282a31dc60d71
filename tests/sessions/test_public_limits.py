"""Limits on what visitors may try without an account: wrong emails at self check-in (the
8-character code is on a screen in the room), per network address and per session, counted
against the real client address behind the TLS proxy, and still answering when Redis is down."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from sessions.models import Registration, TrainingSession
from tests.factories import RegistrationFactory, TrainingSessionFactory
from tests.sessions.registration_helpers import text

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
