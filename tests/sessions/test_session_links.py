"""Higher apps offer ways on from a session through sessions.hooks.session_links: My sessions
shows them for recent sessions, the delivery report once it is filed; a POST link is a button in
its own form. Sessions never names the app that offers them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.hooks import PageLink, session_links
from sessions.models import TrainerAssignment, TrainingSession
from sessions.services import delivery_report_submit
from tests.factories import TrainerAssignmentFactory

pytestmark = pytest.mark.django_db


def offered(*, session, user) -> list[PageLink]:
    return [
        PageLink(label=f"Read about {session.code}", url="/somewhere/"),
        PageLink(label="Do something", url=f"/act/{session.pk}/", post=True),
    ]


@pytest.fixture
def listening():
    with session_links.connected(offered):
        yield


def ended(ago: timedelta) -> TrainerAssignment:
    assignment = TrainerAssignmentFactory(status=TrainerAssignment.Status.ACCEPTED)
    ends_at = timezone.now() - ago
    TrainingSession.objects.filter(pk=assignment.session_id).update(
        starts_at=ends_at - timedelta(hours=3), ends_at=ends_at
    )
    assignment.session.refresh_from_db()
    return assignment


def test_my_sessions_shows_the_links_offered_for_a_recent_session(client, listening):
    assignment = ended(timedelta(days=1))
    upcoming = TrainerAssignmentFactory(user=assignment.user, status="accepted").session
    client.force_login(assignment.user)

    html = client.get(reverse("sessions:my-sessions")).content.decode()

    assert f'<a href="/somewhere/">Read about {assignment.session.code}' in html
    assert f'<form method="post" action="/act/{assignment.session_id}/">' in html
    assert f'action="/act/{upcoming.pk}/"' not in html


def test_the_delivery_report_shows_the_links_once_it_is_filed(client, listening):
    assignment = ended(timedelta(hours=1))
    url = reverse("sessions:delivery-report", kwargs={"pk": assignment.session_id})
    client.force_login(assignment.user)
    assert "/somewhere/" not in client.get(url).content.decode()

    delivery_report_submit(
        session=assignment.session,
        by=assignment.user,
        delivered_as_planned=True,
        attendee_count=0,
    )

    assert "/somewhere/" in client.get(url).content.decode()
