from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

SIGN_IN = "/accounts/sign-in/"
NO_MATCH = "That email address and password did not match an account."
LOCKED = "too many unsuccessful attempts"


def attempt(client, email: str, password: str):
    return client.post(SIGN_IN, {"username": email, "password": password})


def test_it_signs_a_trainer_in_and_sends_them_to_their_start_page(client, trainer, password):
    response = attempt(client, trainer.email, password)

    assert response.status_code == 302
    assert client.get(response.url).url == reverse("sessions:my-sessions")


def test_it_accepts_the_email_address_in_any_case(client, coordinator, password):
    response = attempt(client, coordinator.email.upper(), password)

    assert response.status_code == 302


def test_it_gives_a_new_session_id_at_sign_in(client, coordinator, password):
    client.get(SIGN_IN)
    client.session.save()
    before = client.session.session_key

    attempt(client, coordinator.email, password)

    assert client.session.session_key != before


def test_a_wrong_password_gets_a_clear_message_and_keeps_the_email(client, coordinator):
    response = attempt(client, coordinator.email, "not-the-password")

    assert response.status_code == 200
    assert NO_MATCH in response.content.decode()
    assert f'value="{coordinator.email}"' in response.content.decode()


def test_an_unknown_email_gets_exactly_the_same_answer_as_a_wrong_password(client, coordinator):
    wrong_password = attempt(client, coordinator.email, "not-the-password")
    unknown = attempt(client, "nobody@example.org", "not-the-password")

    assert unknown.status_code == wrong_password.status_code
    assert NO_MATCH in unknown.content.decode()
    assert wrong_password.context["form"].errors == unknown.context["form"].errors


def test_an_inactive_account_gets_the_same_answer_as_a_wrong_password(
    client, coordinator, password
):
    coordinator.is_active = False
    coordinator.save()

    response = attempt(client, coordinator.email, password)

    assert response.status_code == 200
    assert NO_MATCH in response.content.decode()


def test_an_empty_form_says_what_is_missing(client, db):
    response = client.post(SIGN_IN, {"username": "", "password": ""})

    assert response.context["form"].errors["username"] == ["This field is required."]
    assert response.context["form"].errors["password"] == ["This field is required."]


def test_five_failures_lock_the_account_even_for_the_right_password(client, coordinator, password):
    for _ in range(4):
        assert attempt(client, coordinator.email, "wrong-password").status_code == 200

    fifth = attempt(client, coordinator.email, "wrong-password")
    with_right_password = attempt(client, coordinator.email, password)

    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    assert with_right_password.status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_unknown_email_is_locked_in_the_same_way(client, db):
    for _ in range(4):
        attempt(client, "nobody@example.org", "wrong-password")

    response = attempt(client, "nobody@example.org", "wrong-password")

    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_the_lock_lifts_by_itself_after_30_minutes(client, coordinator, password):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            attempt(client, coordinator.email, "wrong-password")
        traveller.shift(timedelta(minutes=29))
        assert attempt(client, coordinator.email, password).status_code == 429

        traveller.shift(timedelta(minutes=2))
        assert attempt(client, coordinator.email, password).status_code == 302


def test_a_successful_sign_in_resets_the_failure_count(client, coordinator, password):
    for _ in range(4):
        attempt(client, coordinator.email, "wrong-password")
    attempt(client, coordinator.email, password)
    client.post(reverse("logout"))

    for _ in range(4):
        response = attempt(client, coordinator.email, "wrong-password")

    assert response.status_code == 200


def test_one_locked_account_does_not_lock_another(client, coordinator, manager, password):
    for _ in range(5):
        attempt(client, coordinator.email, "wrong-password")

    assert attempt(client, manager.email, password).status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example.com/", "//evil.example.com/"])
def test_it_ignores_an_off_site_next_address(client, coordinator, password, target):
    response = client.post(
        SIGN_IN + f"?next={target}", {"username": coordinator.email, "password": password}
    )

    assert response.status_code == 302
    assert "evil" not in response.url


def test_signing_out_ends_the_session_on_the_server(client, coordinator, password):
    attempt(client, coordinator.email, password)
    session_key = client.session.session_key

    client.post(reverse("logout"))

    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("home")).status_code == 302
