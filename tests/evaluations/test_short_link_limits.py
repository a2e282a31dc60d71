"""The feedback short link (/evaluate/s/<code>/) uses the session's check-in code, so it has the
same limits: wrong emails per network address and per session, counted against the real client
address behind the TLS proxy, and it answers when Redis is down."""

import pytest
from django.core import mail
from django.urls import reverse

from evaluations.models import Invitation
from sessions.models import Registration
from tests.evaluations.response_helpers import delivered_session, invitation_for
from tests.factories import ParticipantFactory, RegistrationFactory, standard_form
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
def attendee() -> Registration:
    standard_form()
    return RegistrationFactory(
        session=delivered_session(),
        status=Registration.Status.ATTENDED,
        participant=ParticipantFactory(email="ada@example.org"),
    )


def ask(client, session, email, *, via=None, remote=PROXY):
    meta = {"REMOTE_ADDR": remote}
    if via:
        meta["HTTP_X_FORWARDED_FOR"] = via
    url = reverse("evaluations:respond-short-link", kwargs={"code": session.check_in_code})
    return client.post(url, {"email": email}, **meta)


def test_wrong_emails_from_many_addresses_are_capped_for_the_session(client, attendee):
    session = attendee.session
    # 100 wrong guesses, 5 from each of 20 addresses: none reaches the per-address pause.
    for n in range(100):
        ask(client, session, f"guess{n}@example.org", remote=f"192.0.2.{n // 5}")

    response = ask(client, session, "ada@example.org", remote="198.51.100.50")

    assert response.status_code == 429
    assert "too many wrong tries on this session" in text(response)
    assert not Invitation.objects.exists()


def test_behind_a_trusted_proxy_each_visitor_has_their_own_allowance(client, settings, attendee):
    settings.TRUSTED_PROXY_COUNT = 1
    session = attendee.session
    for n in range(20):
        ask(client, session, f"guess{n}@example.org", via="203.0.113.7")

    paused = ask(client, session, "ada@example.org", via="203.0.113.7")
    other = ask(client, session, "ada@example.org", via="198.51.100.20")

    assert "too many tries from here" in text(paused)
    assert other.status_code == 302
    assert Invitation.objects.filter(registration=attendee).exists()


def test_with_the_cache_down_the_short_link_answers_and_asks_to_try_again_shortly(
    client, settings, attendee
):
    settings.CACHES = REDIS_DOWN

    response = ask(client, attendee.session, "ada@example.org")

    assert response.status_code == 429
    assert "Please try again in a few minutes" in text(response)
    assert not Invitation.objects.exists()


def test_a_name_typed_on_the_public_form_reaches_the_feedback_email_with_no_link(
    django_capture_on_commit_callbacks,
):
    standard_form()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_for(
            participant=ParticipantFactory(
                email="victim@example.org", full_name="Win £££ at evil.example/x"
            )
        )

    (message,) = mail.outbox
    assert "Hello Win £££ at evil. example/x," in message.body
    assert "evil.example" not in message.body + message.alternatives[0][0]
