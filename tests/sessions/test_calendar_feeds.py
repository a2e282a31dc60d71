"""Each trainer and coordinator has a secret iCal address (/calendar/<token>.ics) their calendar
app subscribes to without signing in; /me/calendar/ shows it and makes a new one."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from audit.models import AuditEvent
from people.models import Role
from people.services import user_roles_set
from sessions.audit_actions import SessionAction
from sessions.models import CalendarFeed, TrainerAssignment, TrainingSession
from sessions.services import calendar_feed_renew, session_cancel
from tests.factories import (
    CourseFactory,
    CourseVersionFactory,
    RegionFactory,
    RoomFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MY_CALENDAR = reverse("sessions:my-calendar")
RENEW = reverse("sessions:my-calendar-renew")


def make_session(*, starts_at=None, hours=3, **fields) -> TrainingSession:
    starts_at = starts_at or timezone.now() + timedelta(days=7)
    fields.setdefault("course_version", CourseVersionFactory())
    fields.setdefault("region", RegionFactory(name="Manchester"))
    fields.setdefault("capacity", 12)
    if not fields.get("is_online") and "room" not in fields:
        fields["room"] = RoomFactory(venue__region=fields["region"])
    return TrainingSession.objects.create(
        code=fields.pop("code", f"S-{TrainingSession.objects.count() + 1:04}"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        **fields,
    )


def accept(session, user, role=TrainerAssignment.Role.LEAD, status="accepted"):
    return TrainerAssignment.objects.create(session=session, user=user, role=role, status=status)


def feed_url(user) -> str:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return reverse("sessions:calendar-feed", kwargs={"token": feed.token})


def events(text: str) -> list[Event]:
    """Each VEVENT of a calendar file, parsed (its TEXT values unescaped)."""
    return Calendar.from_ical(text).events


def written(value) -> str:
    """A parsed value as the file writes it: 20260714T090000Z."""
    return value.to_ical().decode()


@pytest.fixture
def trainer_user(db):
    return UserFactory(full_name="Taylor Trainer", roles=[Role.TRAINER])


@pytest.fixture
def coordinator_user(db):
    return UserFactory(full_name="Casey Coordinator", roles=[Role.COORDINATOR])


# What is in a feed


def test_a_trainers_feed_lists_only_the_sessions_they_accepted(client, trainer_user):
    accepted = make_session(course_version=CourseVersionFactory(course__title="Hearing Voices"))
    accept(accepted, trainer_user)
    invited = make_session()
    accept(invited, trainer_user, status="invited")
    declined = make_session()
    accept(declined, trainer_user, status="declined")
    someone_elses = make_session()
    accept(someone_elses, UserFactory(roles=[Role.TRAINER]))

    response = client.get(feed_url(trainer_user))

    found = events(response.content.decode())
    assert [e["SUMMARY"] for e in found] == ["Hearing Voices"]
    assert found[0]["UID"].startswith(f"session-{accepted.pk}-")


def test_a_coordinators_feed_lists_the_sessions_they_coordinate(client, coordinator_user):
    mine = make_session(coordinator=coordinator_user)
    make_session(coordinator=UserFactory(roles=[Role.COORDINATOR]))

    found = events(client.get(feed_url(coordinator_user)).content.decode())

    assert [e["UID"].split("-")[1] for e in found] == [str(mine.pk)]
    assert "You coordinate this session." in found[0]["DESCRIPTION"]


def test_a_person_who_trains_and_coordinates_gets_one_event_naming_both_roles(client):
    person = UserFactory(roles=[Role.TRAINER, Role.COORDINATOR])
    session = make_session(coordinator=person)
    accept(session, person, role=TrainerAssignment.Role.STAFF)

    found = events(client.get(feed_url(person)).content.decode())

    assert len(found) == 1
    description = found[0]["DESCRIPTION"]
    assert "Your role: Staff co-facilitator" in description
    assert "You coordinate this session." in description


def test_the_feed_holds_sessions_from_30_days_back_to_365_days_ahead(client, trainer_user):
    now = timezone.now()
    for days in (-31, -29, 364, 366):
        accept(make_session(starts_at=now + timedelta(days=days), code=f"D{days}"), trainer_user)

    found = events(client.get(feed_url(trainer_user)).content.decode())

    starts = sorted(written(e["DTSTART"]) for e in found)
    expected = sorted(
        (now + timedelta(days=days)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        for days in (-29, 364)
    )
    assert starts == expected


def test_a_cancelled_session_stays_in_the_feed_marked_cancelled(client, trainer_user):
    session = make_session(status=TrainingSession.Status.CANCELLED)
    accept(session, trainer_user)

    found = events(client.get(feed_url(trainer_user)).content.decode())

    assert found[0]["STATUS"] == "CANCELLED"
    assert "cancelled" in found[0]["DESCRIPTION"]


def test_a_confirmed_session_is_confirmed(client, trainer_user):
    accept(make_session(status=TrainingSession.Status.CONFIRMED), trainer_user)

    found = events(client.get(feed_url(trainer_user)).content.decode())

    assert found[0]["STATUS"] == "CONFIRMED"


def test_an_event_says_where_what_role_and_links_to_the_session(client, trainer_user):
    venue = VenueFactory(name="Friends Meeting House", address="6 Mount Street\nManchester")
    session = make_session(room=RoomFactory(venue=venue, name="Room 2"), phase="regional")
    accept(session, trainer_user, role=TrainerAssignment.Role.CO_TRAINER)

    event = events(client.get(feed_url(trainer_user)).content.decode())[0]

    location = event["LOCATION"]
    assert "Friends Meeting House" in location
    assert "Room 2" in location
    description = event["DESCRIPTION"]
    assert "Your role: Co-trainer" in description
    assert "Regional session, Manchester." in description
    assert written(event["SEQUENCE"]).isdigit()


def test_a_coordinators_event_links_to_the_session_page_and_a_trainers_to_their_sessions(
    client, trainer_user, coordinator_user
):
    session = make_session(coordinator=coordinator_user)
    accept(session, trainer_user)

    coordinators = events(client.get(feed_url(coordinator_user)).content.decode())[0]
    trainers = events(client.get(feed_url(trainer_user)).content.decode())[0]

    detail = reverse("sessions:session-detail", kwargs={"pk": session.pk})
    assert f"In Coproduce: http://testserver{detail}" in coordinators["DESCRIPTION"]
    mine = reverse("sessions:my-sessions")
    assert f"In Coproduce: http://testserver{mine}" in trainers["DESCRIPTION"]


def test_an_online_session_says_online_and_never_carries_its_joining_link(client, trainer_user):
    session = make_session(is_online=True, joining_link="https://meet.example.org/secret-room-42")
    accept(session, trainer_user)

    text = client.get(feed_url(trainer_user)).content.decode()

    assert events(text)[0]["LOCATION"] == "Online"
    assert "secret-room-42" not in text


def test_an_imported_session_without_a_room_has_no_location(client, trainer_user):
    accept(make_session(room=None), trainer_user)

    event = events(client.get(feed_url(trainer_user)).content.decode())[0]

    assert event.get("LOCATION", "") == ""


@pytest.mark.parametrize(
    ("day", "utc_start"),
    [
        ("2026-07-14", "20260714T090000Z"),  # summer time: 10:00 in London is 09:00 UTC
        ("2027-01-14", "20270114T100000Z"),  # winter: the same
    ],
)
def test_times_are_written_in_utc_on_both_sides_of_the_clock_change(
    client, trainer_user, day, utc_start
):
    starts = datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=LONDON)
    with time_machine.travel(starts - timedelta(days=10), tick=False):
        accept(make_session(starts_at=starts), trainer_user)
        event = events(client.get(feed_url(trainer_user)).content.decode())[0]

    assert written(event["DTSTART"]) == utc_start
    assert written(event["DTEND"]).endswith("Z")


def test_a_moved_session_keeps_its_uid_and_gets_a_higher_sequence(client, trainer_user):
    with time_machine.travel(timezone.now() - timedelta(hours=2)):
        session = make_session()
        accept(session, trainer_user)
    url = feed_url(trainer_user)
    before = events(client.get(url).content.decode())[0]

    session.starts_at += timedelta(days=1)
    session.ends_at += timedelta(days=1)
    session.save()
    after = events(client.get(url).content.decode())[0]

    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["DTSTART"] != before["DTSTART"]


def test_cancelling_through_the_schedule_marks_the_event_cancelled_with_a_higher_sequence(
    client, trainer_user, coordinator_user
):
    with time_machine.travel(timezone.now() - timedelta(hours=2)):
        session = make_session(coordinator=coordinator_user)
        accept(session, trainer_user)
    url = feed_url(trainer_user)
    before = events(client.get(url).content.decode())[0]

    session_cancel(session=session, reason="The venue flooded.", by=coordinator_user)
    after = events(client.get(url).content.decode())[0]

    assert after["UID"] == before["UID"]
    assert after["STATUS"] == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def test_text_is_escaped_and_long_lines_are_folded_at_75_octets(client, trainer_user):
    title = "Voices, choices; and \\ back slashes — a very long course title with ünïcödé " * 2
    course = CourseFactory(title=title.strip())
    accept(make_session(course_version=course.versions.get()), trainer_user)

    raw = client.get(feed_url(trainer_user)).content

    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert "SUMMARY:Voices\\, choices\\; and \\\\ back" in raw.decode().replace("\r\n ", "")
    assert events(raw.decode())[0]["SUMMARY"] == title.strip()


def test_the_feed_answers_as_a_calendar_that_is_never_cached(client, trainer_user):
    accept(make_session(), trainer_user)

    response = client.get(feed_url(trainer_user))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "METHOD:" not in text


def test_an_empty_feed_is_still_a_calendar(client, trainer_user):
    text = client.get(feed_url(trainer_user)).content.decode()

    assert "BEGIN:VEVENT" not in text
    assert "END:VCALENDAR" in text


# Who may read a feed: whoever has the address, while it is current


def test_an_unknown_address_is_not_found(client):
    url = reverse("sessions:calendar-feed", kwargs={"token": "no-such-calendar-address"})

    assert client.get(url).status_code == 404


def test_a_replaced_address_stops_working_and_the_new_one_works(client, trainer_user):
    accept(make_session(), trainer_user)
    old = feed_url(trainer_user)

    feed = calendar_feed_renew(user=trainer_user)

    assert client.get(old).status_code == 404
    new = reverse("sessions:calendar-feed", kwargs={"token": feed.token})
    assert client.get(new).status_code == 200


def test_the_address_of_someone_who_can_no_longer_sign_in_is_not_found(client, trainer_user):
    url = feed_url(trainer_user)
    trainer_user.is_active = False
    trainer_user.save()

    assert client.get(url).status_code == 404


def test_the_address_of_someone_no_longer_a_trainer_or_coordinator_is_not_found(
    client, trainer_user
):
    url = feed_url(trainer_user)

    user_roles_set(user=trainer_user, roles=[Role.TEAM_LEAD])

    assert client.get(url).status_code == 404


def test_the_feed_needs_no_sign_in_and_ignores_who_is_signed_in(client, trainer_user):
    accept(make_session(), trainer_user)
    url = feed_url(trainer_user)
    client.force_login(UserFactory(roles=[Role.COORDINATOR]))

    found = events(client.get(url).content.decode())

    assert len(found) == 1


@pytest.mark.parametrize("count", [1, 500])
def test_a_feed_runs_the_same_few_queries_with_1_or_500_sessions(
    client, trainer_user, django_assert_max_num_queries, count
):
    version = CourseVersionFactory()
    region = RegionFactory(name="London")
    room = RoomFactory(venue__region=region)
    now = timezone.now()
    sessions = TrainingSession.objects.bulk_create(
        TrainingSession(
            code=f"BULK-{n}",
            course_version=version,
            region=region,
            room=room,
            capacity=10,
            starts_at=now + timedelta(hours=n * 5),
            ends_at=now + timedelta(hours=n * 5 + 2),
            registration_token=f"reg-{n}",
            check_in_code=f"C{n:07}",
            coordinator=trainer_user if n % 2 else None,
        )
        for n in range(count)
    )
    TrainerAssignment.objects.bulk_create(
        TrainerAssignment(
            session=session,
            user=trainer_user,
            role=TrainerAssignment.Role.LEAD,
            status="accepted",
            token=f"as-{session.pk}",
        )
        for session in sessions
    )
    url = feed_url(trainer_user)

    with django_assert_max_num_queries(4):
        response = client.get(url)

    assert len(events(response.content.decode())) == count


# The page that shows the address


def test_a_trainer_without_an_address_is_offered_one(client, trainer_user):
    client.force_login(trainer_user)

    page = client.get(MY_CALENDAR).content.decode()

    assert "You do not have a calendar address yet." in page
    assert "Make my calendar address" in page
    assert not CalendarFeed.objects.exists()


def test_making_the_address_shows_it_with_how_to_add_it(client, trainer_user):
    client.force_login(trainer_user)

    response = client.post(RENEW, follow=True)

    feed = CalendarFeed.objects.get(user=trainer_user)
    page = response.content.decode()
    assert f"http://testserver/calendar/{feed.token}.ics" in page
    assert f"webcal://testserver/calendar/{feed.token}.ics" in page
    for app in ("Outlook", "Google Calendar", "Apple Calendar"):
        assert app in page
    assert "Make a new address" in page


def test_making_a_new_address_revokes_the_old_one_and_is_audited(client, coordinator_user):
    client.force_login(coordinator_user)
    client.post(RENEW)
    old_token = CalendarFeed.objects.get(user=coordinator_user).token

    response = client.post(RENEW)

    assert response.status_code == 302
    feed = CalendarFeed.objects.get(user=coordinator_user)
    assert feed.token != old_token
    old_url = reverse("sessions:calendar-feed", kwargs={"token": old_token})
    assert client.get(old_url).status_code == 404
    event = AuditEvent.objects.get(action=SessionAction.CALENDAR_FEED_RENEWED)
    assert event.actor == coordinator_user
    assert old_token not in str(event.changes)
    assert feed.token not in str(event.changes)


def test_the_new_address_page_takes_only_a_post(client, trainer_user):
    client.force_login(trainer_user)

    assert client.get(RENEW).status_code == 405
    assert not CalendarFeed.objects.exists()


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("trainer", 200),
        ("coordinator", 200),
        ("team_lead", 403),
        ("manager", 403),
        ("admin_user", 403),
    ],
)
def test_the_calendar_page_is_for_trainers_and_coordinators(request, client, fixture, expected):
    client.force_login(request.getfixturevalue(fixture))

    assert client.get(MY_CALENDAR).status_code == expected
    assert client.post(RENEW).status_code == (302 if expected == 200 else 403)


def test_a_visitor_is_sent_to_sign_in_from_the_calendar_page(client):
    for url in (MY_CALENDAR, RENEW):
        response = client.post(url) if url == RENEW else client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert not CalendarFeed.objects.exists()
