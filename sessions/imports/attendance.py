"""The attendance import: who was booked on or attended which session, by session code and the
person's email (a person new to Coproduce is recorded as a participant). Before a session only
bookings can be recorded, and not past its places; after it, attendance."""

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone

from core.csvimport import (
    CellError,
    CellReader,
    Importer,
    ImportKind,
    RowChange,
    cell_choice,
    cell_email,
    cell_required,
    chunks,
    quoted,
)
from people.imports import region_named, regions_by_name
from people.models import Participant, ParticipantType, Region, Team
from people.services import participant_get_or_create
from sessions.imports.sessions import uk_when
from sessions.models import Registration, TrainingSession

ATTENDANCE = ImportKind(
    "attendance",
    "Attendance",
    ("session_code", "name", "email", "participant_type", "team", "region", "attended"),
)


ATTENDED = {
    "yes": Registration.Status.ATTENDED,
    "partly": Registration.Status.PARTLY_ATTENDED,
}
# Registrations that take a place on a session.
HOLDS_A_PLACE = (
    Registration.Status.BOOKED,
    Registration.Status.ATTENDED,
    Registration.Status.PARTLY_ATTENDED,
)


@dataclass
class _RegistrationPlan:
    number: int
    session: TrainingSession
    email_key: str
    status: str
    existing: Registration | None
    action: str


@dataclass
class _NewParticipant:
    email: str
    full_name: str
    participant_type: str
    team: Team | None
    region: Region | None


@dataclass
class _AttendanceRow:
    """A row's cells as read (a cell with a problem reads as None) and what they name: the
    session with the row's code, the person's region and team, and the registration status the
    row records."""

    code: str | None
    name: str | None
    email: str | None
    participant_type: str | None
    attended: str | None
    session: TrainingSession | None = None
    region: Region | None = None
    team: Team | None = None
    status: str | None = None

    @property
    def key(self) -> tuple[int, str] | None:
        """The session and the person, whatever the case of their email; None unless both
        were read."""
        return (self.session.pk, self.email.lower()) if self.session and self.email else None


class AttendanceImporter(Importer):
    kind = ATTENDANCE

    def check(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        self._look_up(rows)
        self.plans: list[_RegistrationPlan] = []
        for number, row in rows:
            read = CellReader()
            cells = self._read_cells(read, row)
            self._find_session(read, cells)
            self._find_team(read, row, cells)
            self._find_status(read, cells)
            self._check_once(read, cells)
            if self.report(number, read):
                continue
            self._plan(number, cells)

    def _look_up(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        """Everything the rows are checked against, in a bounded number of queries however many
        rows: regions and teams, the sessions and people the file names, their registrations and
        the places taken on sessions still to come."""
        self.now = timezone.now()
        self.regions = regions_by_name()
        self.teams = {(team.region_id, team.name.lower()): team for team in Team.objects.all()}
        self.sessions: dict[str, TrainingSession] = {}
        for chunk in chunks({row["session_code"] for _, row in rows if row["session_code"]}):
            self.sessions.update(
                (session.code, session)
                for session in TrainingSession.objects.filter(code__in=chunk).select_related(
                    "course_version__course"
                )
            )
        emails = {row["email"].lower() for _, row in rows if row["email"]}
        self.participants: dict[str, Participant] = {}
        for chunk in chunks(emails):
            self.participants.update(
                (participant.email.lower(), participant)
                for participant in Participant.objects.annotate(email_lower=Lower("email")).filter(
                    email_lower__in=chunk
                )
            )
        self.registrations: dict[tuple[int, int], Registration] = {}
        participant_pks = [participant.pk for participant in self.participants.values()]
        for session_chunk in chunks([session.pk for session in self.sessions.values()]):
            for participant_chunk in chunks(participant_pks):
                self.registrations.update(
                    ((registration.session_id, registration.participant_id), registration)
                    for registration in Registration.objects.filter(
                        session__in=session_chunk, participant__in=participant_chunk
                    )
                )
        self.places_taken = self._places_taken(
            [session for session in self.sessions.values() if session.starts_at > self.now]
        )
        self.new_participants: dict[str, _NewParticipant] = {}
        # Each session and person's first row in the file, and the status it records.
        self.seen: dict[tuple[int, str], tuple[int, str]] = {}

    @staticmethod
    def _read_cells(read: CellReader, row: dict[str, str]) -> _AttendanceRow:
        return _AttendanceRow(
            code=read(cell_required, row, "session_code", max_length=40),
            name=read(cell_required, row, "name", max_length=200),
            email=read(cell_email, row, "email"),
            participant_type=read(cell_choice, row, "participant_type", ParticipantType.values),
            attended=read(cell_choice, row, "attended", ["yes", "partly", "no"]),
        )

    def _find_session(self, read: CellReader, cells: _AttendanceRow) -> None:
        code = cells.code
        cells.session = self.sessions.get(code) if code else None
        if code and cells.session is None:
            read.error(
                "session_code",
                f"No session has the code {quoted(code)}. Import the sessions first, "
                "or check the code.",
            )

    def _find_team(self, read: CellReader, row: dict[str, str], cells: _AttendanceRow) -> None:
        """The person's region and team, both optional; a team needs its region."""
        if row["region"]:
            cells.region = read(region_named, self.regions, row)
        if row["team"]:
            if not row["region"]:
                read.error("region", "The team is given, so give its region too.")
            elif cells.region is not None:
                cells.team = self.teams.get((cells.region.pk, row["team"].lower()))
                if cells.team is None:
                    read.error(
                        "team",
                        f"There is no team called {quoted(row['team'])} in "
                        f"{cells.region.name}. Import the workforce file first, or leave the "
                        "team empty.",
                    )

    def _find_status(self, read: CellReader, cells: _AttendanceRow) -> None:
        """The registration status the row records: a booking before the session, attendance
        after it; nothing on a cancelled session."""
        session, attended = cells.session, cells.attended
        if session is not None and attended is not None:
            if session.status == TrainingSession.Status.CANCELLED:
                read.error(
                    "session_code",
                    f"Session {session.code} was cancelled, so nobody can be booked on it "
                    "or attend it.",
                )
            elif attended == "no":
                cells.status = (
                    Registration.Status.NO_SHOW
                    if session.status == TrainingSession.Status.DELIVERED
                    else Registration.Status.BOOKED
                )
            elif session.starts_at > self.now:
                read.error(
                    "attended",
                    f"Session {session.code} has not happened yet "
                    f"({uk_when(session.starts_at)}), so only “no” (a booking) can be recorded "
                    "for it.",
                )
            else:
                cells.status = ATTENDED[attended]

    def _check_once(self, read: CellReader, cells: _AttendanceRow) -> None:
        """One attendance per person per session: a repeated row must agree with the first."""
        key, session = cells.key, cells.session
        if (
            key
            and session is not None
            and key in self.seen
            and cells.status
            and self.seen[key][1] != cells.status
        ):
            read.error(
                "attended",
                f"Row {self.seen[key][0]} already gives a different attendance for "
                f"{cells.email} at {session.code}. Keep one row per person per session.",
            )

    def _plan(self, number: int, cells: _AttendanceRow) -> None:
        """What a good row changes: a new registration (and person), a new status, or nothing."""
        session, email, status = cells.session, cells.email, cells.status
        name, participant_type = cells.name, cells.participant_type
        if (
            session is None
            or email is None
            or status is None
            or name is None
            or participant_type is None
        ):
            # Never: a row is planned only when every cell was read and it has no problem.
            raise ValueError(f"Row {number} was planned with a cell unread.")
        email_key = email.lower()
        participant = self.participants.get(email_key)
        if participant is None and email_key not in self.new_participants:
            self.new_participants[email_key] = _NewParticipant(
                email, name, participant_type, cells.team, cells.region
            )
        who = participant.full_name if participant else self.new_participants[email_key].full_name
        what = f"{who} ({email}) at {session.code}: {Registration.Status(status).label.lower()}"
        key = (session.pk, email_key)  # cells.key: the session, and the email in any case
        if key in self.seen:
            # The same person twice for the same session (emails differing only in case).
            self.changes.append(
                RowChange(number, "unchanged", what, (f"same as row {self.seen[key][0]}",))
            )
            return
        self.seen[key] = (number, status)
        existing = self.registrations.get((session.pk, participant.pk)) if participant else None
        details, action = self._difference(participant, existing, status)
        if self._one_too_many(number, session, status, existing):
            return
        self.changes.append(RowChange(number, action, what, details))
        self.plans.append(_RegistrationPlan(number, session, email_key, status, existing, action))

    @staticmethod
    def _difference(
        participant: Participant | None, existing: Registration | None, status: str
    ) -> tuple[tuple[str, ...], str]:
        """The row's change to the person's registration, in words, and its action."""
        if existing is None:
            return ("new person",) if participant is None else (), "create"
        if existing.status != status:
            return (
                f"{Registration.Status(existing.status).label.lower()} → "
                f"{Registration.Status(status).label.lower()}",
            ), "update"
        return (), "unchanged"

    def _one_too_many(
        self,
        number: int,
        session: TrainingSession,
        status: str,
        existing: Registration | None,
    ) -> bool:
        """Whether a new place on a session still to come is past its capacity (then that is
        the row's error)."""
        if (
            session.starts_at > self.now
            and status in HOLDS_A_PLACE
            and (existing is None or existing.status not in HOLDS_A_PLACE)
        ):
            self.places_taken[session.pk] = self.places_taken.get(session.pk, 0) + 1
            if self.places_taken[session.pk] > session.capacity:
                self.cell_error(
                    number,
                    CellError(
                        "session_code",
                        f"Session {session.code} has {session.capacity} places and they "
                        "are all taken: this booking would be one too many.",
                    ),
                )
                return True
        return False

    @staticmethod
    def _places_taken(sessions: list[TrainingSession]) -> dict[int, int]:
        taken: dict[int, int] = {}
        for chunk in chunks([session.pk for session in sessions]):
            taken.update(
                Registration.objects.filter(session__in=chunk, status__in=HOLDS_A_PLACE)
                .values("session")
                .annotate(n=Count("pk"))
                .values_list("session", "n")
            )
        return taken

    def apply(self):
        now = timezone.now()
        for email_key, new in self.new_participants.items():
            participant, _ = participant_get_or_create(
                email=new.email,
                full_name=new.full_name,
                participant_type=new.participant_type,
                team=new.team,
                region=new.region,
            )
            self.participants[email_key] = participant
        for plan in self.plans:
            if plan.action == "create":
                Registration.objects.create(
                    session=plan.session,
                    participant=self.participants[plan.email_key],
                    status=plan.status,
                    source=Registration.Source.IMPORT,
                    created_at=now,
                    status_changed_at=now,
                )
            elif plan.action == "update":
                plan.existing.status = plan.status
                plan.existing.status_changed_at = now
                plan.existing.save(update_fields=["status", "status_changed_at"])
