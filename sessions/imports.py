"""CSV imports for coordinators moving from spreadsheets: workforce, sessions and attendance.

Reading and checking happen here; `sessions.services.csv_import_run` runs them in one transaction
and applies the plan only when every row is good (all or nothing).

* Row numbers are the ones a spreadsheet shows: the header is row 1, the first data row is row 2.
  Every bad row is reported, each with its column and a message a person understands.
* The header row must name exactly the columns of the kind (any order, any case).
* The file must be UTF-8, with or without a byte order mark. Dates are YYYY-MM-DD, times HH:MM in
  Europe/London.
* Importing the same file again changes nothing: rows are matched to what is already there
  (teams by region and name, sessions by code, people by email in any case, registrations by
  session and person) and only differences are written.
* Cells are data. Nothing here builds HTML; pages show messages and values escaped.
* Nothing here sends a message to anyone: records are written directly, not through the services
  that email learners and trainers. So a sessions row may not change the time, place, places or
  status of a session still to come that has people on it (learners booked or waiting, trainers
  invited or on it): their reminders would not move, nobody would be told and no clash with the
  trainers' other sessions would be checked. That is refused, row-numbered; the session's page
  does it properly.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone

from people.models import Participant, ParticipantType, Region, Team, User
from people.services import participant_get_or_create, team_upsert
from sessions.models import (
    Course,
    CourseVersion,
    Registration,
    Room,
    TrainerAssignment,
    TrainingSession,
    Venue,
)
from sessions.selectors import BOOKED_STATUSES, HOLDING_STATUSES

LONDON = ZoneInfo("Europe/London")
# A file kept between the dry run and the real import lives in the person's session: 2 MB is
# about 20,000 rows, far more than any programme's spreadsheet.
MAX_IMPORT_BYTES = 2 * 1024 * 1024
# Longer values are shortened when a message quotes them.
QUOTED_CHARS = 60
LOOKUP_CHUNK = 500
ONLINE = "online"


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str
    headers: tuple[str, ...]


WORKFORCE = ImportKind(
    "workforce", "Workforce: teams and their headcounts", ("region", "team", "headcount")
)
SESSIONS = ImportKind(
    "sessions",
    "Sessions",
    ("code", "course", "date", "start", "end", "region", "venue", "phase", "capacity", "status"),
)
ATTENDANCE = ImportKind(
    "attendance",
    "Attendance",
    ("session_code", "name", "email", "participant_type", "team", "region", "attended"),
)
KINDS: dict[str, ImportKind] = {kind.key: kind for kind in (WORKFORCE, SESSIONS, ATTENDANCE)}


@dataclass(frozen=True)
class RowError:
    """A problem with one cell (`row` and `column`), a whole row (no column) or the whole file
    (no row)."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = [f"Row {self.row}" if self.row else "The file"]
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


@dataclass(frozen=True)
class RowChange:
    row: int
    action: str  # "create", "update" or "unchanged"
    what: str
    details: tuple[str, ...] = ()


@dataclass
class ImportResult:
    kind: ImportKind
    dry_run: bool
    rows: int = 0
    changes: list[RowChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def to_change(self) -> list[RowChange]:
        return [change for change in self.changes if change.action != "unchanged"]

    @property
    def summary(self) -> str:
        return (
            f"{self.rows} row{'' if self.rows == 1 else 's'}: {self.created} to add, "
            f"{self.updated} to change, {self.unchanged} already up to date"
            if not self.applied
            else f"{self.rows} row{'' if self.rows == 1 else 's'}: {self.created} added, "
            f"{self.updated} changed, {self.unchanged} already up to date"
        )


class ImportConflict(Exception):
    """Raised when the database refuses a write the checks allowed (someone else changed the same
    records meanwhile): the whole import is rolled back."""


# Reading the file


def quoted(value: str) -> str:
    value = value if len(value) <= QUOTED_CHARS else value[: QUOTED_CHARS - 1] + "…"
    return f"“{value}”"


def decode(content: bytes | str) -> str:
    """The file's text. Raises ValidationError when it is not UTF-8."""
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            "The file is not saved as UTF-8 text, so names with accents or symbols would come out "
            "wrong. In Excel choose Save As › “CSV UTF-8 (Comma delimited)”; in LibreOffice tick "
            "“Edit filter settings” and choose “Unicode (UTF-8)”. "
            f"(The first character that is not UTF-8 is at byte {error.start + 1}.)"
        ) from error


def read_rows(
    content: bytes | str, kind: ImportKind
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The data rows as (spreadsheet row number, {column: stripped cell}), and the problems with
    the file as a whole or with a row's shape. Blank rows are skipped but still counted."""
    try:
        text = decode(content)
    except ValidationError as error:
        return [], [RowError(None, "", error.messages[0])]
    if not text.strip():
        return [], [RowError(None, "", "The file is empty. Choose the CSV file with your rows.")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    reading = 1  # the spreadsheet row being read, for a damaged file's message
    try:
        header = next(reader)
        reading = 2
        # Spreadsheets sometimes write empty columns after the last one.
        while header and not header[-1].strip():
            header.pop()
        header_error = _check_header(header, kind)
        if header_error:
            return [], [header_error]
        names = [cell.strip().lower() for cell in header]
        for number, cells in enumerate(reader, start=2):
            reading = number + 1
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            if len(cells) > len(names) and any(cells[len(names) :]):
                errors.append(
                    RowError(
                        number,
                        "",
                        f"This row has {len(cells)} cells but there are only {len(names)} "
                        "columns. Check for a stray comma or a value in an extra column.",
                    )
                )
                continue
            cells += [""] * (len(names) - len(cells))
            rows.append((number, dict(zip(names, cells, strict=False))))
    except csv.Error as error:
        return [], [
            RowError(
                reading,
                "",
                f"This is not a CSV file a spreadsheet wrote, or it is damaged ({error}). "
                "Save it again from the spreadsheet as CSV.",
            )
        ]
    if not rows and not errors:
        errors.append(RowError(None, "", "The file has a header row but no rows under it."))
    return rows, errors


def _check_header(header: list[str], kind: ImportKind) -> RowError | None:
    names = [cell.strip().lower() for cell in header]
    expected = list(kind.headers)
    if names == expected or (sorted(names) == sorted(expected) and len(set(names)) == len(names)):
        return None
    missing = [name for name in expected if name not in names]
    extra = [
        cell.strip() or "(an empty column name)"
        for cell in header
        if cell.strip().lower() not in expected
    ]
    repeated = sorted({name for name in names if name in expected and names.count(name) > 1})
    parts = [f"The first row must name exactly these columns: {','.join(expected)}."]
    if missing:
        parts.append(f"Missing: {', '.join(missing)}.")
    if extra:
        parts.append(f"Not expected (misspelt?): {', '.join(quoted(name) for name in extra)}.")
    if repeated:
        parts.append(f"More than once: {', '.join(repeated)}.")
    return RowError(1, "", " ".join(parts))


# Cells


class CellError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


class CellReader:
    """Reads one row's cells, collecting every problem instead of stopping at the first."""

    def __init__(self):
        self.errors: list[CellError] = []

    def __call__(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except CellError as error:
            self.errors.append(error)
            return None

    def error(self, column: str, message: str) -> None:
        self.errors.append(CellError(column, message))


def _required(row: dict[str, str], column: str, *, max_length: int | None = None) -> str:
    value = row[column]
    if not value:
        raise CellError(column, f"This is empty; every row needs a {column.replace('_', ' ')}.")
    if max_length is not None and len(value) > max_length:
        raise CellError(column, f"This is {len(value)} characters; the most is {max_length}.")
    return value


def _choice(row: dict[str, str], column: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    value = row[column].lower().replace(" ", "_").replace("-", "_")
    if value in choices:
        return value
    listed = ", ".join(choices[:-1]) + f" or {choices[-1]}"
    if not row[column]:
        raise CellError(column, f"This is empty. Enter {listed}.")
    raise CellError(column, f"{quoted(row[column])} is not one of the choices. Enter {listed}.")


def _whole_number(row: dict[str, str], column: str, *, minimum: int, example: str) -> int:
    value = row[column]
    if not value:
        raise CellError(column, f"This is empty. Enter a whole number, like {example}.")
    if not re.fullmatch(r"[+-]?\d+", value):
        raise CellError(
            column, f"{quoted(value)} is not a whole number. Enter digits, like {example}."
        )
    number = int(value)
    if number < minimum:
        raise CellError(column, f"This must be at least {minimum}; it is {number}.")
    if number > 2_147_483_647:
        raise CellError(column, f"{value} is far too big.")
    return number


def _date(row: dict[str, str], column: str) -> date:
    value = row[column]
    if not value:
        raise CellError(column, "This is empty. Enter the date as YYYY-MM-DD, like 2025-03-14.")
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise CellError(
            column, f"{quoted(value)} is not a date as YYYY-MM-DD. Enter it like 2025-03-14."
        ) from None


def _time(row: dict[str, str], column: str) -> time:
    value = row[column]
    if not value:
        raise CellError(column, "This is empty. Enter a 24-hour time as HH:MM, like 09:30.")
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise CellError(
            column, f"{quoted(value)} is not a time as HH:MM. Enter a 24-hour time, like 09:30."
        )
    return time(int(match[1]), int(match[2]))


def london_datetime(day: date, clock: time, column: str) -> datetime:
    """The moment a UK wall-clock time names. A time the clocks skip in March does not exist; a
    time that happens twice in October is taken as the first (still summer time)."""
    moment = datetime.combine(day, clock, tzinfo=LONDON)
    round_trip = moment.astimezone(UTC).astimezone(LONDON)
    if (round_trip.hour, round_trip.minute) != (clock.hour, clock.minute):
        raise CellError(
            column,
            f"{clock:%H:%M} on {day:%-d %B %Y} does not exist in the UK: the clocks go forward "
            "an hour that night. Enter the time as the clocks showed it.",
        )
    # In UTC: an aware time in the repeated October hour never compares equal to one in another
    # zone (PEP 495), which would make a re-import look like a change.
    return moment.astimezone(UTC)


def _email(row: dict[str, str], column: str) -> str:
    value = _required(row, column, max_length=254)
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(
            column, f"{quoted(value)} is not an email address. Enter one like name@example.org."
        ) from None
    return value


def _chunks(values: Iterable, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _regions() -> dict[str, Region]:
    return {region.name.lower(): region for region in Region.objects.all()}


def _region_named(
    regions: dict[str, Region], row: dict[str, str], column: str = "region"
) -> Region:
    value = _required(row, column, max_length=100)
    region = regions.get(value.lower())
    if region is None:
        known = ", ".join(sorted(r.name for r in regions.values())[:10]) or "none yet"
        raise CellError(
            column,
            f"There is no region called {quoted(value)}. Regions: {known}. "
            "Import the workforce file first to add regions.",
        )
    return region


def _when(moment: datetime) -> str:
    local = timezone.localtime(moment, LONDON)
    return f"{local:%a %-d %b %Y %H:%M}"


# The importers. Each checks every row first, only reading (a bounded number of queries however
# many rows), and builds a plan; `apply` writes the plan.


class Importer:
    kind: ImportKind

    def __init__(self, *, by: User | None = None):
        self.by = by
        self.changes: list[RowChange] = []
        self.errors: list[RowError] = []

    def check(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        raise NotImplementedError

    def apply(self) -> None:
        raise NotImplementedError

    def cell_error(self, number: int, error: CellError) -> None:
        self.errors.append(RowError(number, error.column, error.message))

    def report(self, number: int, read: CellReader) -> bool:
        """Record the row's problems; whether it had any."""
        for error in read.errors:
            self.cell_error(number, error)
        return bool(read.errors)


@dataclass
class _TeamPlan:
    number: int
    region_name: str
    team_name: str
    headcount: int
    action: str


class WorkforceImporter(Importer):
    kind = WORKFORCE

    def check(self, rows):
        regions = _regions()
        teams = {
            (team.region.name.lower(), team.name.lower()): team
            for team in Team.objects.select_related("region")
        }
        seen: dict[tuple[str, str], int] = {}
        self.plans: list[_TeamPlan] = []
        for number, row in rows:
            read = CellReader()
            region_name = read(_required, row, "region", max_length=100)
            team_name = read(_required, row, "team", max_length=200)
            headcount = read(_whole_number, row, "headcount", minimum=0, example="25")
            key = (region_name.lower(), team_name.lower()) if region_name and team_name else None
            if key in seen:
                read.error(
                    "team",
                    f"{quoted(team_name)} in {quoted(region_name)} is already on row "
                    f"{seen[key]}. Keep one row per team.",
                )
            if self.report(number, read):
                continue
            seen[key] = number
            region = regions.get(region_name.lower())
            team = teams.get(key)
            what = f"{team.name if team else team_name} ({region.name if region else region_name})"
            if team is None:
                details = ("new region",) if region is None else ()
                change = RowChange(number, "create", f"{what}: headcount {headcount}", details)
            elif team.workforce_headcount != headcount:
                change = RowChange(
                    number,
                    "update",
                    what,
                    (f"headcount {team.workforce_headcount} → {headcount}",),
                )
            else:
                change = RowChange(number, "unchanged", f"{what}: headcount {headcount}")
            self.changes.append(change)
            self.plans.append(_TeamPlan(number, region_name, team_name, headcount, change.action))

    def apply(self):
        for plan in self.plans:
            if plan.action != "unchanged":
                team_upsert(
                    region_name=plan.region_name, team_name=plan.team_name, headcount=plan.headcount
                )


SESSION_FIELDS = (
    "course_version",
    "starts_at",
    "ends_at",
    "region",
    "room",
    "is_online",
    "phase",
    "capacity",
    "status",
)


@dataclass
class _SessionPlan:
    number: int
    code: str
    values: dict
    new_course_title: str  # set when the course has to be created
    existing: TrainingSession | None
    action: str


class SessionsImporter(Importer):
    kind = SESSIONS

    def check(self, rows):
        now = timezone.now()
        regions = _regions()
        codes = [row["code"] for _, row in rows if row["code"]]
        existing = {}
        for chunk in _chunks(set(codes)):
            existing.update(
                (session.code, session)
                for session in TrainingSession.objects.filter(code__in=chunk).select_related(
                    "course_version__course", "region", "room__venue"
                )
            )
        titles = {row["course"].lower() for _, row in rows if row["course"]}
        courses: dict[str, Course] = {}
        for chunk in _chunks(titles):
            courses.update(
                (course.title.lower(), course)
                for course in Course.objects.annotate(title_lower=Lower("title")).filter(
                    title_lower__in=chunk
                )
            )
        versions = self._usable_versions(courses.values())
        venues = {
            (venue.region_id, venue.name.lower()): venue
            for venue in Venue.objects.prefetch_related("rooms")
        }
        # Sessions still to come never share a room (DESIGN.md §4): every room held from now on,
        # in one read; a session the file itself changes is held where its row puts it.
        in_file = set(codes)
        rooms_held: dict[int, list[tuple[datetime, datetime, str]]] = {}
        for room_id, held_code, held_from, held_to in TrainingSession.objects.filter(
            status__in=BOOKED_STATUSES, ends_at__gt=now, room__isnull=False
        ).values_list("room_id", "code", "starts_at", "ends_at"):
            if held_code not in in_file:
                rooms_held.setdefault(room_id, []).append((held_from, held_to, held_code))
        people_on = self._people_on([session.pk for session in existing.values()])
        seen_codes: dict[str, int] = {}
        self.plans: list[_SessionPlan] = []
        for number, row in rows:
            read = CellReader()
            code = read(_required, row, "code", max_length=40)
            if code is not None and code in seen_codes:
                read.error(
                    "code",
                    f"The code {quoted(code)} is already on row {seen_codes[code]} of this "
                    "file. Each session needs its own code.",
                )
            elif code is not None:
                seen_codes[code] = number
            title = read(_required, row, "course", max_length=200)
            day = read(_date, row, "date")
            start = read(_time, row, "start")
            end = read(_time, row, "end")
            region = read(_region_named, regions, row)
            phase = read(_choice, row, "phase", TrainingSession.Phase.values)
            capacity = read(_whole_number, row, "capacity", minimum=1, example="12")
            status = read(_choice, row, "status", TrainingSession.Status.values)
            starts_at = ends_at = None
            if day is not None and start is not None:
                starts_at = read(london_datetime, day, start, "start")
            if day is not None and end is not None:
                ends_at = read(london_datetime, day, end, "end")
            if starts_at and ends_at and ends_at <= starts_at:
                read.error(
                    "end",
                    f"The session ends at {end:%H:%M}, which is not after it starts "
                    f"({start:%H:%M}). Sessions start and end on the same day.",
                )
            if starts_at and status == TrainingSession.Status.DELIVERED and starts_at > now:
                read.error(
                    "status",
                    f"The session on {day:%Y-%m-%d} has not happened yet, so it cannot be "
                    "delivered. Enter planned or confirmed.",
                )
            room, is_online = None, False
            venue_name = row["venue"]
            if venue_name.lower() == ONLINE:
                is_online = True
            elif venue_name and region is not None:
                venue = venues.get((region.pk, venue_name.lower()))
                if venue is None:
                    read.error(
                        "venue",
                        f"There is no venue called {quoted(venue_name)} in {region.name}. "
                        "Add the venue first, write Online, or leave this empty.",
                    )
                else:
                    room = self._room_for(venue, capacity)
                    if room is None:
                        read.error(
                            "venue",
                            f"{venue.name} has no rooms yet. Add a room to it first, or "
                            "leave this empty.",
                        )
            session = existing.get(code) if code else None
            version, new_title = None, ""
            if title is not None:
                course = courses.get(title.lower())
                if (
                    session is not None
                    and course is not None
                    and (session.course_version.course_id == course.pk)
                ):
                    # A session keeps the version it was delivered with.
                    version = session.course_version
                elif course is not None:
                    version = versions.get(course.pk)
                    if version is None:
                        read.error(
                            "course",
                            f"The course {quoted(course.title)} has no published or pilot "
                            "version yet. Publish a version of it first.",
                        )
                else:
                    new_title = title
            holds_room = (
                starts_at is not None
                and starts_at > now
                and ends_at is not None
                and status in BOOKED_STATUSES
            )
            if holds_room and room is not None:
                clash = next(
                    (
                        held
                        for held in rooms_held.get(room.pk, [])
                        if held[0] < ends_at and held[1] > starts_at
                    ),
                    None,
                )
                if clash is not None:
                    read.error(
                        "venue",
                        f"{room.name} at {venue_name} is already booked for session {clash[2]} "
                        f"({_when(clash[0])}). Choose another venue or time.",
                    )
            on_it = people_on.get(session.pk, "") if session is not None else ""
            if on_it and None not in (starts_at, ends_at, status, capacity):
                column = self._people_facing_change(
                    session,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    room=room,
                    is_online=is_online,
                    status=status,
                    capacity=capacity,
                )
                if column and (session.starts_at > now or starts_at > now):
                    read.error(
                        column,
                        f"Session {code} is still to come and has people on it ({on_it}), so "
                        "an import cannot change its time, place, places or status: nobody "
                        "would be told. Change it on the session's page, or leave this row "
                        "as the session is now.",
                    )
            if self.report(number, read):
                continue
            if holds_room and room is not None:
                rooms_held.setdefault(room.pk, []).append((starts_at, ends_at, code))
            values = {
                "course_version": version,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "region": region,
                "room": room,
                "is_online": is_online,
                "phase": phase,
                "capacity": capacity,
                "status": status,
            }
            course_title = version.course.title if version else new_title
            ends = timezone.localtime(ends_at, LONDON)
            what = f"{code}: {course_title}, {_when(starts_at)}–{ends:%H:%M}"
            if session is None:
                details = (f"new course {quoted(new_title)}",) if new_title else ()
                action = "create"
            else:
                details = self._differences(session, values, new_title)
                action = "update" if details else "unchanged"
            self.changes.append(RowChange(number, action, what, details))
            self.plans.append(_SessionPlan(number, code, values, new_title, session, action))

    @staticmethod
    def _usable_versions(courses: Iterable[Course]) -> dict[int, CourseVersion]:
        """Each course's newest published version, or failing that its newest pilot version."""
        rank = {CourseVersion.Status.PUBLISHED: 0, CourseVersion.Status.PILOT: 1}
        best: dict[int, CourseVersion] = {}
        pks = [course.pk for course in courses]
        for chunk in _chunks(pks):
            for version in CourseVersion.objects.filter(
                course__in=chunk, status__in=list(rank)
            ).select_related("course"):
                current = best.get(version.course_id)
                if current is None or (rank[version.status], -version.number) < (
                    rank[current.status],
                    -current.number,
                ):
                    best[version.course_id] = version
        return best

    @staticmethod
    def _people_on(session_pks: list[int]) -> dict[int, str]:
        """'2 learners, 1 trainer' for each session someone is booked, waiting or invited on."""
        learners: dict[int, int] = {}
        trainers: dict[int, int] = {}
        for chunk in _chunks(session_pks):
            learners.update(
                Registration.objects.filter(session__in=chunk)
                .exclude(status=Registration.Status.CANCELLED)
                .values("session")
                .annotate(n=Count("pk"))
                .values_list("session", "n")
            )
            trainers.update(
                TrainerAssignment.objects.filter(session__in=chunk, status__in=HOLDING_STATUSES)
                .values("session")
                .annotate(n=Count("pk"))
                .values_list("session", "n")
            )
        people = {}
        for pk in set(learners) | set(trainers):
            counts = [(learners.get(pk, 0), "learner"), (trainers.get(pk, 0), "trainer")]
            people[pk] = ", ".join(f"{n} {what}{'' if n == 1 else 's'}" for n, what in counts if n)
        return people

    @staticmethod
    def _people_facing_change(
        session: TrainingSession,
        *,
        starts_at: datetime,
        ends_at: datetime,
        room: Room | None,
        is_online: bool,
        status: str,
        capacity: int,
    ) -> str:
        """The column of the first change the people on a session would need to be told about,
        or '' when there is none."""
        if timezone.localtime(session.starts_at, LONDON).date() != (
            timezone.localtime(starts_at, LONDON).date()
        ):
            return "date"
        if session.starts_at != starts_at:
            return "start"
        if session.ends_at != ends_at:
            return "end"
        if (session.room_id, session.is_online) != (room.pk if room else None, is_online):
            return "venue"
        if session.status != status:
            return "status"
        if session.capacity != capacity:
            return "capacity"
        return ""

    @staticmethod
    def _room_for(venue: Venue, capacity: int | None) -> Room | None:
        """The venue's first room (by name) that holds the session, else its largest."""
        rooms = sorted(venue.rooms.all(), key=lambda room: room.name.lower())
        if not rooms:
            return None
        fitting = [room for room in rooms if capacity is None or room.capacity >= capacity]
        return fitting[0] if fitting else max(rooms, key=lambda room: room.capacity)

    @staticmethod
    def _differences(session: TrainingSession, values: dict, new_title: str) -> tuple[str, ...]:
        details = []
        for name in SESSION_FIELDS:
            old, new = getattr(session, name), values[name]
            if name == "course_version" and new_title:
                details.append(f"course {session.course_version.course.title} → {new_title}")
            elif old != new:
                if name in ("starts_at", "ends_at"):
                    old, new = _when(old), _when(new)
                elif name == "room":
                    old, new = old or "no room", new or "no room"
                label = TrainingSession._meta.get_field(name).verbose_name
                details.append(f"{label} {old} → {new}")
        return tuple(details)

    def apply(self):
        created_courses: dict[str, CourseVersion] = {}
        for plan in self.plans:
            if plan.action == "unchanged":
                continue
            values = dict(plan.values)
            if plan.new_course_title:
                key = plan.new_course_title.lower()
                if key not in created_courses:
                    created_courses[key] = _imported_course(plan.new_course_title)
                values["course_version"] = created_courses[key]
            if plan.existing is None:
                TrainingSession.objects.create(code=plan.code, coordinator=self.by, **values)
            else:
                session = plan.existing
                for name, value in values.items():
                    setattr(session, name, value)
                session.save()


def _imported_course(title: str) -> CourseVersion:
    """A course named in an import that is not in Coproduce yet: a published version 1 with no
    outcomes (only imports may publish a version without outcomes), for coordinators to fill in."""
    course = Course.objects.create(title=title)
    return CourseVersion.objects.create(
        course=course,
        number=1,
        status=CourseVersion.Status.PUBLISHED,
        aims="Imported",
        published_at=timezone.now(),
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


class AttendanceImporter(Importer):
    kind = ATTENDANCE

    def check(self, rows):
        now = timezone.now()
        regions = _regions()
        teams = {(team.region_id, team.name.lower()): team for team in Team.objects.all()}
        sessions: dict[str, TrainingSession] = {}
        for chunk in _chunks({row["session_code"] for _, row in rows if row["session_code"]}):
            sessions.update(
                (session.code, session)
                for session in TrainingSession.objects.filter(code__in=chunk).select_related(
                    "course_version__course"
                )
            )
        emails = {row["email"].lower() for _, row in rows if row["email"]}
        participants: dict[str, Participant] = {}
        for chunk in _chunks(emails):
            participants.update(
                (participant.email.lower(), participant)
                for participant in Participant.objects.annotate(email_lower=Lower("email")).filter(
                    email_lower__in=chunk
                )
            )
        registrations: dict[tuple[int, int], Registration] = {}
        participant_pks = [participant.pk for participant in participants.values()]
        for session_chunk in _chunks([session.pk for session in sessions.values()]):
            for participant_chunk in _chunks(participant_pks):
                registrations.update(
                    ((registration.session_id, registration.participant_id), registration)
                    for registration in Registration.objects.filter(
                        session__in=session_chunk, participant__in=participant_chunk
                    )
                )
        places_taken = self._places_taken(
            [session for session in sessions.values() if session.starts_at > now]
        )
        self.new_participants: dict[str, _NewParticipant] = {}
        self.participants = participants
        self.plans: list[_RegistrationPlan] = []
        seen: dict[tuple[int, str], tuple[int, str]] = {}
        for number, row in rows:
            read = CellReader()
            code = read(_required, row, "session_code", max_length=40)
            session = sessions.get(code) if code else None
            if code and session is None:
                read.error(
                    "session_code",
                    f"No session has the code {quoted(code)}. Import the sessions first, "
                    "or check the code.",
                )
            name = read(_required, row, "name", max_length=200)
            email = read(_email, row, "email")
            participant_type = read(_choice, row, "participant_type", ParticipantType.values)
            region = team = None
            if row["region"]:
                region = read(_region_named, regions, row)
            if row["team"]:
                if not row["region"]:
                    read.error("region", "The team is given, so give its region too.")
                elif region is not None:
                    team = teams.get((region.pk, row["team"].lower()))
                    if team is None:
                        read.error(
                            "team",
                            f"There is no team called {quoted(row['team'])} in "
                            f"{region.name}. Import the workforce file first, or leave the "
                            "team empty.",
                        )
            attended = read(_choice, row, "attended", ["yes", "partly", "no"])
            status = None
            if session is not None and attended is not None:
                if session.status == TrainingSession.Status.CANCELLED:
                    read.error(
                        "session_code",
                        f"Session {session.code} was cancelled, so nobody can be booked on it "
                        "or attend it.",
                    )
                elif attended == "no":
                    status = (
                        Registration.Status.NO_SHOW
                        if session.status == TrainingSession.Status.DELIVERED
                        else Registration.Status.BOOKED
                    )
                elif session.starts_at > now:
                    read.error(
                        "attended",
                        f"Session {session.code} has not happened yet "
                        f"({_when(session.starts_at)}), so only “no” (a booking) can be recorded "
                        "for it.",
                    )
                else:
                    status = ATTENDED[attended]
            key = (session.pk, email.lower()) if session and email else None
            if key and key in seen and status and seen[key][1] != status:
                read.error(
                    "attended",
                    f"Row {seen[key][0]} already gives a different attendance for "
                    f"{email} at {session.code}. Keep one row per person per session.",
                )
            if self.report(number, read):
                continue
            email_key = email.lower()
            participant = participants.get(email_key)
            if participant is None and email_key not in self.new_participants:
                self.new_participants[email_key] = _NewParticipant(
                    email, name, participant_type, team, region
                )
            who = (
                participant.full_name if participant else self.new_participants[email_key].full_name
            )
            what = f"{who} ({email}) at {session.code}: {Registration.Status(status).label.lower()}"
            if key in seen:
                # The same person twice for the same session (emails differing only in case).
                self.changes.append(
                    RowChange(number, "unchanged", what, (f"same as row {seen[key][0]}",))
                )
                continue
            seen[key] = (number, status)
            existing = registrations.get((session.pk, participant.pk)) if participant else None
            if existing is None:
                details = ("new person",) if participant is None else ()
                action = "create"
            elif existing.status != status:
                details = (
                    f"{Registration.Status(existing.status).label.lower()} → "
                    f"{Registration.Status(status).label.lower()}",
                )
                action = "update"
            else:
                details, action = (), "unchanged"
            if (
                session.starts_at > now
                and status in HOLDS_A_PLACE
                and (existing is None or existing.status not in HOLDS_A_PLACE)
            ):
                places_taken[session.pk] = places_taken.get(session.pk, 0) + 1
                if places_taken[session.pk] > session.capacity:
                    self.cell_error(
                        number,
                        CellError(
                            "session_code",
                            f"Session {session.code} has {session.capacity} places and they "
                            "are all taken: this booking would be one too many.",
                        ),
                    )
                    continue
            self.changes.append(RowChange(number, action, what, details))
            self.plans.append(
                _RegistrationPlan(number, session, email_key, status, existing, action)
            )

    @staticmethod
    def _places_taken(sessions: list[TrainingSession]) -> dict[int, int]:
        taken: dict[int, int] = {}
        for chunk in _chunks([session.pk for session in sessions]):
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


IMPORTERS: dict[str, type[Importer]] = {
    WORKFORCE.key: WorkforceImporter,
    SESSIONS.key: SessionsImporter,
    ATTENDANCE.key: AttendanceImporter,
}


def import_check(
    *, kind: str, content: bytes | str, by: User | None = None
) -> tuple[Importer, ImportResult]:
    """Read and check a file without writing anything: the importer holding the plan, and the
    result with every change it would make and every problem."""
    importer = IMPORTERS[kind](by=by)
    result = ImportResult(kind=KINDS[kind], dry_run=True)
    rows, errors = read_rows(content, KINDS[kind])
    result.rows = len(rows) + sum(1 for error in errors if error.row and error.row > 1)
    result.errors.extend(errors)
    if rows and not any(error.row in (None, 1) for error in errors):
        importer.check(rows)
    result.errors.extend(importer.errors)
    headers = KINDS[kind].headers
    result.errors.sort(
        key=lambda error: (
            error.row or 0,
            headers.index(error.column) if error.column in headers else -1,
        )
    )
    result.changes = sorted(importer.changes, key=lambda change: change.row)
    return importer, result
