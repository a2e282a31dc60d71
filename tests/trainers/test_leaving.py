"""A trainer who leaves the programme: their certification-renewal reminder
stops, and they are taken off every session still to come, each coordinator told."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from notifications.models import Notification
from sessions.models import TrainerAssignment, TrainingSession
from sessions.services import (
    INVITED_KIND,
    TRAINER_LEFT_KIND,
    TRAINER_REMINDER_KIND,
    assignment_accept,
    assignment_invite,
)
from tests.factories import (
    CertificationFactory,
    RegionFactory,
    TrainerFactory,
    TrainingSessionFactory,
)
from trainers.models import Trainer
from trainers.services import RENEWAL_KIND, certification_expiry_update, trainer_leave

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
DAY = date(2026, 12, 14)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


@pytest.fixture
def trainer() -> Trainer:
    return TrainerFactory(certified=True, user__full_name="Taylor Trainer")


def test_a_trainer_who_leaves_has_their_pending_renewal_reminder_cancelled(
    trainer, coordinator, admin_user
):
    certification = trainer.certifications.get()
    certification_expiry_update(
        certification=certification, expires_on=date(2027, 3, 1), by=coordinator
    )
    other = CertificationFactory(expires_on=date(2027, 3, 1))
    certification_expiry_update(certification=other, expires_on=date(2027, 3, 2), by=coordinator)
    assert Notification.objects.filter(kind=RENEWAL_KIND, status="queued").count() == 2

    trainer_leave(trainer=trainer, by=admin_user)

    trainer.refresh_from_db()
    assert trainer.status == Trainer.Status.LEFT
    reminder = Notification.objects.get(kind=RENEWAL_KIND, related_id=certification.pk)
    assert reminder.status == Notification.Status.CANCELLED
    # Someone else's reminder is theirs to keep.
    assert Notification.objects.get(kind=RENEWAL_KIND, related_id=other.pk).status == "queued"


def test_a_trainer_who_leaves_is_taken_off_every_session_still_to_come(
    trainer, coordinator, admin_user
):
    region = RegionFactory()
    invited_to = TrainingSessionFactory(
        region=region, starts_at=at(DAY, 10), coordinator=coordinator
    )
    leading = TrainingSessionFactory(
        region=region, starts_at=at(DAY + timedelta(days=1), 10), coordinator=coordinator
    )
    invitation = assignment_invite(
        session=invited_to, user=trainer.user, role="lead", by=coordinator
    )
    lead = assignment_invite(session=leading, user=trainer.user, role="lead", by=coordinator)
    assignment_accept(assignment=lead)
    TrainingSession.objects.filter(pk=leading.pk).update(status=TrainingSession.Status.CONFIRMED)
    delivered = TrainingSessionFactory(
        region=region, starts_at=at(date(2026, 11, 2), 10), status="delivered"
    )
    past = TrainerAssignment.objects.create(
        session=delivered, user=trainer.user, role="lead", status="accepted", responded_at=NOW
    )

    trainer_leave(trainer=trainer, by=admin_user)

    for assignment in (invitation, lead):
        assignment.refresh_from_db()
        assert assignment.status == TrainerAssignment.Status.WITHDRAWN
    past.refresh_from_db()
    assert past.status == TrainerAssignment.Status.ACCEPTED
    assert not Notification.objects.filter(
        kind__in=[TRAINER_REMINDER_KIND, INVITED_KIND], status="queued"
    ).exists()
    told = Notification.objects.filter(kind=TRAINER_LEFT_KIND)
    assert sorted(told.values_list("recipient_email", "related_id")) == sorted(
        [(coordinator.email, invitation.pk), (coordinator.email, lead.pk)]
    )
    assert "Taylor Trainer has left the programme" in told.first().subject
    # Nothing more goes to the person who left.
    assert not Notification.objects.filter(
        recipient_email=trainer.user.email, status="queued"
    ).exists()
    leading.refresh_from_db()
    assert leading.status == TrainingSession.Status.PLANNED


def test_leaving_twice_changes_nothing_more(trainer, admin_user):
    trainer_leave(trainer=trainer, by=admin_user)
    count = Notification.objects.count()

    trainer_leave(trainer=trainer, by=admin_user)

    assert Notification.objects.count() == count


def test_setting_a_trainer_to_left_in_the_django_admin_goes_through_the_service(
    client, trainer, admin_user, coordinator
):
    certification = trainer.certifications.get()
    certification_expiry_update(
        certification=certification, expires_on=date(2027, 3, 1), by=admin_user
    )
    invitation = assignment_invite(
        session=TrainingSessionFactory(starts_at=at(DAY, 10), coordinator=coordinator),
        user=trainer.user,
        role="lead",
        by=coordinator,
    )
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:trainers_trainer_change", args=[trainer.pk]),
        {
            "user": trainer.user.pk,
            "region": trainer.region.pk,
            "status": Trainer.Status.LEFT,
            "involvement": "[]",
            "max_sessions_per_month": 3,
            "reminder_lead_days": 7,
            "payment_choice": Trainer.Payment.PAID,
        },
    )

    assert response.status_code == 302
    trainer.refresh_from_db()
    assert trainer.status == Trainer.Status.LEFT
    assert trainer.max_sessions_per_month == 3
    assert Notification.objects.get(kind=RENEWAL_KIND).status == Notification.Status.CANCELLED
    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.WITHDRAWN
