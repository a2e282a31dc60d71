import pytest
from django.urls import reverse

from audit.actions import ExportAction
from audit.models import AuditEvent
from audit.services import audit_record
from people.audit_actions import RoleAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(coordinator, trainer):
    return audit_record(
        action=RoleAction.ROLES_CHANGED, actor=coordinator, obj=trainer, changes={"roles": ([], [])}
    )


def test_an_admin_can_list_and_filter_events(client, admin_user, event):
    client.force_login(admin_user)

    response = client.get(
        reverse("admin:audit_auditevent_changelist"), {"action": RoleAction.ROLES_CHANGED}
    )

    assert response.status_code == 200
    assert event in response.context["cl"].result_list


def test_an_admin_sees_an_event_read_only(client, admin_user, event):
    client.force_login(admin_user)

    response = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))

    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


def test_an_admin_cannot_change_an_event(client, admin_user, event):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": ExportAction.EXPORT}
    )

    assert response.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == RoleAction.ROLES_CHANGED


def test_an_admin_cannot_add_an_event(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("admin:audit_auditevent_add"))

    assert response.status_code == 403


def test_an_admin_cannot_delete_an_event(client, admin_user, event):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_offers_no_bulk_delete(client, admin_user, event):
    client.force_login(admin_user)

    response = client.get(reverse("admin:audit_auditevent_changelist"))

    assert "delete_selected" not in response.content.decode()
