"""Coordinators keep venues at /venues/: address, region, accessibility information and rooms
with their capacity and hire cost."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sessions.models import CourseVersion, Room, TrainingSession, Venue
from sessions.services import room_add, room_remove, room_update, venue_create, venue_update
from tests.factories import CourseVersionFactory, RegionFactory, RoomFactory, VenueFactory

pytestmark = pytest.mark.django_db

VENUES = reverse("sessions:venue-list")
CREATE = reverse("sessions:venue-create")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def manchester():
    return RegionFactory(name="Manchester")


def venue_data(in_region, /, **changes) -> dict:
    data = {
        "name": "Zion Centre",
        "address": "339 Stretford Road\nHulme\nM15 4ZY",
        "region": in_region.pk,
        "accessibility": "Step-free entrance and a hearing loop.",
    }
    return data | changes


def room_data(**changes) -> dict:
    return {"name": "Main hall", "capacity": "24", "hire_cost": "45.50"} | changes


def session_in(room: Room, *, days: int = 7, capacity: int = 20, status: str = "planned"):
    starts = timezone.now() + timedelta(days=days)
    version = CourseVersion.objects.filter(course__title="Hearing Voices").first()
    return TrainingSession.objects.create(
        code=f"S-{TrainingSession.objects.count() + 1}",
        course_version=version or CourseVersionFactory(course__title="Hearing Voices"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        region=room.venue.region,
        room=room,
        capacity=capacity,
        status=status,
    )


# Venues


def test_a_coordinator_adds_a_venue_and_lands_on_its_page(coordinator_client, manchester):
    response = coordinator_client.post(CREATE, venue_data(manchester))

    venue = Venue.objects.get()
    assert response.url == reverse("sessions:venue-detail", kwargs={"pk": venue.pk})
    assert venue.name == "Zion Centre"
    assert venue.address == "339 Stretford Road\nHulme\nM15 4ZY"
    assert venue.region == manchester
    assert venue.accessibility == "Step-free entrance and a hearing loop."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Give the venue a name."),
        ("name", "x" * 201, "Keep the name to 200 characters or fewer."),
        ("address", "", "Enter the venue's address."),
        ("address", "   ", "Enter the venue's address."),
        ("region", "", "Choose a region."),
        ("region", "999999", "Choose one of the regions listed."),
    ],
)
def test_a_bad_venue_is_refused_at_the_field_keeping_what_was_typed(
    coordinator_client, manchester, field, value, message
):
    response = coordinator_client.post(CREATE, venue_data(manchester, **{field: value}))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "Step-free entrance and a hearing loop." in response.content.decode()
    assert not Venue.objects.exists()


@pytest.mark.parametrize("name", ["Zion Centre", "zion centre", "  ZION   CENTRE "])
def test_a_second_venue_of_the_same_name_in_a_region_is_refused(
    coordinator_client, manchester, name
):
    VenueFactory(name="Zion Centre", region=manchester)

    response = coordinator_client.post(CREATE, venue_data(manchester, name=name))

    assert response.context["form"].errors["name"] == [
        "There is already a venue called “Zion Centre” in Manchester."
    ]
    assert Venue.objects.count() == 1


def test_the_same_venue_name_is_fine_in_another_region(manchester):
    VenueFactory(name="Town Hall", region=manchester)

    venue = venue_create(name="Town Hall", address="Albert Square", region=RegionFactory())

    assert venue.pk


def test_a_coordinator_changes_a_venue(coordinator_client, manchester):
    venue = VenueFactory(region=manchester)
    london = RegionFactory(name="London")

    coordinator_client.post(
        reverse("sessions:venue-edit", kwargs={"pk": venue.pk}),
        venue_data(london, name="Renamed", accessibility=""),
    )

    venue.refresh_from_db()
    assert (venue.name, venue.region, venue.accessibility) == ("Renamed", london, "")


def test_the_edit_form_shows_the_venue_as_it_is(coordinator_client):
    venue = VenueFactory(name="Zion Centre", accessibility="Lift to all floors.")

    page = coordinator_client.get(reverse("sessions:venue-edit", kwargs={"pk": venue.pk}))

    assert 'value="Zion Centre"' in page.content.decode()
    assert "Lift to all floors." in page.content.decode()


def test_a_venue_keeps_its_own_name_when_saved_again(manchester):
    venue = VenueFactory(name="Zion Centre", region=manchester)

    venue_update(venue=venue, name="ZION centre", address="Hulme", region=manchester)

    venue.refresh_from_db()
    assert venue.name == "ZION centre"


def test_a_bad_change_to_a_venue_saves_none_of_it(coordinator_client, manchester):
    venue = VenueFactory(region=manchester)
    VenueFactory(name="Taken", region=manchester)
    before = Venue.objects.values().get(pk=venue.pk)

    response = coordinator_client.post(
        reverse("sessions:venue-edit", kwargs={"pk": venue.pk}),
        venue_data(manchester, name="Taken", accessibility="New text"),
    )

    assert response.status_code == 200
    assert Venue.objects.values().get(pk=venue.pk) == before


def test_the_venue_page_shows_address_accessibility_and_rooms(coordinator_client):
    venue = VenueFactory(address="1 High Street\nM1 1AA", accessibility="Hearing loop.")
    RoomFactory(venue=venue, name="Studio", capacity=1, hire_cost=Decimal("0"))
    RoomFactory(venue=venue, name="Main hall", capacity=40, hire_cost=Decimal("120.50"))

    page = coordinator_client.get(reverse("sessions:venue-detail", kwargs={"pk": venue.pk}))

    html = page.content.decode()
    assert "1 High Street<br>M1 1AA" in html
    assert "Hearing loop." in html
    assert html.index("Main hall") < html.index("Studio")
    assert "40 people" in html
    assert "1 person" in html
    assert "£120.50" in html


def test_the_list_shows_each_venue_with_its_region_and_rooms(coordinator_client, manchester):
    venue = VenueFactory(name="Zion Centre", region=manchester)
    RoomFactory(venue=venue, capacity=12)
    RoomFactory(venue=venue, capacity=30)
    VenueFactory(name="Empty Hall")

    response = coordinator_client.get(VENUES)

    page = response.content.decode()
    zion = next(v for v in response.context["venues"] if v.pk == venue.pk)
    assert (zion.room_count, zion.largest_room) == (2, 30)
    assert "Zion Centre" in page
    assert "30 people" in page
    assert "No rooms yet" in page


def test_html_in_venue_text_is_shown_escaped(coordinator_client):
    venue = VenueFactory(accessibility="<script>alert(1)</script>")

    page = coordinator_client.get(reverse("sessions:venue-detail", kwargs={"pk": venue.pk}))

    assert "<script>alert(1)</script>" not in page.content.decode()


@pytest.mark.parametrize("url", [VENUES, CREATE])
@pytest.mark.parametrize("who", ["trainer", "team_lead", "manager", "admin_user"])
def test_only_coordinators_reach_the_venue_pages(client, request, url, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [VENUES, CREATE])
def test_visitors_are_sent_to_sign_in_from_the_venue_pages(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Rooms


def test_a_coordinator_adds_a_room_with_its_hire_cost_in_pounds(coordinator_client):
    venue = VenueFactory()

    response = coordinator_client.post(
        reverse("sessions:room-create", kwargs={"pk": venue.pk}), room_data()
    )

    assert response.url == reverse("sessions:venue-detail", kwargs={"pk": venue.pk})
    room = venue.rooms.get()
    assert (room.name, room.capacity, room.hire_cost) == ("Main hall", 24, Decimal("45.50"))


def test_a_free_room_costs_nothing(coordinator_client):
    venue = VenueFactory()

    coordinator_client.post(
        reverse("sessions:room-create", kwargs={"pk": venue.pk}), room_data(hire_cost="0")
    )

    assert venue.rooms.get().hire_cost == Decimal("0.00")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Give the room a name."),
        ("name", "x" * 101, "Keep the name to 100 characters or fewer."),
        ("capacity", "", "Enter how many people the room holds."),
        ("capacity", "0", "A room holds at least 1 person."),
        ("capacity", "-3", "A room holds at least 1 person."),
        ("capacity", "twenty", "Enter the capacity as a whole number, like 24."),
        ("capacity", "10001", "Enter a capacity of 10,000 people or fewer."),
        ("hire_cost", "", "Enter the hire cost, or 0 if the room is free."),
        ("hire_cost", "-1", "The hire cost cannot be less than £0."),
        ("hire_cost", "£45", "Enter an amount in pounds, like 45 or 45.50."),
        ("hire_cost", "45.505", "Enter pounds and pence, with at most 2 digits for pence."),
        ("hire_cost", "1000000", "Enter an amount under £1,000,000."),
    ],
)
def test_a_bad_room_is_refused_at_the_field_keeping_what_was_typed(
    coordinator_client, field, value, message
):
    venue = VenueFactory()

    response = coordinator_client.post(
        reverse("sessions:room-create", kwargs={"pk": venue.pk}),
        room_data(**({"name": "Quiet room"} | {field: value})),
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    if field != "name":
        assert 'value="Quiet room"' in response.content.decode()
    assert not venue.rooms.exists()


def test_a_second_room_of_the_same_name_at_a_venue_is_refused(coordinator_client):
    room = RoomFactory(name="Main hall")

    response = coordinator_client.post(
        reverse("sessions:room-create", kwargs={"pk": room.venue.pk}), room_data(name="MAIN HALL")
    )

    assert response.context["form"].errors["name"] == [
        f"{room.venue} already has a room called “Main hall”."
    ]
    assert room.venue.rooms.count() == 1


def test_the_service_refuses_a_room_that_holds_nobody_or_costs_less_than_nothing():
    venue = VenueFactory()

    with pytest.raises(ValidationError) as refusal:
        room_add(venue=venue, name="Cupboard", capacity=0, hire_cost=Decimal("-1"))

    assert set(refusal.value.message_dict) == {"capacity", "hire_cost"}
    assert not venue.rooms.exists()


def test_a_coordinator_changes_a_room(coordinator_client):
    room = RoomFactory()

    coordinator_client.post(
        reverse("sessions:room-edit", kwargs={"pk": room.pk}),
        room_data(name="Hall", capacity="30", hire_cost="60"),
    )

    room.refresh_from_db()
    assert (room.name, room.capacity, room.hire_cost) == ("Hall", 30, Decimal("60.00"))


def test_a_room_cannot_shrink_below_a_session_to_come_in_it(coordinator_client):
    room = RoomFactory(capacity=30)
    session_in(room, capacity=25)

    response = coordinator_client.post(
        reverse("sessions:room-edit", kwargs={"pk": room.pk}), room_data(capacity="20")
    )

    errors = response.context["form"].errors["capacity"]
    assert "is booked in this room for 25 people" in errors[0]
    assert "Hearing Voices" in errors[0]
    room.refresh_from_db()
    assert room.capacity == 30


@pytest.mark.parametrize(("days", "status"), [(-7, "delivered"), (7, "cancelled")])
def test_past_or_cancelled_sessions_do_not_stop_a_room_shrinking(days, status):
    room = RoomFactory(capacity=30)
    session_in(room, days=days, capacity=25, status=status)

    room_update(room=room, name=room.name, capacity=20, hire_cost=room.hire_cost)

    room.refresh_from_db()
    assert room.capacity == 20


def test_removing_a_room_asks_first(coordinator_client):
    room = RoomFactory(name="Studio")
    url = reverse("sessions:room-delete", kwargs={"pk": room.pk})

    page = coordinator_client.get(url).content.decode()
    response = coordinator_client.post(url)

    assert f"Remove Studio at {room.venue.name}?" in page
    assert response.url == reverse("sessions:venue-detail", kwargs={"pk": room.venue_id})
    assert not Room.objects.filter(pk=room.pk).exists()


def test_a_room_that_sessions_were_booked_in_is_kept(coordinator_client):
    room = RoomFactory(name="Studio")
    session_in(room, days=-30, status="delivered")

    response = coordinator_client.post(
        reverse("sessions:room-delete", kwargs={"pk": room.pk}), follow=True
    )

    assert "Studio at" in response.content.decode()
    assert "has 1 session booked in it" in response.content.decode()
    assert Room.objects.filter(pk=room.pk).exists()


def test_the_service_refuses_to_remove_a_room_with_sessions():
    room = RoomFactory()
    session_in(room)
    session_in(room, days=14)

    with pytest.raises(ValidationError, match="has 2 sessions booked in it"):
        room_remove(room=room)


# Query bounds


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def venues_in_bulk(count: int) -> None:
    regions = [RegionFactory(name="Manchester"), RegionFactory(name="London")]
    start = Venue.objects.count()
    venues = Venue.objects.bulk_create(
        Venue(name=f"Venue {n:04}", address="Somewhere", region=regions[n % 2])
        for n in range(start, start + count)
    )
    Room.objects.bulk_create(
        Room(venue=venue, name=f"Room {r}", capacity=10 + r) for venue in venues for r in range(3)
    )


def test_the_venue_list_runs_the_same_queries_for_1_or_200_venues(
    coordinator_client, django_assert_max_num_queries
):
    venues_in_bulk(1)
    one = queries_for(coordinator_client, VENUES)

    venues_in_bulk(199)

    with django_assert_max_num_queries(10):
        coordinator_client.get(VENUES)
    assert queries_for(coordinator_client, VENUES) == one


def test_the_venue_page_runs_the_same_queries_for_1_or_200_rooms(
    coordinator_client, django_assert_max_num_queries
):
    venue = VenueFactory()
    RoomFactory(venue=venue)
    url = reverse("sessions:venue-detail", kwargs={"pk": venue.pk})
    one = queries_for(coordinator_client, url)

    Room.objects.bulk_create(
        Room(venue=venue, name=f"Bulk room {n}", capacity=10) for n in range(199)
    )

    with django_assert_max_num_queries(10):
        coordinator_client.get(url)
    assert queries_for(coordinator_client, url) == one
