"""My sessions keeps a session for a week after it ends, so its trainers can take the register
and file the delivery report from there."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import TrainerAssignment, TrainingSession
from tests.factories import TrainerAssignmentFactory

pytestmark = pytest.mark.django_db


def ended(ago: timedelta, *, role=TrainerAssignment.Role.LEAD) -> TrainerAssignment:
    assignment = TrainerAssignmentFactory(role=role, status=TrainerAssignment.Status.ACCEPTED)
    ends_at = timezone.now() - ago
    TrainingSession.objects.filter(pk=assignment.session_id).update(
        starts_at=ends_at - timedelta(hours=3), ends_at=ends_at
    )
    return assignment


def test_a_session_that_ended_this_week_is_listed_with_its_register_and_report(client):
    assignment = ended(timedelta(days=2))
    client.force_login(assignment.user)

    html = client.get("/me/sessions/").content.decode()

    assert "Recent sessions" in html
    assert f"/schedule/{assignment.session_id}/register/" in html
    assert f"/schedule/{assignment.session_id}/report/" in html


def test_a_session_that_ended_over_a_week_ago_is_no_longer_listed(client):
    assignment = ended(timedelta(days=8))
    client.force_login(assignment.user)

    html = client.get("/me/sessions/").content.decode()

    assert f"/schedule/{assignment.session_id}/register/" not in html


def test_a_trainee_shadowing_gets_neither_the_register_nor_the_report(client):
    assignment = ended(timedelta(days=1), role=TrainerAssignment.Role.SHADOWING)
    client.force_login(assignment.user)

    html = client.get("/me/sessions/").content.decode()

    assert f"/schedule/{assignment.session_id}/register/" not in html
    assert f"/schedule/{assignment.session_id}/report/" not in html


def test_a_staff_co_facilitator_keeps_the_register_but_does_not_file_the_report(client):
    assignment = ended(timedelta(days=1), role=TrainerAssignment.Role.STAFF)
    client.force_login(assignment.user)

    html = client.get("/me/sessions/").content.decode()

    assert f"/schedule/{assignment.session_id}/register/" in html
    assert f"/schedule/{assignment.session_id}/report/" not in html
