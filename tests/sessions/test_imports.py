"""CSV imports of workforce, sessions and attendance: all or nothing, every bad row reported with
the row number a spreadsheet shows (the header is row 1), the same file twice changes nothing,
and nobody is ever sent a message. In the browser at /imports/: a dry run first, then "Import for
real"."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from people.models import Participant, Region, Team
from sessions.audit_actions import SessionAction
from sessions.imports import MAX_IMPORT_BYTES
from sessions.models import Course, CourseVersion, Registration, TrainingSession
from sessions.services import csv_import_run
from sessions.views import PENDING_IMPORT
from tests.factories import (
    CourseVersionFactory,
    ParticipantFactory,
    RegionFactory,
    RoomFactory,
    TeamFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
IMPORT = reverse("sessions:import")
APPLY = reverse("sessions:import-apply")
WORKFORCE = "region,team,headcount"
SESSIONS = "code,course,date,start,end,region,venue,phase,capacity,status"
ATTENDANCE = "session_code,name,email,participant_type,team,region,attended"


def csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def run(kind: str, content: bytes, *, dry_run: bool = False, by=None):
    return csv_import_run(kind=kind, content=content, dry_run=dry_run, by=by)


def errors_of(result) -> list[tuple[int | None, str]]:
    return [(error.row, error.column) for error in result.errors]


def snapshot() -> dict:
    """Every row an import can touch, to compare before and after."""
    return {
        "regions": list(Region.objects.values().order_by("pk")),
        "teams": list(Team.objects.values().order_by("pk")),
        "courses": list(Course.objects.values().order_by("pk")),
        "versions": list(CourseVersion.objects.values().order_by("pk")),
        "sessions": list(TrainingSession.objects.values().order_by("pk")),
        "participants": list(Participant.objects.values().order_by("pk")),
        "registrations": list(Registration.objects.values().order_by("pk")),
    }


@pytest.fixture(autouse=True)
def _today():
    """Imports compare dates with today: 2 June 2025, 10:00 in London."""
    with time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def manchester(db):
    return RegionFactory(name="Manchester")


@pytest.fixture
def london(db):
    return RegionFactory(name="London")


@pytest.fixture
def published_course(db):
    return CourseVersionFactory(course__title="Hearing Voices")


def a_session(code: str, *, status="planned", starts: str = "2025-05-01T10:00", capacity=12):
    starts_at = datetime.fromisoformat(starts).replace(tzinfo=LONDON)
    return TrainingSession.objects.create(
        code=code,
        course_version=CourseVersionFactory(),
        region=Region.objects.get_or_create(name="Manchester")[0],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        capacity=capacity,
        status=status,
    )


# The file as a whole


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("region,headcount", ["Missing: team."]),
        ("region,team,headcount,notes", ["Not expected (misspelt?): “notes”."]),
        ("region,teem,headcount", ["Missing: team.", "Not expected (misspelt?): “teem”."]),
        ("region,team,team,headcount", ["More than once: team."]),
    ],
)
def test_wrong_headers_give_one_error_naming_them(header, named):
    result = run("workforce", csv(header, "Manchester,Crisis team,25"))

    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.row == 1
    assert "exactly these columns: region,team,headcount" in error.message
    for part in named:
        assert part in error.message
    assert not Team.objects.exists()


def test_headers_may_come_in_any_order_and_any_case():
    result = run("workforce", csv("Headcount, TEAM ,region", "25,Crisis team,Manchester"))

    assert result.applied
    assert Team.objects.get().workforce_headcount == 25


def test_a_file_with_a_byte_order_mark_is_read():
    result = run("workforce", "\ufeff".encode() + csv(WORKFORCE, "Manchester,Crisis team,25"))

    assert result.applied
    assert Team.objects.get().name == "Crisis team"


def test_names_with_accents_come_through_intact():
    run("workforce", csv(WORKFORCE, "Île-de-France,Équipe de crise,4"))

    assert Team.objects.get().name == "Équipe de crise"


def test_a_file_that_is_not_utf8_is_refused_with_a_clear_message():
    result = run("workforce", "region,team,headcount\r\nMünchen,Crisis,3\r\n".encode("latin-1"))

    assert len(result.errors) == 1
    assert result.errors[0].row is None
    assert "not saved as UTF-8" in result.errors[0].message
    assert "CSV UTF-8" in result.errors[0].message
    assert not Team.objects.exists()


def test_an_empty_file_and_a_header_without_rows_are_refused():
    assert "The file is empty" in run("workforce", b"").errors[0].message
    assert "no rows under it" in run("workforce", csv(WORKFORCE)).errors[0].message


def test_row_numbers_are_the_spreadsheets_even_with_blank_rows_and_multi_line_cells(
    manchester,
):
    content = csv(
        "code,course,date,start,end,region,venue,phase,capacity,status",
        'S1,"Hearing\nVoices",2025-05-01,10:00,13:00,Manchester,,pilot,12,delivered',
        "",
        "S2,Hearing Voices,2025-05-02,10:00,13:00,Manchester,,pilot,twelve,delivered",
    )

    result = run("sessions", content)

    assert errors_of(result) == [(4, "capacity")]


def test_a_row_with_more_cells_than_columns_is_reported():
    result = run("workforce", csv(WORKFORCE, "Manchester,Crisis team,25,oops"))

    assert errors_of(result) == [(2, "")]
    assert "4 cells but there are only 3 columns" in result.errors[0].message


def test_empty_cells_after_the_last_column_are_ignored():
    result = run("workforce", csv(WORKFORCE + ",,", "Manchester,Crisis team,25,,"))

    assert result.applied


def test_a_damaged_file_is_refused_with_its_row():
    result = run("workforce", csv(WORKFORCE, "Manchester,Crisis team,25", 'London,"Open quote,3'))

    assert len(result.errors) == 1
    assert result.errors[0].row == 3
    assert "damaged" in result.errors[0].message
    assert not Team.objects.exists()


# Workforce


def test_workforce_creates_regions_and_teams_and_updates_headcounts(manchester):
    TeamFactory(region=manchester, name="Crisis team", workforce_headcount=10)

    result = run(
        "workforce",
        csv(WORKFORCE, "Manchester,Crisis team,25", "London,Early intervention,12"),
    )

    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert Team.objects.get(name="Crisis team").workforce_headcount == 25
    assert Team.objects.get(name="Early intervention").region.name == "London"


def test_importing_the_same_workforce_file_twice_changes_nothing():
    content = csv(WORKFORCE, "Manchester,Crisis team,25", "London,Outreach,0")
    run("workforce", content)
    before = snapshot()

    again = run("workforce", content)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert snapshot() == before
    assert Team.objects.count() == 2


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("Manchester,Crisis team,ten", "headcount", "“ten” is not a whole number"),
        ("Manchester,Crisis team,-3", "headcount", "at least 0"),
        ("Manchester,Crisis team,", "headcount", "This is empty"),
        (",Crisis team,4", "region", "every row needs a region"),
        ("Manchester,,4", "team", "every row needs a team"),
    ],
)
def test_a_bad_workforce_row_is_reported_at_its_column(row, column, message):
    result = run("workforce", csv(WORKFORCE, row))

    assert errors_of(result) == [(2, column)]
    assert message in result.errors[0].message
    assert not Team.objects.exists()


def test_the_same_team_twice_in_a_file_is_reported_with_the_first_row():
    result = run(
        "workforce",
        csv(WORKFORCE, "Manchester,Crisis team,4", "manchester,CRISIS TEAM,5"),
    )

    assert errors_of(result) == [(3, "team")]
    assert "already on row 2" in result.errors[0].message


# Sessions


def test_sessions_are_created_with_uk_times_stored_in_utc(manchester, published_course):
    result = run(
        "sessions",
        csv(
            SESSIONS,
            "HV-1,Hearing Voices,2025-07-14,10:00,13:00,Manchester,,regional,12,planned",
            "HV-2,hearing voices,2025-01-14,10:00,13:30,Manchester,,pilot,8,delivered",
        ),
    )

    assert result.applied
    summer = TrainingSession.objects.get(code="HV-1")
    assert summer.starts_at == datetime(2025, 7, 14, 9, 0, tzinfo=UTC)
    assert summer.ends_at == datetime(2025, 7, 14, 12, 0, tzinfo=UTC)
    assert summer.course_version == published_course
    assert (summer.phase, summer.capacity, summer.status) == ("regional", 12, "planned")
    assert (summer.room, summer.is_online) == (None, False)
    winter = TrainingSession.objects.get(code="HV-2")
    assert winter.starts_at == datetime(2025, 1, 14, 10, 0, tzinfo=UTC)
    assert winter.status == "delivered"


def test_a_course_not_yet_in_coproduce_is_added_as_a_published_course(manchester):
    run(
        "sessions",
        csv(
            SESSIONS,
            "N-1,Recovery Colleges,2025-03-01,10:00,12:00,Manchester,,pilot,10,delivered",
            "N-2,recovery colleges,2025-03-08,10:00,12:00,Manchester,,pilot,10,delivered",
        ),
    )

    version = CourseVersion.objects.get(course__title="Recovery Colleges")
    assert version.status == CourseVersion.Status.PUBLISHED
    assert version.published_at is not None
    assert version.aims == "Imported"
    assert not version.outcomes.exists()
    assert set(TrainingSession.objects.values_list("course_version", flat=True)) == {version.pk}


def test_a_course_with_only_a_draft_version_is_refused(manchester):
    CourseVersionFactory(course__title="Draft Only", status="draft")

    result = run(
        "sessions",
        csv(SESSIONS, "D-1,Draft Only,2025-03-01,10:00,12:00,Manchester,,pilot,10,planned"),
    )

    assert errors_of(result) == [(2, "course")]
    assert "no published or pilot version" in result.errors[0].message


def test_a_venue_puts_the_session_in_its_first_room_big_enough(manchester):
    venue = VenueFactory(name="Friends Meeting House", region=manchester)
    RoomFactory(venue=venue, name="A small room", capacity=6)
    big = RoomFactory(venue=venue, name="B hall", capacity=40)

    run(
        "sessions",
        csv(
            SESSIONS,
            "V-1,Hearing Voices,2025-03-01,10:00,12:00,Manchester,friends meeting house,"
            "pilot,20,delivered",
        ),
    )

    assert TrainingSession.objects.get().room == big


def test_online_as_the_venue_makes_an_online_session(manchester):
    run(
        "sessions",
        csv(
            SESSIONS,
            "O-1,Hearing Voices,2025-03-01,10:00,12:00,Manchester,Online,pilot,20,delivered",
        ),
    )

    session = TrainingSession.objects.get()
    assert session.is_online
    assert session.room is None


def test_an_existing_code_is_updated_and_keeps_its_course_version(manchester, published_course):
    session = a_session("HV-1", status="planned")
    old_version = session.course_version
    old_version.course.title = "Hearing Voices 2"
    old_version.course.save()

    result = run(
        "sessions",
        csv(
            SESSIONS,
            "HV-1,Hearing Voices 2,2025-05-01,10:00,16:00,Manchester,,national,30,delivered",
        ),
    )

    assert (result.created, result.updated) == (0, 1)
    session.refresh_from_db()
    assert session.course_version == old_version
    assert session.ends_at == datetime(2025, 5, 1, 15, 0, tzinfo=UTC)
    assert (session.phase, session.capacity, session.status) == ("national", 30, "delivered")


def test_importing_the_same_sessions_file_twice_changes_nothing(manchester):
    venue = VenueFactory(name="Town Hall", region=manchester)
    RoomFactory(venue=venue, capacity=50)
    content = csv(
        SESSIONS,
        "A-1,Hearing Voices,2025-03-01,10:00,12:00,Manchester,Town Hall,pilot,20,delivered",
        "A-2,Self-harm,2025-09-01,10:00,12:00,Manchester,Online,regional,20,planned",
        "A-3,Self-harm,2025-10-26,01:30,03:00,Manchester,,regional,20,confirmed",
    )
    run("sessions", content)
    before = snapshot()

    again = run("sessions", content)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot() == before
    assert TrainingSession.objects.count() == 3


def test_a_time_that_happens_twice_in_october_is_taken_as_the_first(manchester):
    run("sessions", csv(SESSIONS, "C-1,Course,2025-10-26,01:30,03:00,Manchester,,pilot,5,planned"))

    session = TrainingSession.objects.get()
    assert session.starts_at == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # 01:30 summer time
    assert session.ends_at == datetime(2025, 10, 26, 3, 0, tzinfo=UTC)  # 03:00 winter time


ROW = "S-1,Hearing Voices,2025-03-01,10:00,13:00,Manchester,,pilot,12,delivered"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (ROW.replace("2025-03-01", "01/03/2025"), "date", "is not a date as YYYY-MM-DD"),
        (ROW.replace("2025-03-01", "2025-02-30"), "date", "is not a date as YYYY-MM-DD"),
        (ROW.replace("10:00", "10am"), "start", "is not a time as HH:MM"),
        (ROW.replace("13:00", "25:00"), "end", "is not a time as HH:MM"),
        (ROW.replace("13:00", "09:00"), "end", "not after it starts"),
        (ROW.replace("13:00", "10:00"), "end", "not after it starts"),
        (ROW.replace("pilot", "trial"), "phase", "Enter pilot, regional or national"),
        (ROW.replace("delivered", "done"), "status", "planned, confirmed, delivered or cancelled"),
        (ROW.replace(",12,", ",0,"), "capacity", "at least 1"),
        (ROW.replace(",12,", ",ten,"), "capacity", "“ten” is not a whole number"),
        (ROW.replace("Manchester", "Atlantis"), "region", "no region called “Atlantis”"),
        (ROW.replace(",,", ",Nowhere Hall,"), "venue", "no venue called “Nowhere Hall”"),
        (ROW.replace("S-1", ""), "code", "every row needs a code"),
        (ROW.replace("Hearing Voices", ""), "course", "every row needs a course"),
        (
            ROW.replace("2025-03-01", "2025-09-01"),
            "status",
            "has not happened yet, so it cannot be delivered",
        ),
        (
            ROW.replace("2025-03-01", "2025-03-30").replace("10:00", "01:30"),
            "start",
            "does not exist in the UK",
        ),
    ],
)
def test_a_bad_session_row_is_reported_at_its_column(manchester, row, column, message):
    result = run("sessions", csv(SESSIONS, row))

    assert errors_of(result) == [(2, column)]
    assert message in result.errors[0].message
    assert not TrainingSession.objects.exists()
    assert not Course.objects.filter(title="Hearing Voices").exists()


def test_a_venue_without_rooms_is_refused(manchester):
    VenueFactory(name="Empty Hall", region=manchester)

    result = run("sessions", csv(SESSIONS, ROW.replace(",,", ",Empty Hall,")))

    assert errors_of(result) == [(2, "venue")]
    assert "has no rooms yet" in result.errors[0].message


def test_a_code_twice_in_the_file_is_reported_naming_the_first_row(manchester):
    result = run("sessions", csv(SESSIONS, ROW, ROW.replace("2025-03-01", "2025-03-02")))

    assert errors_of(result) == [(3, "code")]
    assert "already on row 2" in result.errors[0].message


def test_every_problem_in_a_row_is_reported_not_just_the_first(manchester):
    result = run(
        "sessions",
        csv(SESSIONS, "S-1,Hearing Voices,2025-13-01,9,13:00,Atlantis,,trial,0,done"),
    )

    assert errors_of(result) == [
        (2, "date"),
        (2, "start"),
        (2, "region"),
        (2, "phase"),
        (2, "capacity"),
        (2, "status"),
    ]


def test_three_bad_rows_among_ten_are_all_reported_and_nothing_is_saved(manchester):
    rows = [ROW.replace("S-1", f"S-{n}") for n in range(1, 11)]
    rows[2] = rows[2].replace("2025-03-01", "2025-3-1")  # row 4
    rows[5] = rows[5].replace(",12,", ",ten,")  # row 7
    rows[9] = rows[9].replace("Manchester", "Atlantis")  # row 11

    result = run("sessions", csv(SESSIONS, *rows))

    assert errors_of(result) == [(4, "date"), (7, "capacity"), (11, "region")]
    assert not result.applied
    assert not TrainingSession.objects.exists()
    assert not Course.objects.exists()
    assert not AuditEvent.objects.filter(action=SessionAction.IMPORT).exists()


# Attendance


@pytest.fixture
def delivered(manchester):
    return a_session("D-1", status="delivered")


@pytest.fixture
def planned(manchester):
    return a_session("P-1", status="planned", starts="2025-07-01T10:00", capacity=3)


def test_attendance_records_people_and_what_happened(manchester, delivered, planned):
    team = TeamFactory(region=manchester, name="Crisis team")
    result = run(
        "attendance",
        csv(
            ATTENDANCE,
            "D-1,Ada Lovelace,ada@example.org,staff,Crisis team,Manchester,yes",
            "D-1,Grace Hopper,grace@example.org,service_user,,,partly",
            "D-1,Alan Turing,alan@example.org,other,,Manchester,no",
            "P-1,Ada Lovelace,ADA@example.org,staff,,,no",
        ),
    )

    assert result.applied
    assert Participant.objects.count() == 3
    ada = Participant.objects.get(email="ada@example.org")
    assert (ada.full_name, ada.participant_type, ada.team, ada.region) == (
        "Ada Lovelace",
        "staff",
        team,
        manchester,
    )
    assert Participant.objects.get(email="grace@example.org").participant_type == "service_user"
    statuses = {
        (r.session.code, r.participant.email): r.status
        for r in Registration.objects.select_related("session", "participant")
    }
    assert statuses == {
        ("D-1", "ada@example.org"): "attended",
        ("D-1", "grace@example.org"): "partly_attended",
        ("D-1", "alan@example.org"): "no_show",
        ("P-1", "ada@example.org"): "booked",
    }
    assert set(Registration.objects.values_list("source", flat=True)) == {"import"}


def test_the_same_email_in_different_case_in_one_session_is_one_person_and_one_place(delivered):
    result = run(
        "attendance",
        csv(
            ATTENDANCE,
            "D-1,Ada Lovelace,ada@example.org,staff,,,yes",
            "D-1,Ada Lovelace,Ada@Example.ORG,staff,,,yes",
        ),
    )

    assert result.applied
    assert Participant.objects.count() == 1
    assert Registration.objects.count() == 1


def test_the_same_person_with_two_different_attendances_at_one_session_is_refused(delivered):
    result = run(
        "attendance",
        csv(
            ATTENDANCE,
            "D-1,Ada Lovelace,ada@example.org,staff,,,yes",
            "D-1,Ada Lovelace,ADA@example.org,staff,,,no",
        ),
    )

    assert errors_of(result) == [(3, "attended")]
    assert "Row 2 already gives a different attendance" in result.errors[0].message
    assert not Participant.objects.exists()


def test_someone_already_known_keeps_their_details_and_is_matched_by_email(delivered):
    known = ParticipantFactory(email="Ada@Example.org", full_name="Ada King")

    run("attendance", csv(ATTENDANCE, "D-1,A. Lovelace,ada@example.org,other,,,yes"))

    assert Participant.objects.get() == known
    known.refresh_from_db()
    assert (known.full_name, known.participant_type) == ("Ada King", "staff")
    assert Registration.objects.get().participant == known


def test_importing_the_same_attendance_file_twice_changes_nothing(delivered, planned):
    content = csv(
        ATTENDANCE,
        "D-1,Ada Lovelace,ada@example.org,staff,,,yes",
        "D-1,Alan Turing,alan@example.org,other,,,no",
        "P-1,Ada Lovelace,ada@example.org,staff,,,no",
    )
    run("attendance", content)
    before = snapshot()

    again = run("attendance", content)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot() == before


def test_an_import_changes_an_existing_registration(delivered):
    participant = ParticipantFactory(email="ada@example.org")
    Registration.objects.create(session=delivered, participant=participant, source="public")

    result = run("attendance", csv(ATTENDANCE, "D-1,Ada,ada@example.org,staff,,,partly"))

    assert result.updated == 1
    assert Registration.objects.get().status == "partly_attended"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("X-9,Ada,ada@example.org,staff,,,yes", "session_code", "No session has the code “X-9”"),
        ("D-1,Ada,ada@example,staff,,,yes", "email", "“ada@example” is not an email address"),
        ("D-1,Ada,not an email,staff,,,yes", "email", "is not an email address"),
        ("D-1,Ada,ada@example.org,volunteer,,,yes", "participant_type", "staff, service_user"),
        ("D-1,Ada,ada@example.org,staff,,,maybe", "attended", "Enter yes, partly or no"),
        ("D-1,,ada@example.org,staff,,,yes", "name", "every row needs a name"),
        ("D-1,Ada,ada@example.org,staff,,Atlantis,yes", "region", "no region called “Atlantis”"),
        ("D-1,Ada,ada@example.org,staff,Ghost team,Manchester,yes", "team", "no team called"),
        ("D-1,Ada,ada@example.org,staff,Crisis team,,yes", "region", "give its region too"),
        ("P-1,Ada,ada@example.org,staff,,,yes", "attended", "has not happened yet"),
        ("C-1,Ada,ada@example.org,staff,,,no", "session_code", "was cancelled"),
    ],
)
def test_a_bad_attendance_row_is_reported_at_its_column(delivered, planned, row, column, message):
    a_session("C-1", status="cancelled", starts="2025-08-01T10:00")

    result = run("attendance", csv(ATTENDANCE, row))

    assert errors_of(result) == [(2, column)]
    assert message in result.errors[0].message
    assert not Participant.objects.exists()
    assert not Registration.objects.exists()


def test_bookings_beyond_a_future_sessions_places_are_refused(planned):
    Registration.objects.create(
        session=planned, participant=ParticipantFactory(), source="coordinator"
    )

    result = run(
        "attendance",
        csv(
            ATTENDANCE,
            "P-1,One,one@example.org,staff,,,no",
            "P-1,Two,two@example.org,staff,,,no",
            "P-1,Three,three@example.org,staff,,,no",
        ),
    )

    assert errors_of(result) == [(4, "session_code")]
    assert "3 places" in result.errors[0].message
    assert Registration.objects.count() == 1


# Imports never send anything and are audited


def test_imports_send_no_message_to_anyone(django_capture_on_commit_callbacks, delivered, planned):
    with django_capture_on_commit_callbacks(execute=True):
        run("workforce", csv(WORKFORCE, "Manchester,Crisis team,5"))
        run("sessions", csv(SESSIONS, ROW))
        run(
            "attendance",
            csv(
                ATTENDANCE,
                "D-1,Ada,ada@example.org,staff,,,yes",
                "P-1,Ada,ada@example.org,staff,,,no",
            ),
        )

    assert Registration.objects.count() == 2
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_real_import_is_audited_with_its_counts_and_a_dry_run_is_not(coordinator):
    content = csv(WORKFORCE, "Manchester,Crisis team,5", "London,Outreach,7")
    run("workforce", content, dry_run=True, by=coordinator)
    assert not AuditEvent.objects.filter(action=SessionAction.IMPORT).exists()

    run("workforce", content, by=coordinator)

    event = AuditEvent.objects.get(action=SessionAction.IMPORT)
    assert event.actor == coordinator
    assert event.changes == {
        "file": "workforce.csv",
        "rows": 2,
        "added": 2,
        "changed": 0,
        "unchanged": 0,
    }


def test_a_dry_run_says_what_would_change_and_saves_nothing(manchester):
    TeamFactory(region=manchester, name="Crisis team", workforce_headcount=3)

    result = run(
        "workforce",
        csv(WORKFORCE, "Manchester,Crisis team,5", "Manchester,Outreach,7"),
        dry_run=True,
    )

    assert not result.applied
    assert [(c.row, c.action) for c in result.changes] == [(2, "update"), (3, "create")]
    assert result.changes[0].details == ("headcount 3 → 5",)
    assert Team.objects.get().workforce_headcount == 3


def test_sessions_imported_by_a_coordinator_name_them_as_coordinator(coordinator, manchester):
    run("sessions", csv(SESSIONS, ROW), by=coordinator)

    assert TrainingSession.objects.get().coordinator == coordinator


# In the browser


def upload(name: str, content: bytes):
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def test_the_upload_page_explains_each_file(signed_in):
    page = signed_in.get(IMPORT).content.decode()

    assert "Check the file" in page
    for header in (WORKFORCE, SESSIONS, ATTENDANCE):
        assert header in page


def test_uploading_shows_what_would_change_and_saves_nothing(signed_in, manchester):
    response = signed_in.post(
        IMPORT,
        {"kind": "workforce", "file": upload("teams.csv", csv(WORKFORCE, "Manchester,Crisis,5"))},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Check before importing" in page
    assert "Crisis (Manchester): headcount 5" in page
    assert "Import for real" in page
    assert not Team.objects.exists()
    assert signed_in.session[PENDING_IMPORT]["kind"] == "workforce"


def test_import_for_real_saves_the_checked_file_once(signed_in, manchester):
    signed_in.post(
        IMPORT,
        {"kind": "workforce", "file": upload("teams.csv", csv(WORKFORCE, "Manchester,Crisis,5"))},
    )
    digest = signed_in.session[PENDING_IMPORT]["digest"]

    response = signed_in.post(APPLY, {"digest": digest}, follow=True)

    assert "Imported teams.csv: 1 row: 1 added" in response.content.decode()
    assert Team.objects.get().workforce_headcount == 5
    assert PENDING_IMPORT not in signed_in.session
    again = signed_in.post(APPLY, {"digest": digest}, follow=True)
    assert "There is no checked file waiting" in again.content.decode()
    assert AuditEvent.objects.filter(action=SessionAction.IMPORT).count() == 1


def test_a_different_digest_imports_nothing(signed_in, manchester):
    signed_in.post(
        IMPORT,
        {"kind": "workforce", "file": upload("teams.csv", csv(WORKFORCE, "Manchester,Crisis,5"))},
    )

    response = signed_in.post(APPLY, {"digest": "0" * 64}, follow=True)

    assert "There is no checked file waiting" in response.content.decode()
    assert not Team.objects.exists()


def test_a_file_with_problems_shows_every_one_and_offers_no_import(signed_in, manchester):
    rows = [ROW.replace("S-1", f"S-{n}") for n in range(1, 6)]
    rows[1] = rows[1].replace("2025-03-01", "yesterday")
    rows[3] = rows[3].replace("pilot", "trial")

    response = signed_in.post(
        IMPORT, {"kind": "sessions", "file": upload("sessions.csv", csv(SESSIONS, *rows))}
    )

    page = " ".join(response.content.decode().split())
    assert "Nothing has been imported" in page
    assert "has 2 problems" in page
    assert '<th scope="row">3</th>' in page
    assert '<th scope="row">5</th>' in page
    assert "Import for real" not in page
    assert PENDING_IMPORT not in signed_in.session
    assert not TrainingSession.objects.exists()


def test_cells_are_shown_escaped_never_as_html(signed_in):
    script = "<script>alert(1)</script>"
    response = signed_in.post(
        IMPORT,
        {"kind": "workforce", "file": upload("x.csv", csv(WORKFORCE, f"{script},Team,5"))},
    )

    page = response.content.decode()
    assert script not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_what_changed_in_coopreduce_since_the_check_is_shown_and_nothing_saved(
    signed_in, delivered
):
    signed_in.post(
        IMPORT,
        {
            "kind": "attendance",
            "file": upload("a.csv", csv(ATTENDANCE, "D-1,Ada,ada@example.org,staff,,,yes")),
        },
    )
    delivered.status = TrainingSession.Status.CANCELLED
    delivered.save()

    response = signed_in.post(APPLY, {"digest": signed_in.session[PENDING_IMPORT]["digest"]})

    assert "was cancelled" in response.content.decode()
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "workforce"}, "file", "Choose the CSV file to check."),
        ({"kind": "payroll", "file": True}, "kind", "Choose workforce, sessions or attendance."),
        ({"file": True}, "kind", "Choose what the file holds"),
        ({"kind": "workforce", "file": b""}, "file", "This file is empty."),
        ({"kind": "workforce", "file": b"x" * (MAX_IMPORT_BYTES + 1)}, "file", "at most 2 MB"),
    ],
)
def test_bad_upload_form_input_is_refused_at_the_field(signed_in, data, field, message):
    data = dict(data)
    if data.get("file") is True:
        data["file"] = upload("t.csv", csv(WORKFORCE, "Manchester,Crisis,5"))
    elif isinstance(data.get("file"), bytes):
        data["file"] = upload("t.csv", data["file"])

    response = signed_in.post(IMPORT, data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Team.objects.exists()


def test_the_chosen_kind_is_kept_when_the_form_is_refused(signed_in):
    response = signed_in.post(IMPORT, {"kind": "attendance"})

    page = " ".join(response.content.decode().split())
    assert re.search(r'value="attendance"[^>]*\bchecked\b', page)
    assert not re.search(r'value="workforce"[^>]*\bchecked\b', page)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("trainer", 403), ("team_lead", 403), ("manager", 403), ("admin_user", 403)],
)
def test_imports_are_for_coordinators_only(request, client, fixture, expected):
    client.force_login(request.getfixturevalue(fixture))

    assert client.get(IMPORT).status_code == expected
    assert client.post(APPLY, {"digest": "0" * 64}).status_code == expected


def test_a_visitor_is_sent_to_sign_in_from_the_imports_pages(client):
    for response in (client.get(IMPORT), client.post(APPLY)):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_apply_address_takes_only_a_post(signed_in):
    assert signed_in.get(APPLY).status_code == 405


@pytest.mark.parametrize("count", [1, 200])
def test_checking_a_file_runs_the_same_queries_with_1_or_200_rows(
    signed_in, manchester, django_assert_max_num_queries, count
):
    delivered = a_session("D-1", status="delivered")
    ParticipantFactory(email="known@example.org")
    lines = [f"D-1,Person {n},p{n}@example.org,staff,,Manchester,yes" for n in range(count - 1)]
    lines.append("D-1,Known,known@example.org,staff,,,yes")
    content = csv(ATTENDANCE, *lines)
    assert delivered.pk

    with django_assert_max_num_queries(14):
        response = signed_in.post(IMPORT, {"kind": "attendance", "file": upload("a.csv", content)})

    assert response.context["result"].rows == count
    assert response.context["result"].ok
