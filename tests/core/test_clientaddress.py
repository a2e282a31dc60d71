import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from audit.actions import ExportAction
from audit.services import audit_record
from core.clientaddress import client_address

PROXY = "10.0.0.2"
VISITOR = "203.0.113.7"
OTHER_VISITOR = "198.51.100.20"
SIGN_IN = "/accounts/sign-in/"
LOCKED = "too many unsuccessful attempts"


def _request(**meta):
    return RequestFactory().get("/", REMOTE_ADDR=PROXY, **meta)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_address(_request(HTTP_X_FORWARDED_FOR=VISITOR)) == PROXY


def test_behind_one_trusted_proxy_the_address_before_it_is_used(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_address(_request(HTTP_X_FORWARDED_FOR=VISITOR)) == VISITOR


def test_a_visitor_cannot_choose_its_address_by_adding_x_forwarded_for_entries(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The visitor sent "X-Forwarded-For: 192.0.2.1, 192.0.2.2"; the proxy appended what it saw.
    spoofed = _request(HTTP_X_FORWARDED_FOR=f"192.0.2.1, 192.0.2.2, {VISITOR}")

    assert client_address(spoofed) == VISITOR


def test_behind_two_trusted_proxies_the_address_two_hops_back_is_used(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # Visitor -> edge proxy (appends the visitor) -> nginx (appends the edge) -> app.
    request = _request(HTTP_X_FORWARDED_FOR=f"192.0.2.1, {VISITOR}, 10.0.0.1")

    assert client_address(request) == VISITOR


def test_a_request_that_did_not_come_through_the_proxies_uses_its_own_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_address(_request()) == PROXY


@pytest.mark.django_db
def test_the_audit_trail_records_the_address_before_the_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = _request(HTTP_X_FORWARDED_FOR=f"192.0.2.1, {VISITOR}")
    request.user = AnonymousUser()

    assert audit_record(action=ExportAction.EXPORT, request=request).ip_address == VISITOR


@pytest.mark.django_db
def test_the_audit_trail_ignores_x_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = _request(HTTP_X_FORWARDED_FOR=VISITOR)
    request.user = AnonymousUser()

    assert audit_record(action=ExportAction.EXPORT, request=request).ip_address == PROXY


def _sign_in(client, email, password, forwarded_for):
    return client.post(
        SIGN_IN,
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_sign_in_lockout_is_per_visitor_behind_a_trusted_proxy(client, settings, trainer, password):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        _sign_in(client, trainer.email, "not-the-password", VISITOR)

    locked = _sign_in(client, trainer.email, password, VISITOR)
    other = _sign_in(client, trainer.email, password, OTHER_VISITOR)

    assert LOCKED in locked.content.decode()
    assert other.status_code == 302


def test_sign_in_lockout_cannot_be_dodged_by_inventing_x_forwarded_for(
    client, settings, trainer, password
):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        _sign_in(client, trainer.email, "not-the-password", f"192.0.2.{n}, {VISITOR}")

    locked = _sign_in(client, trainer.email, password, f"192.0.2.99, {VISITOR}")

    assert LOCKED in locked.content.decode()
