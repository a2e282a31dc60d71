"""Coordinators see email that failed for good (what, to whom, when, why, attempts) and send it
again; nobody else sees the page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from notifications.audit_actions import NotificationAction
from notifications.models import Notification

pytestmark = pytest.mark.django_db

PAGE = "/notifications/failed/"


def failed(recipient_email: str = "learner@example.org", **fields) -> Notification:
    now = timezone.now()
    return Notification.objects.create(
        key=f"failed-{recipient_email}",
        kind="registration_confirmed",
        recipient_email=recipient_email,
        subject="You are booked on Hearing Voices",
        due_at=now,
        status=Notification.Status.FAILED,
        attempts=9,
        last_attempt_at=now,
        last_error="SMTPRecipientsRefused: mailbox unavailable",
        **{"template": "sessions/email/registration_confirmed", **fields},
    )


def test_the_page_is_at_its_address_in_the_notifications_namespace():
    assert reverse("notifications:failed-list") == PAGE


def test_a_coordinator_sees_what_failed_to_whom_when_why_and_how_often(
    client, coordinator, django_assert_max_num_queries
):
    failed()
    Notification.objects.create(
        key="sent", kind="k", recipient_email="fine@example.org", subject="Fine", template="t",
        due_at=timezone.now(), status=Notification.Status.SENT,
    )  # fmt: skip
    client.force_login(coordinator)

    with django_assert_max_num_queries(12):
        response = client.get(PAGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "You are booked on Hearing Voices" in page
    assert "learner@example.org" in page
    assert "SMTPRecipientsRefused: mailbox unavailable" in page
    assert "<td>9</td>" in page
    assert "fine@example.org" not in page
    assert 'action="/notifications/' in page
    assert "Send again" in page


def test_the_page_takes_the_same_queries_for_many_failures(
    client, coordinator, django_assert_max_num_queries
):
    for n in range(60):
        failed(f"learner{n}@example.org")
    client.force_login(coordinator)

    with django_assert_max_num_queries(12):
        response = client.get(PAGE)

    assert response.status_code == 200
    assert "Page 1 of 2" in response.content.decode()


def test_the_page_says_how_many_messages_are_waiting_for_another_try(client, coordinator):
    Notification.objects.create(
        key="retrying", kind="k", recipient_email="later@example.org", subject="Later",
        template="t", due_at=timezone.now(), attempts=2,
    )  # fmt: skip
    client.force_login(coordinator)

    page = client.get(PAGE).content.decode()

    assert "1 other message could not be delivered yet" in page
    assert "No email has failed." in page


@pytest.mark.parametrize("who", ["trainer", "team_lead", "manager", "admin_user"])
def test_nobody_but_coordinators_opens_the_page_or_resends(client, request, who):
    notification = failed()
    client.force_login(request.getfixturevalue(who))

    assert client.get(PAGE).status_code == 403
    resend = client.post(reverse("notifications:resend", kwargs={"pk": notification.pk}))
    assert resend.status_code == 403
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    notification = failed()

    for response in (
        client.get(PAGE),
        client.post(reverse("notifications:resend", kwargs={"pk": notification.pk})),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_coordinator_sends_it_again_and_it_goes_out_once_audited(
    client, coordinator, mailoutbox, django_capture_on_commit_callbacks, settings, tmp_path
):
    (tmp_path / "again.txt").write_text("Your place is booked.")
    (tmp_path / "again.html").write_text("<p>Your place is booked.</p>")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    notification = failed(template="again")
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:resend", kwargs={"pk": notification.pk}))

    assert response.status_code == 302
    assert response.url == PAGE
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1
    assert [m.to for m in mailoutbox] == [["learner@example.org"]]
    event = AuditEvent.objects.get(action=NotificationAction.NOTIFICATION_RESENT)
    assert event.actor == coordinator
    assert event.object_id == str(notification.pk)


def test_re_sending_a_message_that_did_not_fail_changes_nothing(client, coordinator):
    notification = failed()
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.SENT)
    client.force_login(coordinator)

    response = client.post(
        reverse("notifications:resend", kwargs={"pk": notification.pk}), follow=True
    )

    assert "Only a message that failed can be sent again." in response.content.decode()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert not AuditEvent.objects.filter(action=NotificationAction.NOTIFICATION_RESENT).exists()


def test_a_get_on_the_resend_address_is_refused(client, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("notifications:resend", kwargs={"pk": failed().pk}))

    assert response.status_code == 405
