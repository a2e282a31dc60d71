"""The travel pages: "Book travel for me" and My travel for trainers, Travel requests for
coordinators, one request's page with booking, marking used and cancelling. Bad input stays on
the page at its field with what was typed; another trainer gets a 404 everywhere; the lists run
the same number of queries however long they are."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from expenses.models import TravelRequest
from people.models import Role
from tests.expenses.factories import TravelRequestFactory
from tests.people.factories import UserFactory
from tests.sessions.factories import TrainerAssignmentFactory
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
def sam(db):
    return TrainerFactory(status=Trainer.Status.ACTIVE, user__email="sam@example.org")


@pytest.fixture
def alex(db):
    return TrainerFactory(status=Trainer.Status.ACTIVE, user__email="alex@example.org")


def form_data(**changes) -> dict:
    return {
        "session": "",
        "purpose": "Train the Trainer day",
        "travel_on": (TODAY + timedelta(days=10)).isoformat(),
        "from_place": "Leeds",
        "to_place": "York",
        "mode": "train",
        "return_journey": "on",
        "notes": "",
    } | changes


def booked(trainer: Trainer, **kwargs) -> TravelRequest:
    return TravelRequestFactory(
        trainer=trainer,
        status=TravelRequest.Status.BOOKED,
        booking_details="Off-peak return, ref ABC123",
        booked_at=datetime(2026, 12, 1, tzinfo=UTC),
        **kwargs,
    )


# Asking


def test_the_form_offers_only_the_trainers_own_sessions_to_come(client, sam, alex):
    mine = TrainerAssignmentFactory(user=sam.user, status="accepted").session
    theirs = TrainerAssignmentFactory(user=alex.user, status="accepted").session
    client.force_login(sam.user)

    page = client.get(reverse("expenses:travel-create")).content.decode()

    assert f'value="{mine.pk}"' in page
    assert f'value="{theirs.pk}"' not in page
    assert 'for="id_from_place"' in page


def test_asking_saves_the_request_and_shows_it(client, sam, casey):
    client.force_login(sam.user)

    response = client.post(reverse("expenses:travel-create"), form_data(), follow=True)

    travel = TravelRequest.objects.get()
    assert travel.trainer == sam
    assert response.redirect_chain[-1][0] == reverse("expenses:travel-detail", args=[travel.pk])
    assert "We will email you when your travel is booked" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"travel_on": (TODAY - timedelta(days=1)).isoformat()}, "cannot be in the past"),
        ({"from_place": ""}, "Say where you travel from."),
        ({"to_place": "   "}, "Say where you travel to."),
        ({"purpose": ""}, "Say what the travel is for."),
        ({"travel_on": "not a date"}, "Enter the date you travel"),
    ],
)
def test_a_bad_request_stays_on_the_page_with_what_was_typed(client, sam, changes, message):
    client.force_login(sam.user)

    response = client.post(
        reverse("expenses:travel-create"), form_data(notes="Step-free, please", **changes)
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "Step-free, please" in page
    assert "<title>Error: " in page
    assert not TravelRequest.objects.exists()


def test_travel_on_the_last_day_of_the_calendar_is_asked_for_and_shown(client, sam):
    client.force_login(sam.user)

    response = client.post(
        reverse("expenses:travel-create"), form_data(travel_on="9999-12-31"), follow=True
    )

    assert response.status_code == 200
    assert "31 December 9999" in response.content.decode()


def test_a_crafted_post_for_another_trainers_session_is_refused(client, sam, alex):
    theirs = TrainerAssignmentFactory(user=alex.user, status="accepted").session
    client.force_login(sam.user)

    response = client.post(reverse("expenses:travel-create"), form_data(session=theirs.pk))

    assert "Choose a session you are on." in response.content.decode()
    assert not TravelRequest.objects.exists()


# Booking, using, cancelling


def test_a_coordinator_books_it_and_the_trainer_sees_the_details(client, sam, casey):
    travel = TravelRequestFactory(trainer=sam)
    client.force_login(casey)

    response = client.post(
        reverse("expenses:travel-book", args=[travel.pk]),
        {"booking_details": "08:12 from Leeds, ref ABC123", "cost": "23.40"},
    )

    assert response.status_code == 302
    client.force_login(sam.user)
    page = client.get(reverse("expenses:travel-detail", args=[travel.pk])).content.decode()
    assert "08:12 from Leeds, ref ABC123" in page
    assert "23.40" not in page  # the cost is for coordinators


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"booking_details": "", "cost": "23.40"}, "Give the booking details"),
        ({"booking_details": "Ref ABC123", "cost": "-2"}, "for example 23.40"),
        ({"booking_details": "Ref ABC123", "cost": "2.345"}, "pounds and pence only"),
    ],
)
def test_a_bad_booking_stays_on_the_page_with_nothing_changed(client, sam, casey, data, message):
    travel = TravelRequestFactory(trainer=sam)
    client.force_login(casey)

    response = client.post(reverse("expenses:travel-book", args=[travel.pk]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert data["cost"] in response.content.decode()
    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.REQUESTED
    assert travel.booking_details == ""


def test_a_crafted_booking_of_cancelled_travel_changes_nothing(client, sam, casey):
    travel = TravelRequestFactory(trainer=sam, status=TravelRequest.Status.CANCELLED)
    client.force_login(casey)

    response = client.post(
        reverse("expenses:travel-book", args=[travel.pk]), {"booking_details": "Ref ABC123"}
    )

    assert "cancelled already" in response.content.decode()
    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.CANCELLED


def test_a_coordinator_marks_it_used(client, sam, casey):
    travel = booked(sam)
    client.force_login(casey)

    client.post(reverse("expenses:travel-used", args=[travel.pk]))

    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.USED


def test_the_trainer_cancels_their_own_after_a_check(client, sam):
    travel = booked(sam)
    client.force_login(sam.user)
    url = reverse("expenses:travel-cancel", args=[travel.pk])

    assert "the tickets can be given back" in client.get(url).content.decode()
    client.post(url)

    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.CANCELLED


@pytest.mark.parametrize("route", ["travel-detail", "travel-cancel", "travel-book", "travel-used"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_trainer_gets_a_404_and_changes_nothing(client, sam, alex, route, method):
    travel = booked(sam)
    client.force_login(alex.user)

    response = getattr(client, method)(
        reverse(f"expenses:{route}", args=[travel.pk]), {"booking_details": "Mine now"}
    )

    assert response.status_code == 404
    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.BOOKED
    assert travel.booking_details == "Off-peak return, ref ABC123"


@pytest.mark.parametrize("route", ["travel-book", "travel-used"])
def test_the_trainer_cannot_post_a_coordinators_action(client, sam, route):
    travel = TravelRequestFactory(trainer=sam)
    client.force_login(sam.user)

    response = client.post(
        reverse(f"expenses:{route}", args=[travel.pk]), {"booking_details": "Ref"}
    )

    assert response.status_code == 403
    travel.refresh_from_db()
    assert travel.status == TravelRequest.Status.REQUESTED


# Lists


def test_my_travel_lists_only_my_own(client, sam, alex):
    TravelRequestFactory(trainer=sam, to_place="Whitby")
    TravelRequestFactory(trainer=alex, to_place="Scarborough")
    client.force_login(sam.user)

    page = client.get(reverse("expenses:travel-list-mine")).content.decode()

    assert "Whitby" in page
    assert "Scarborough" not in page
    assert "Book travel for me" in page


def test_coordinators_see_open_requests_and_all_on_asking(client, sam, casey):
    TravelRequestFactory(trainer=sam, to_place="Whitby")
    TravelRequestFactory(trainer=sam, to_place="Scarborough", status="cancelled")
    client.force_login(casey)

    open_page = client.get(reverse("expenses:travel-requests")).content.decode()
    all_page = client.get(reverse("expenses:travel-requests") + "?show=all").content.decode()

    assert "Whitby" in open_page
    assert "Scarborough" not in open_page
    assert "Scarborough" in all_page


def test_the_menu_offers_my_travel_and_travel_requests(client, sam, casey):
    client.force_login(sam.user)
    page = client.get("/", follow=True).content.decode()
    assert f'href="{reverse("expenses:travel-list-mine")}"' in page
    client.force_login(casey)
    page = client.get("/", follow=True).content.decode()
    assert f'href="{reverse("expenses:travel-requests")}"' in page


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def requests_with_sessions(trainer: Trainer, count: int) -> None:
    for _ in range(count):
        session = TrainerAssignmentFactory(user=trainer.user, status="accepted").session
        TravelRequestFactory(trainer=trainer, session=session)
        TravelRequestFactory(trainer=trainer, session=None, purpose="Supervision")


@pytest.mark.parametrize(
    ("route", "who"), [("travel-list-mine", "sam"), ("travel-requests", "casey")]
)
def test_the_lists_run_the_same_queries_for_few_and_many_requests(
    client, request, sam, casey, django_assert_max_num_queries, route, who
):
    client.force_login(request.getfixturevalue(who) if who == "casey" else sam.user)
    url = reverse(f"expenses:{route}")
    requests_with_sessions(sam, 1)
    few = queries_for(client, url)

    requests_with_sessions(sam, 20)
    many = queries_for(client, url)

    assert few == many
    with django_assert_max_num_queries(12):
        client.get(url)
