from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.utils import timezone

PAGE = "/me/sessions/"


@pytest.fixture
def signed_in(client, trainer, password):
    response = client.post("/accounts/sign-in/", {"username": trainer.email, "password": password})
    assert response.status_code == 302
    return client


def test_30_minutes_without_activity_signs_a_person_out(signed_in):
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = signed_in.get(PAGE)
        follow = signed_in.get(response.url)

    assert response.status_code == 302
    assert response.url == "/accounts/sign-in/?next=" + PAGE
    assert "you were signed out" in follow.content.decode()


def test_signing_out_for_inactivity_ends_the_session_on_the_server(signed_in):
    session_key = signed_in.session.session_key

    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        signed_in.get(PAGE)

    assert not Session.objects.filter(session_key=session_key).exists()


def test_activity_keeps_a_person_signed_in(signed_in):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(6):
            traveller.shift(timedelta(minutes=20))
            assert signed_in.get(PAGE).status_code == 200


def test_12_hours_after_sign_in_a_person_must_sign_in_again_however_active(signed_in):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(35):
            traveller.shift(timedelta(minutes=20))
            assert signed_in.get(PAGE).status_code == 200
        traveller.shift(timedelta(minutes=20))

        response = signed_in.get(PAGE)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/sign-in/")


def test_the_session_cookie_is_http_only_and_same_site_lax(client, trainer, password):
    response = client.post("/accounts/sign-in/", {"username": trainer.email, "password": password})

    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
