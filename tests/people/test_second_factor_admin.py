"""Admins reset a lost second factor; the Django admin never shows a device's secret."""

from base64 import b32encode

import pytest
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from people.audit_actions import SecondFactorAction
from people.models import APP_DEVICE, EMAIL_DEVICE, Role
from tests.factories import PASSWORD, UserFactory


def reset_url(person) -> str:
    return reverse("admin:people_user_second_factor_reset", args=[person.pk])


@pytest.fixture
def person(db):
    """A coordinator who lost their phone: an app and emailed codes, both confirmed."""
    person = UserFactory(email="lost.phone@example.org", roles=[Role.COORDINATOR])
    TOTPDevice.objects.create(user=person, name=APP_DEVICE, confirmed=True)
    TOTPDevice.objects.create(user=person, name=EMAIL_DEVICE, confirmed=True)
    return person


@pytest.fixture
def admin_user(db):
    return UserFactory(email="admin@example.org", is_superuser=True)


def test_an_admin_resets_a_persons_second_factor_who_is_told_by_email(
    client, person, admin_user, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    client.force_login(admin_user)

    with django_assert_max_num_queries(15):
        page = client.get(reset_url(person))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset_url(person), REMOTE_ADDR="198.51.100.9")

    assert page.status_code == 200
    assert person.email in page.content.decode()
    assert TOTPDevice.objects.filter(user=person).count() == 0
    assert response.status_code == 302
    assert response.url == reverse("admin:people_user_change", args=[person.pk])
    event = AuditEvent.objects.get(action=SecondFactorAction.SECOND_FACTOR_RESET)
    assert (event.actor, event.object_id) == (admin_user, str(person.pk))
    assert event.changes == {"devices": 2}
    assert event.ip_address == "198.51.100.9"
    [email] = mail.outbox
    assert email.to == [person.email]
    assert "administrator reset your two-step sign-in" in email.body
    assert "If you did not ask for this" in email.body


def test_looking_at_the_reset_page_changes_nothing(client, person, admin_user):
    client.force_login(admin_user)

    client.get(reset_url(person))

    assert TOTPDevice.objects.filter(user=person).count() == 2
    assert not AuditEvent.objects.filter(action=SecondFactorAction.SECOND_FACTOR_RESET).exists()


def test_the_persons_admin_page_offers_the_reset(client, person, admin_user):
    client.force_login(admin_user)

    page = client.get(reverse("admin:people_user_change", args=[person.pk]))

    html = page.content.decode()
    assert reset_url(person) in html
    assert "Authenticator app, Emailed codes" in html


def test_the_reset_needs_the_csrf_token(person, admin_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    device = TOTPDevice.objects.create(user=admin_user, name=APP_DEVICE, confirmed=True)
    session = browser.session
    session["otp_device_id"] = device.persistent_id
    session.save()

    response = browser.post(reset_url(person))

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=person).count() == 2


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MANAGER, Role.TRAINER, Role.TEAM_LEAD])
def test_other_roles_cannot_reset_a_second_factor(client, person, role):
    client.force_login(UserFactory(roles=[role]))

    response = client.post(reset_url(person))

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert TOTPDevice.objects.filter(user=person).count() == 2
    assert mail.outbox == []


def test_staff_who_are_not_admins_cannot_reset_a_second_factor(client, person):
    staff = UserFactory(roles=[Role.COORDINATOR])
    staff.is_staff = True
    staff.save()
    client.force_login(staff)

    response = client.post(reset_url(person))

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=person).count() == 2


def test_a_signed_out_visitor_cannot_reset_a_second_factor(client, person):
    response = client.post(reset_url(person))

    assert response.url.startswith("/admin/login/")
    assert TOTPDevice.objects.filter(user=person).count() == 2


def test_an_admin_who_has_not_passed_their_own_second_factor_cannot_reset(person, admin_user):
    TOTPDevice.objects.create(user=admin_user, name=APP_DEVICE, confirmed=True)
    browser = Client()
    browser.force_login(admin_user)

    response = browser.post(reset_url(person))

    assert response.url.startswith("/accounts/two-step/")
    assert TOTPDevice.objects.filter(user=person).count() == 2


def test_after_a_reset_the_person_sets_up_again_when_they_next_sign_in(client, person, admin_user):
    client.force_login(admin_user)
    client.post(reset_url(person))
    browser = Client()

    browser.post("/accounts/sign-in/", {"username": person.email, "password": PASSWORD})

    assert browser.get("/schedule/").url.startswith("/accounts/two-step/set-up/")


def secrets_of(device: TOTPDevice) -> list[str]:
    return [device.key, b32encode(device.bin_key).decode(), "otpauth://"]


def test_the_admin_never_shows_a_device_secret(client, person, admin_user):
    client.force_login(admin_user)
    device = TOTPDevice.objects.get(user=person, name=APP_DEVICE)

    pages = [
        client.get("/admin/otp_totp/totpdevice/"),
        client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/"),
        client.get(reverse("admin:people_user_change", args=[person.pk])),
        client.get(reset_url(person)),
    ]

    for page in pages:
        assert page.status_code == 200, page.request["PATH_INFO"]
        html = page.content.decode()
        for secret in secrets_of(device):
            assert secret not in html, page.request["PATH_INFO"]
    assert escape(device.user.full_name) in pages[0].content.decode()


def test_the_admin_cannot_edit_add_or_show_the_qr_code_of_a_device(client, person, admin_user):
    client.force_login(admin_user)
    device = TOTPDevice.objects.get(user=person, name=APP_DEVICE)
    key = device.key

    edit = client.post(
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        {"user": person.pk, "name": APP_DEVICE, "key": "00" * 20, "confirmed": "on"},
    )
    add = client.get("/admin/otp_totp/totpdevice/add/")

    device.refresh_from_db()
    assert device.key == key
    assert edit.status_code == 403
    assert add.status_code == 403
    for name in ["admin:otp_totp_totpdevice_config", "admin:otp_totp_totpdevice_qrcode"]:
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[device.pk])
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code != 200
