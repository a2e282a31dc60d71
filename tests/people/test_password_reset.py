import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core import mail
from django.utils import timezone

from notifications.models import Notification

RESET = "/accounts/password-reset/"
NEW_PASSWORD = "a brand new passphrase for me"


@pytest.fixture
def request_reset(client, django_capture_on_commit_callbacks):
    def do(email: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(RESET, {"email": email})

    return do


def reset_link(message) -> str:
    found = re.search(r"http://testserver(/accounts/password-reset/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_a_known_address_gets_a_link_by_email_through_the_notification_log(request_reset, trainer):
    response = request_reset(trainer.email)

    assert response.status_code == 302
    assert response.url == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [trainer.email]
    notification = Notification.objects.get(kind="password_reset")
    assert notification.status == Notification.Status.SENT
    assert notification.recipient_user == trainer


def test_an_unknown_address_gets_the_same_answer_and_no_email(request_reset, trainer):
    known = request_reset(trainer.email)
    mail.outbox.clear()

    unknown = request_reset("nobody@example.org")

    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert mail.outbox == []
    assert not Notification.objects.filter(recipient_email="nobody@example.org").exists()


def test_the_link_sets_a_new_password_once(client, request_reset, trainer):
    request_reset(trainer.email)
    link = reset_link(mail.outbox[0])

    form_page = client.get(link, follow=True)
    set_password_url = form_page.redirect_chain[-1][0]
    saved = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    reused = client.get(link, follow=True)

    signed_in = client.post(
        "/accounts/sign-in/", {"username": trainer.email, "password": NEW_PASSWORD}
    )

    assert saved.status_code == 302
    assert signed_in.status_code == 302
    assert "This link no longer works" in reused.content.decode()


def test_a_tampered_link_is_refused_with_a_clear_message(client, request_reset, trainer):
    request_reset(trainer.email)
    link = reset_link(mail.outbox[0])
    tampered = link[:-3] + ("aa/" if not link.endswith("aa/") else "bb/")

    response = client.get(tampered, follow=True)

    assert "This link no longer works" in response.content.decode()
    assert "new_password1" not in response.content.decode()


def test_a_short_new_password_is_refused_at_the_field(client, request_reset, trainer):
    request_reset(trainer.email)
    set_password_url = client.get(reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]

    response = client.post(set_password_url, {"new_password1": "short", "new_password2": "short"})

    assert "at least 12 characters" in str(response.context["form"].errors["new_password2"])


def test_the_token_is_never_stored_in_the_notification_log(request_reset, trainer):
    request_reset(trainer.email)
    token = reset_link(mail.outbox[0]).rstrip("/").split("/")[-1]

    stored = Notification.objects.filter(kind="password_reset").values()[0]

    assert all(token not in str(value) for value in stored.values())


def test_an_address_gets_at_most_two_reset_emails_an_hour(request_reset, trainer):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(2):
            request_reset(trainer.email)
            traveller.shift(timedelta(seconds=1))
        third = request_reset(trainer.email)
        assert len(mail.outbox) == 2

        traveller.shift(timedelta(minutes=61))
        request_reset(trainer.email)

    assert third.url == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 3


def test_the_link_stops_working_after_24_hours(client, request_reset, trainer):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        request_reset(trainer.email)
        link = reset_link(mail.outbox[0])
        traveller.shift(timedelta(hours=24, minutes=1))

        response = client.get(link, follow=True)

    assert "This link no longer works" in response.content.decode()


@pytest.mark.parametrize(
    "new_password",
    [
        "Ünïcödé-pässwörd-密码-🙂",
        "a very long passphrase " * 20,
    ],
    ids=["non-ascii", "long"],
)
def test_long_and_non_ascii_passwords_are_accepted(client, request_reset, trainer, new_password):
    request_reset(trainer.email)
    set_password_url = client.get(reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]

    response = client.post(
        set_password_url, {"new_password1": new_password, "new_password2": new_password}
    )
    signed_in = client.post(
        "/accounts/sign-in/", {"username": trainer.email, "password": new_password}
    )

    assert response.status_code == 302
    assert signed_in.status_code == 302


def test_a_common_password_is_refused_even_when_long_enough(client, request_reset, trainer):
    common = next(
        p for p in CommonPasswordValidator().passwords if len(p) >= 12 and not p.isdigit()
    )
    request_reset(trainer.email)
    set_password_url = client.get(reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]

    response = client.post(set_password_url, {"new_password1": common, "new_password2": common})

    assert "too common" in str(response.context["form"].errors["new_password2"])


def test_eleven_characters_are_too_few_and_twelve_are_enough(client, request_reset, trainer):
    request_reset(trainer.email)
    set_password_url = client.get(reset_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]

    short = client.post(
        set_password_url, {"new_password1": "x7#kQ2!pLm9", "new_password2": "x7#kQ2!pLm9"}
    )
    enough = client.post(
        set_password_url, {"new_password1": "x7#kQ2!pLm9z", "new_password2": "x7#kQ2!pLm9z"}
    )

    assert "at least 12 characters" in str(short.context["form"].errors["new_password2"])
    assert enough.status_code == 302
