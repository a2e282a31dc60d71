import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from notifications.models import Notification
from people.audit_actions import SecondFactorAction
from people.models import APP_DEVICE, EMAIL_DEVICE, Role
from people.navigation import start_url
from people.services import authenticator_confirm, authenticator_start
from tests.factories import PASSWORD, UserFactory

SETUP = "/accounts/two-step/set-up/"
VERIFY = "/accounts/two-step/"
EMAIL = "/accounts/two-step/email/"


def code_for(device: TOTPDevice, *, at=None) -> str:
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    if at is not None:
        totp.time = at.timestamp()
    return f"{totp.token():06d}"


def password_only(user) -> Client:
    """Signed in through the real form: password checked, second factor not yet."""
    browser = Client()
    response = browser.post("/accounts/sign-in/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


@pytest.fixture
def ask_for_code(django_capture_on_commit_callbacks):
    """Press "Email me a code", sending the email as the request's transaction commits."""

    def ask(browser, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return browser.post(EMAIL, data)

    return ask


def emailed_code() -> str:
    body = str(mail.outbox[-1].body)
    found = re.search(r"sign-in code is: (\d{6})", body)
    assert found, body
    return found.group(1)


@pytest.mark.parametrize(
    "make",
    [
        lambda: UserFactory(roles=[Role.COORDINATOR]),
        lambda: UserFactory(roles=[Role.MANAGER]),
        lambda: UserFactory(is_superuser=True),
    ],
    ids=["coordinator", "manager", "admin"],
)
def test_roles_that_see_personal_data_reach_only_the_set_up_page_until_they_have_one(db, make):
    browser = password_only(make())

    for path in ["/", "/schedule/", "/start/manager/", "/admin/", "/trainers/"]:
        response = browser.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(SETUP), path
    assert browser.get(SETUP).status_code == 200


@pytest.mark.parametrize("role", [Role.TRAINER, Role.TEAM_LEAD])
def test_trainers_and_team_leads_do_not_need_a_second_factor(db, role):
    browser = password_only(UserFactory(roles=[role]))

    assert browser.get(start_url(role)).status_code == 200


def test_a_trainer_may_choose_to_set_one_up_and_then_must_use_it(db):
    person = UserFactory(roles=[Role.TRAINER])
    browser = password_only(person)
    browser.get(SETUP)
    device = TOTPDevice.objects.get(user=person, confirmed=False)

    browser.post(SETUP, {"code": code_for(device)})
    browser.post("/accounts/sign-out/")
    again = password_only(person)

    assert again.get("/me/sessions/").url.startswith(VERIFY)


def test_setting_up_the_app_shows_a_qr_code_and_the_key_and_a_right_code_turns_it_on(db):
    person = UserFactory(roles=[Role.COORDINATOR])
    browser = password_only(person)

    page = browser.get(SETUP + "?next=/schedule/")
    device = TOTPDevice.objects.get(user=person, confirmed=False)
    response = browser.post(SETUP, {"code": code_for(device), "next": "/schedule/"})

    html = page.content.decode()
    assert "<svg" in html
    assert 'aria-label="QR code for your authenticator app"' in html
    assert page.context["setup_key"].replace(" ", "") in device.config_url
    assert response.status_code == 302
    assert response.url == "/schedule/"
    assert browser.get("/schedule/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_wrong_set_up_code_is_refused_at_the_form_and_keeps_the_same_qr_code(db):
    person = UserFactory(roles=[Role.COORDINATOR])
    browser = password_only(person)
    first = browser.get(SETUP)

    response = browser.post(
        SETUP,
        {
            "code": "000000"
            if code_for(TOTPDevice.objects.get(user=person)) != "000000"
            else "111111"
        },
    )

    assert "That code did not match" in response.content.decode()
    assert response.context["setup_key"] == first.context["setup_key"]
    assert not TOTPDevice.objects.filter(user=person, confirmed=True).exists()


def test_an_empty_code_is_refused_at_the_field(db):
    browser = password_only(UserFactory(roles=[Role.COORDINATOR]))
    browser.get(SETUP)

    response = browser.post(SETUP, {"code": ""})

    assert response.context["form"].errors["code"] == ["This field is required."]


def test_signing_in_again_asks_for_a_code_and_a_right_one_lets_them_in(db):
    person = UserFactory(roles=[Role.COORDINATOR])
    device = TOTPDevice.objects.create(user=person, name=APP_DEVICE, confirmed=True)
    browser = password_only(person)

    asked = browser.get("/schedule/")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        wrong = browser.post(VERIFY, {"code": "12 34 5x", "next": "/schedule/"})
        traveller.shift(timedelta(seconds=2))  # past the wait after one wrong code
        right = browser.post(VERIFY, {"code": code_for(device), "next": "/schedule/"})

    assert asked.url.startswith(VERIFY)
    assert "That code did not match" in wrong.content.decode()
    assert right.url == "/schedule/"
    assert browser.get("/schedule/").status_code == 200


def test_a_used_code_cannot_be_used_again(db):
    person = UserFactory(roles=[Role.COORDINATOR])
    device = TOTPDevice.objects.create(user=person, name=APP_DEVICE, confirmed=True)
    code = code_for(device)
    password_only(person).post(VERIFY, {"code": code})

    response = password_only(person).post(VERIFY, {"code": code})

    assert "That code did not match" in response.content.decode()


def test_an_off_site_next_address_is_ignored_after_the_code(db):
    person = UserFactory(roles=[Role.COORDINATOR])
    device = TOTPDevice.objects.create(user=person, name=APP_DEVICE, confirmed=True)

    response = password_only(person).post(
        VERIFY, {"code": code_for(device), "next": "https://evil.example.com/"}
    )

    assert response.url == "/"


def test_an_emailed_code_works_as_a_fallback(db, ask_for_code):
    person = UserFactory(roles=[Role.MANAGER])
    TOTPDevice.objects.create(user=person, name=APP_DEVICE, confirmed=True)
    browser = password_only(person)

    sent = ask_for_code(browser, next="/start/manager/")
    code = emailed_code()
    response = browser.post(VERIFY, {"code": code, "next": "/start/manager/"})

    assert sent.url.startswith(VERIFY)
    assert mail.outbox[0].to == [person.email]
    assert code in mail.outbox[0].alternatives[0][0]
    assert response.url == "/start/manager/"


def test_someone_without_an_app_can_use_emailed_codes_as_their_second_factor(db, ask_for_code):
    person = UserFactory(roles=[Role.COORDINATOR])
    browser = password_only(person)
    ask_for_code(browser)
    code = emailed_code()

    browser.post(VERIFY, {"code": code})
    browser.post("/accounts/sign-out/")
    again = password_only(person)

    assert again.get("/schedule/").url.startswith(VERIFY)
    assert TOTPDevice.objects.get(user=person, name=EMAIL_DEVICE).confirmed


def test_asking_for_codes_again_and_again_within_a_minute_sends_one_email(db, ask_for_code):
    browser = password_only(UserFactory(roles=[Role.COORDINATOR]))

    with time_machine.travel(timezone.now().replace(second=5), tick=False):
        for _ in range(3):
            ask_for_code(browser)

    assert len(mail.outbox) == 1


def test_whoever_knows_the_password_cannot_flood_the_owners_inbox_with_codes(db, ask_for_code):
    # One a minute was 60 an hour, 1,440 a day, to the owner of a password someone else knows.
    browser = password_only(UserFactory(roles=[Role.COORDINATOR]))

    with time_machine.travel(timezone.now().replace(second=5), tick=False) as traveller:
        for _ in range(30):
            ask_for_code(browser)
            traveller.shift(timedelta(minutes=2))

    assert len(mail.outbox) == 5


def test_an_emailed_code_expires_after_its_time(db, ask_for_code):
    person = UserFactory(roles=[Role.COORDINATOR])
    browser = password_only(person)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        ask_for_code(browser)
        code = emailed_code()
        traveller.shift(timedelta(minutes=21))
        browser = password_only(person)

        response = browser.post(VERIFY, {"code": code})

    assert "That code did not match" in response.content.decode()


def test_the_emailed_code_is_never_stored_in_the_notification_log(db, ask_for_code):
    browser = password_only(UserFactory(roles=[Role.COORDINATOR]))

    ask_for_code(browser)

    code = emailed_code()
    stored = Notification.objects.filter(kind="sign_in_code").values()[0]
    assert all(code not in str(value) for value in stored.values())


def test_a_signed_out_visitor_is_sent_to_sign_in_from_the_second_factor_pages(client, db):
    for path in [SETUP, VERIFY]:
        assert client.get(path).url.startswith("/accounts/sign-in/")
    assert client.post(EMAIL).url.startswith("/accounts/sign-in/")
    assert mail.outbox == []


def test_a_wrong_code_makes_the_next_try_wait_even_with_the_right_code(db):
    person = UserFactory(roles=[Role.COORDINATOR])
    device = TOTPDevice.objects.create(user=person, name=APP_DEVICE, confirmed=True)
    browser = password_only(person)

    with time_machine.travel(timezone.now(), tick=False):
        browser.post(VERIFY, {"code": "000000" if code_for(device) != "000000" else "111111"})
        response = browser.post(VERIFY, {"code": code_for(device)})

    assert "too soon after a wrong code" in response.content.decode()
    assert browser.get("/schedule/").url.startswith(VERIFY)


def test_wrong_and_right_codes_are_recorded_in_the_audit_trail(db):
    person = UserFactory(roles=[Role.COORDINATOR])
    browser = password_only(person)
    browser.get(SETUP)
    app = TOTPDevice.objects.get(user=person, confirmed=False)
    browser.post(SETUP, {"code": code_for(app)})
    again = password_only(person)

    again.post(VERIFY, {"code": "000000" if code_for(app) != "000000" else "111111"})

    actions = list(
        AuditEvent.objects.filter(actor=person).values_list("action", flat=True).order_by("id")
    )
    assert SecondFactorAction.SECOND_FACTOR_ADDED in actions
    assert actions[-1] == SecondFactorAction.SECOND_FACTOR_FAILED


# The password-only takeover: a password alone never reaches the set-up page
# of someone who already has a second factor, and never replaces it.


@pytest.mark.parametrize(
    "make",
    [
        lambda: UserFactory(roles=[Role.COORDINATOR]),
        lambda: UserFactory(roles=[Role.MANAGER]),
        lambda: UserFactory(is_superuser=True),
    ],
    ids=["coordinator", "manager", "admin"],
)
def test_a_password_alone_cannot_replace_someones_authenticator(db, make):
    owner = make()
    owners_app = TOTPDevice.objects.create(user=owner, name=APP_DEVICE, confirmed=True)
    browser = password_only(owner)

    page = browser.get(SETUP)
    # A device whose key the attacker knows, as if a set-up page had shown it to them.
    crafted = TOTPDevice.objects.create(user=owner, name=APP_DEVICE, confirmed=False)
    response = browser.post(SETUP, {"code": code_for(crafted), "next": "/schedule/"})

    assert page.status_code == 302
    assert page.url.startswith(VERIFY)
    assert response.status_code == 302
    assert response.url.startswith(VERIFY)
    assert TOTPDevice.objects.get(pk=owners_app.pk).confirmed
    crafted.refresh_from_db()
    assert not crafted.confirmed
    assert "otp_device_id" not in browser.session
    assert browser.get("/admin/").url.startswith(VERIFY)
    assert not AuditEvent.objects.filter(action=SecondFactorAction.SECOND_FACTOR_ADDED).exists()
    assert mail.outbox == []


def test_someone_with_only_emailed_codes_cannot_add_an_app_with_a_password_alone(db):
    owner = UserFactory(roles=[Role.COORDINATOR])
    TOTPDevice.objects.create(user=owner, name=EMAIL_DEVICE, confirmed=True)
    browser = password_only(owner)
    crafted = TOTPDevice.objects.create(user=owner, name=APP_DEVICE, confirmed=False)

    response = browser.post(SETUP, {"code": code_for(crafted)})

    assert response.url.startswith(VERIFY)
    crafted.refresh_from_db()
    assert not crafted.confirmed


def test_the_set_up_page_refuses_a_password_alone_even_without_the_middleware(db, settings):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "people.middleware.SecondFactorMiddleware"
    ]
    owner = UserFactory(roles=[Role.COORDINATOR])
    owners_app = TOTPDevice.objects.create(user=owner, name=APP_DEVICE, confirmed=True)
    browser = password_only(owner)
    crafted = TOTPDevice.objects.create(user=owner, name=APP_DEVICE, confirmed=False)

    page = browser.get(SETUP)
    response = browser.post(SETUP, {"code": code_for(crafted)})

    assert page.url.startswith(VERIFY)
    assert response.url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=owner, confirmed=False).get() == crafted
    assert TOTPDevice.objects.get(pk=owners_app.pk).confirmed
    assert "otp_device_id" not in browser.session


def test_the_services_refuse_to_change_a_second_factor_not_passed_in_this_session(db):
    owner = UserFactory(roles=[Role.COORDINATOR])
    owners_app = TOTPDevice.objects.create(user=owner, name=APP_DEVICE, confirmed=True)
    crafted = TOTPDevice.objects.create(user=owner, name=APP_DEVICE, confirmed=False)

    with pytest.raises(PermissionDenied):
        authenticator_start(user=owner, verified=False)
    with pytest.raises(PermissionDenied):
        authenticator_confirm(user=owner, code=code_for(crafted), verified=False)

    assert TOTPDevice.objects.get(pk=owners_app.pk).confirmed
    assert TOTPDevice.objects.get(pk=crafted.pk).confirmed is False


def test_a_first_set_up_needs_no_second_factor_yet(db):
    person = UserFactory(roles=[Role.COORDINATOR])

    device = authenticator_start(user=person, verified=False)
    confirmed = authenticator_confirm(user=person, code=code_for(device), verified=False)

    assert confirmed.confirmed


def test_after_a_code_from_the_app_a_person_replaces_it_and_is_told_by_email(
    db, django_capture_on_commit_callbacks
):
    owner = UserFactory(roles=[Role.COORDINATOR])
    old_app = TOTPDevice.objects.create(user=owner, name=APP_DEVICE, confirmed=True)
    browser = password_only(owner)
    browser.post(VERIFY, {"code": code_for(old_app)})

    page = browser.get(SETUP)
    new_app = TOTPDevice.objects.get(user=owner, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(SETUP, {"code": code_for(new_app), "next": "/schedule/"})

    assert page.status_code == 200
    assert "Replace your authenticator app" in page.content.decode()
    assert response.url == "/schedule/"
    assert list(TOTPDevice.objects.filter(user=owner)) == [new_app]
    assert browser.get("/schedule/").status_code == 200
    [email] = mail.outbox
    assert email.to == [owner.email]
    assert "authenticator was changed" in email.subject.lower() + email.body.lower()
    assert "If this was not you" in email.body
    assert "/accounts/password-reset/" in email.body
    event = AuditEvent.objects.get(action=SecondFactorAction.SECOND_FACTOR_REPLACED)
    assert (event.actor, event.object_id) == (owner, str(owner.pk))


def test_after_an_emailed_code_a_person_who_lost_their_phone_sets_up_a_new_app(
    db, ask_for_code, django_capture_on_commit_callbacks
):
    owner = UserFactory(roles=[Role.MANAGER])
    lost_app = TOTPDevice.objects.create(user=owner, name=APP_DEVICE, confirmed=True)
    browser = password_only(owner)
    ask_for_code(browser)
    browser.post(VERIFY, {"code": emailed_code()})

    assert browser.get(SETUP).status_code == 200
    new_app = TOTPDevice.objects.get(user=owner, name=APP_DEVICE, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(SETUP, {"code": code_for(new_app)})

    assert not TOTPDevice.objects.filter(pk=lost_app.pk).exists()
    assert TOTPDevice.objects.get(pk=new_app.pk).confirmed
    assert mail.outbox[-1].to == [owner.email]
    assert "If this was not you" in mail.outbox[-1].body


def test_a_first_set_up_sends_no_warning_email(db, django_capture_on_commit_callbacks):
    person = UserFactory(roles=[Role.COORDINATOR])
    browser = password_only(person)
    browser.get(SETUP)
    device = TOTPDevice.objects.get(user=person, confirmed=False)

    with django_capture_on_commit_callbacks(execute=True):
        browser.post(SETUP, {"code": code_for(device)})

    assert mail.outbox == []
    assert AuditEvent.objects.filter(action=SecondFactorAction.SECOND_FACTOR_ADDED).count() == 1
