"""Travel booked for trainers so nothing is paid up front: a trainer asks, a coordinator books it
with the details, then marks it used; either may cancel it before then. Each change is audited
and the right person emailed; every bad input is refused with nothing changed."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from audit.models import AuditEvent
from expenses.audit_actions import ExpenseAction
from expenses.models import TravelRequest
from expenses.services import (
    travel_request_book,
    travel_request_cancel,
    travel_request_create,
    travel_request_mark_used,
)
from people.models import Role
from tests.expenses.factories import TravelRequestFactory
from tests.people.factories import UserFactory
from tests.sessions.factories import TrainerAssignmentFactory, TrainingSessionFactory
from tests.trainers.factories import TrainerFactory
from trainers.models import Trainer

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 4)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=UTC)):
        yield


@pytest.fixture
def casey(db):
    return UserFactory(email="casey@example.org", roles=[Role.COORDINATOR])


@pytest.fixture
def trainer(db):
    return TrainerFactory(status=Trainer.Status.ACTIVE, user__email="sam@example.org")


def session_for(trainer: Trainer, **kwargs):
    return TrainerAssignmentFactory(user=trainer.user, status="accepted", **kwargs).session


def ask(trainer: Trainer, **changes) -> TravelRequest:
    fields: dict = {
        "trainer": trainer,
        "by": trainer.user,
        "purpose": "Train the Trainer day",
        "travel_on": TODAY + timedelta(days=10),
        "from_place": "Leeds",
        "to_place": "York",
        "mode": TravelRequest.Mode.TRAIN,
    }
    return travel_request_create(**(fields | changes))


def audited(travel: TravelRequest) -> list:
    return list(
        AuditEvent.objects.filter(
            action=ExpenseAction.TRAVEL_STATUS_CHANGED, object_id=str(travel.pk)
        )
        .order_by("pk")
        .values_list("changes", flat=True)
    )


# Asking


def test_a_trainer_asks_for_travel_to_a_session_they_are_on(trainer, casey):
    session = session_for(trainer)

    travel = ask(trainer, session=session, purpose="ignored for a session")

    assert travel.status == TravelRequest.Status.REQUESTED
    assert travel.session == session
    assert travel.purpose == ""
    assert audited(travel) == [{"status": ["", "requested"]}]


def test_a_trainer_who_chose_no_payment_can_still_ask(trainer, casey):
    trainer.payment_choice = Trainer.Payment.DECLINE
    trainer.save()

    assert ask(trainer).status == TravelRequest.Status.REQUESTED


def test_coordinators_are_told_of_a_new_request(trainer, casey, django_capture_on_commit_callbacks):
    robin = UserFactory(email="robin@example.org", roles=[Role.COORDINATOR])

    with django_capture_on_commit_callbacks(execute=True):
        travel = ask(trainer, notes="I use a wheelchair")

    assert sorted(m.to[0] for m in mail.outbox) == [casey.email, robin.email]
    message = mail.outbox[0]
    assert message.subject == f"{trainer.user} asks for travel to be booked"
    assert "Monday 14 December 2026" in message.body
    assert "Leeds to York and back, by train" in message.body
    link = reverse("expenses:travel-detail", kwargs={"pk": travel.pk})
    assert f"http://testserver{link}" in message.body
    assert "wheelchair" not in message.body
    assert "Train the Trainer" not in message.body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"travel_on": TODAY - timedelta(days=1)}, "travel_on", "cannot be in the past"),
        ({"from_place": "  "}, "from_place", "Say where you travel from."),
        ({"to_place": ""}, "to_place", "Say where you travel to."),
        ({"mode": "rocket"}, "mode", "Choose how you would like to travel."),
        ({"purpose": ""}, "purpose", "Say what the travel is for."),
    ],
)
def test_bad_requests_are_refused_at_their_field_with_nothing_saved(
    trainer, changes, field, message
):
    with pytest.raises(ValidationError) as refused:
        ask(trainer, **changes)

    assert field in refused.value.message_dict
    assert message in refused.value.message_dict[field][0]
    assert not TravelRequest.objects.exists()
    assert not AuditEvent.objects.filter(action=ExpenseAction.TRAVEL_STATUS_CHANGED).exists()


def test_travel_today_may_be_asked_for(trainer):
    assert ask(trainer, travel_on=TODAY).travel_on == TODAY


def test_a_session_the_trainer_is_not_on_is_refused(trainer):
    with pytest.raises(ValidationError) as refused:
        ask(trainer, session=TrainingSessionFactory())

    assert refused.value.message_dict == {"session": ["Choose a session you are on."]}
    assert not TravelRequest.objects.exists()


def test_nobody_asks_for_another_trainers_travel(trainer):
    other = TrainerFactory(status=Trainer.Status.ACTIVE)

    with pytest.raises(ValidationError):
        ask(trainer, by=other.user)

    assert not TravelRequest.objects.exists()


def test_a_trainer_who_left_cannot_ask(trainer):
    trainer.status = Trainer.Status.LEFT
    trainer.save()

    with pytest.raises(ValidationError):
        ask(trainer)

    assert not TravelRequest.objects.exists()


# Booking


def test_a_coordinator_books_it_and_the_trainer_is_emailed_the_details(
    trainer, casey, django_capture_on_commit_callbacks
):
    travel = ask(trainer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        travel_request_book(
            travel=travel,
            by=casey,
            booking_details="Off-peak return, 08:12 from Leeds, ref ABC123",
            cost=Decimal("23.40"),
        )

    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.BOOKED
    assert travel.cost == Decimal("23.40")
    assert travel.booked_by == casey
    [message] = mail.outbox
    assert message.to == [trainer.user.email]
    assert message.subject == "Your travel on Monday 14 December 2026 is booked"
    assert "ref ABC123" in message.body
    assert audited(travel)[-1] == {"status": ["requested", "booked"]}


@pytest.mark.parametrize(
    ("details", "cost", "field"),
    [
        ("  ", None, "booking_details"),
        ("Ref ABC123", Decimal("-1"), "cost"),
        ("Ref ABC123", Decimal("1.005"), "cost"),
        ("Ref ABC123", Decimal("10000.01"), "cost"),
    ],
)
def test_a_booking_without_details_or_with_a_bad_cost_is_refused(
    trainer, casey, details, cost, field
):
    travel = ask(trainer)

    with pytest.raises(ValidationError) as refused:
        travel_request_book(travel=travel, by=casey, booking_details=details, cost=cost)

    assert field in refused.value.message_dict
    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.REQUESTED
    assert travel.booking_details == ""
    assert travel.cost is None


def test_only_a_coordinator_books(trainer):
    travel = ask(trainer)

    with pytest.raises(ValidationError):
        travel_request_book(travel=travel, by=trainer.user, booking_details="Ref ABC123")

    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.REQUESTED


def test_travel_booked_already_is_not_booked_again(trainer, casey):
    travel = ask(trainer)
    travel_request_book(travel=travel, by=casey, booking_details="Ref ABC123")

    with pytest.raises(ValidationError, match="booked already"):
        travel_request_book(travel=travel, by=casey, booking_details="Ref XYZ")

    travel.refresh_from_db()
    assert travel.booking_details == "Ref ABC123"


def test_the_database_refuses_booked_travel_without_details(trainer):
    with pytest.raises(IntegrityError):
        TravelRequestFactory(trainer=trainer, status=TravelRequest.Status.BOOKED)


# Used and cancelled


def test_a_coordinator_marks_booked_travel_used(trainer, casey):
    travel = ask(trainer)
    travel_request_book(travel=travel, by=casey, booking_details="Ref ABC123")

    travel_request_mark_used(travel=travel, by=casey)

    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.USED
    assert audited(travel)[-1] == {"status": ["booked", "used"]}


def test_travel_not_booked_cannot_be_marked_used(trainer, casey):
    travel = ask(trainer)

    with pytest.raises(ValidationError):
        travel_request_mark_used(travel=travel, by=casey)

    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.REQUESTED


def test_a_trainer_cannot_mark_their_own_travel_used(trainer, casey):
    travel = ask(trainer)
    travel_request_book(travel=travel, by=casey, booking_details="Ref ABC123")

    with pytest.raises(ValidationError):
        travel_request_mark_used(travel=travel, by=trainer.user)

    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.BOOKED


def test_a_trainer_cancels_their_own_request_and_nobody_is_emailed(
    trainer, casey, django_capture_on_commit_callbacks
):
    travel = ask(trainer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        travel_request_cancel(travel=travel, by=trainer.user)

    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.CANCELLED
    assert not mail.outbox
    assert audited(travel)[-1] == {"status": ["requested", "cancelled"]}


def test_a_trainer_cancelling_booked_travel_tells_the_coordinator_who_booked_it(
    trainer, casey, django_capture_on_commit_callbacks
):
    travel = ask(trainer)
    travel_request_book(travel=travel, by=casey, booking_details="Ref ABC123")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        travel_request_cancel(travel=travel, by=trainer.user)

    [message] = mail.outbox
    assert message.to == [casey.email]
    assert "cancelled travel you booked" in message.body


def test_a_coordinator_cancelling_tells_the_trainer(
    trainer, casey, django_capture_on_commit_callbacks
):
    travel = ask(trainer)
    travel_request_book(travel=travel, by=casey, booking_details="Ref ABC123")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        travel_request_cancel(travel=travel, by=casey)

    [message] = mail.outbox
    assert message.to == [trainer.user.email]
    assert message.subject == "Travel on Monday 14 December 2026 is cancelled"


def test_another_trainer_cannot_cancel(trainer):
    travel = ask(trainer)
    other = TrainerFactory(status=Trainer.Status.ACTIVE)

    with pytest.raises(ValidationError):
        travel_request_cancel(travel=travel, by=other.user)

    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.REQUESTED


@pytest.mark.parametrize("status", [TravelRequest.Status.USED, TravelRequest.Status.CANCELLED])
def test_used_or_cancelled_travel_cannot_be_cancelled(trainer, status):
    travel = TravelRequestFactory(
        trainer=trainer,
        status=status,
        booking_details="Ref ABC123",
        booked_at=datetime(2026, 12, 1, tzinfo=UTC),
    )

    with pytest.raises(ValidationError):
        travel_request_cancel(travel=travel, by=trainer.user)

    travel.refresh_from_db()
    assert travel.status == status
