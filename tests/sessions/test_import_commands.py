"""`manage.py import_workforce FILE`, `import_sessions FILE` and `import_attendance FILE`: they
import by default, `--dry-run` only checks, and any bad row means exit code 1 with every problem
printed and nothing saved."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from notifications.models import Notification
from people.models import Participant, Team
from sessions.audit_actions import SessionAction
from sessions.models import Registration, TrainingSession
from tests.factories import CourseVersionFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=UTC), tick=False):
        yield


def write(tmp_path, name: str, *lines: str) -> str:
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return str(path)


def command(name: str, *args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_workforce_saves_the_file_by_default(tmp_path):
    path = write(tmp_path, "workforce.csv", "region,team,headcount", "Manchester,Crisis team,25")

    out, _ = command("import_workforce", path)

    assert "Imported workforce.csv: 1 row: 1 added, 0 changed, 0 already up to date." in out
    assert Team.objects.get().workforce_headcount == 25
    event = AuditEvent.objects.get(action=SessionAction.IMPORT)
    assert event.actor is None
    assert event.changes["rows"] == 1


def test_a_dry_run_saves_nothing_and_says_so(tmp_path):
    path = write(tmp_path, "workforce.csv", "region,team,headcount", "Manchester,Crisis team,25")

    out, _ = command("import_workforce", path, "--dry-run")

    assert "Dry run, nothing saved. workforce.csv: 1 row: 1 to add" in out
    assert not Team.objects.exists()
    assert not AuditEvent.objects.filter(action=SessionAction.IMPORT).exists()


def test_more_verbosity_lists_each_change(tmp_path):
    path = write(tmp_path, "w.csv", "region,team,headcount", "Manchester,Crisis team,25")

    out, _ = command("import_workforce", path, "--dry-run", "--verbosity", "2")

    assert "Row 2: Add Crisis team (Manchester): headcount 25" in out


def test_bad_rows_exit_with_code_1_printing_every_problem_and_saving_nothing(tmp_path):
    path = write(
        tmp_path,
        "workforce.csv",
        "region,team,headcount",
        "Manchester,Crisis team,ten",
        "London,Outreach,4",
        ",Early intervention,3",
    )
    err = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_workforce", path, stdout=StringIO(), stderr=err)

    assert raised.value.returncode == 1
    assert "2 problems in workforce.csv; nothing was imported." in str(raised.value)
    printed = err.getvalue()
    assert "Row 2, column headcount: “ten” is not a whole number" in printed
    assert "Row 4, column region: This is empty" in printed
    assert not Team.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        command("import_sessions", str(tmp_path / "nowhere.csv"))


def test_import_sessions_and_import_attendance_work_in_turn_and_send_nothing(
    tmp_path, django_capture_on_commit_callbacks
):
    RegionFactory(name="Manchester")
    CourseVersionFactory(course__title="Hearing Voices")
    sessions = write(
        tmp_path,
        "sessions.csv",
        "code,course,date,start,end,region,venue,phase,capacity,status",
        "HV-1,Hearing Voices,2025-03-01,10:00,13:00,Manchester,,pilot,12,delivered",
        "HV-2,Hearing Voices,2025-07-01,10:00,13:00,Manchester,Online,regional,12,planned",
    )
    attendance = write(
        tmp_path,
        "attendance.csv",
        "session_code,name,email,participant_type,team,region,attended",
        "HV-1,Ada Lovelace,ada@example.org,staff,,Manchester,yes",
        "HV-2,Ada Lovelace,ada@example.org,staff,,Manchester,no",
    )

    with django_capture_on_commit_callbacks(execute=True):
        command("import_sessions", sessions)
        out, _ = command("import_attendance", attendance)

    assert TrainingSession.objects.count() == 2
    assert "2 added" in out
    assert Participant.objects.count() == 1
    assert sorted(Registration.objects.values_list("status", flat=True)) == [
        "attended",
        "booked",
    ]
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_running_a_command_twice_changes_nothing_the_second_time(tmp_path):
    RegionFactory(name="Manchester")
    path = write(
        tmp_path,
        "sessions.csv",
        "code,course,date,start,end,region,venue,phase,capacity,status",
        "HV-1,Hearing Voices,2025-03-01,10:00,13:00,Manchester,,pilot,12,delivered",
    )
    command("import_sessions", path)
    session = TrainingSession.objects.values().get()

    with time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=UTC) + timedelta(hours=1)):
        out, _ = command("import_sessions", path)

    assert "0 added, 0 changed, 1 already up to date" in out
    assert TrainingSession.objects.values().get() == session


def test_attendance_for_an_unknown_session_fails_the_command(tmp_path):
    path = write(
        tmp_path,
        "attendance.csv",
        "session_code,name,email,participant_type,team,region,attended",
        "NOPE,Ada Lovelace,ada@example.org,staff,,,yes",
    )
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_attendance", path, stdout=StringIO(), stderr=err)

    assert "Row 2, column session_code: No session has the code “NOPE”" in err.getvalue()
    assert not Participant.objects.exists()
