"""The sessions import: sessions by code, with their course, day and times in UK time, region,
venue (a room of it is chosen) or online, phase, places and status. A course the file names that
is not in Coproduce yet is created, published with no outcomes. A row may not move, re-place,
resize or change the status of a session still to come with people on it, nor book a room
another session holds."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import cast

from django.db.models import Count, Field
from django.db.models.functions import Lower
from django.utils import timezone

from core.csvimport import (
    CellReader,
    Importer,
    ImportKind,
    RowChange,
    cell_choice,
    cell_date,
    cell_required,
    cell_time,
    cell_whole_number,
    chunks,
    london_datetime,
    quoted,
)
from core.dates import LONDON
from people.imports import region_named, regions_by_name
from people.models import Region
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

ONLINE = "online"

SESSIONS = ImportKind(
    "sessions",
    "Sessions",
    ("code", "course", "date", "start", "end", "region", "venue", "phase", "capacity", "status"),
)


def uk_when(moment: datetime) -> str:
    """A moment as the UK's clocks show it, for messages: "Fri 14 Mar 2025 09:30"."""
    local = timezone.localtime(moment, LONDON)
    return f"{local:%a %-d %b %Y %H:%M}"


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


@dataclass
class _SessionRow:
    """A row's cells as read (a cell with a problem reads as None) and what they name: the
    session with the row's code, its moments in UTC, its room and its course version."""

    code: str | None
    title: str | None
    day: date | None
    start: time | None
    end: time | None
    region: Region | None
    phase: str | None
    capacity: int | None
    status: str | None
    venue_name: str
    session: TrainingSession | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    room: Room | None = None
    is_online: bool = False
    version: CourseVersion | None = None
    new_title: str = ""  # set when the course has to be created


class SessionsImporter(Importer):
    kind = SESSIONS

    def check(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        self._look_up(rows)
        self.plans: list[_SessionPlan] = []
        for number, row in rows:
            read = CellReader()
            cells = self._read_cells(read, row)
            self._check_code_once(read, number, cells)
            self._check_times(read, cells)
            self._find_room(read, cells)
            self._find_version(read, cells)
            self._check_room_free(read, cells)
            self._check_people_on(read, cells)
            if self.report(number, read):
                continue
            self._plan(number, cells)

    def _look_up(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        """Everything the rows are checked against, in a bounded number of queries however many
        rows: regions, the sessions and courses the file names, venues and the rooms held."""
        self.now = timezone.now()
        self.regions = regions_by_name()
        codes = [row["code"] for _, row in rows if row["code"]]
        self.existing: dict[str, TrainingSession] = {}
        for chunk in chunks(set(codes)):
            self.existing.update(
                (session.code, session)
                for session in TrainingSession.objects.filter(code__in=chunk).select_related(
                    "course_version__course", "region", "room__venue"
                )
            )
        titles = {row["course"].lower() for _, row in rows if row["course"]}
        self.courses: dict[str, Course] = {}
        for chunk in chunks(titles):
            self.courses.update(
                (course.title.lower(), course)
                for course in Course.objects.annotate(title_lower=Lower("title")).filter(
                    title_lower__in=chunk
                )
            )
        self.versions = self._usable_versions(self.courses.values())
        self.venues = {
            (venue.region_id, venue.name.lower()): venue
            for venue in Venue.objects.prefetch_related("rooms")
        }
        self.rooms_held = self._rooms_held(in_file=set(codes))
        self.people_on = self._people_on([session.pk for session in self.existing.values()])
        # Each code's row in the file.
        self.seen_codes: dict[str, int] = {}

    def _rooms_held(self, *, in_file: set[str]) -> dict[int, list[tuple[datetime, datetime, str]]]:
        """Each room's bookings from now on, as (start, end, session code)."""
        # Sessions still to come never share a room (docs/domain.md#sessions-and-scheduling):
        # every room held from now on, in one read; a session the file itself changes is held
        # where its row puts it.
        rooms_held: dict[int, list[tuple[datetime, datetime, str]]] = {}
        for room_id, held_code, held_from, held_to in TrainingSession.objects.filter(
            status__in=BOOKED_STATUSES, ends_at__gt=self.now, room__isnull=False
        ).values_list("room_id", "code", "starts_at", "ends_at"):
            if held_code not in in_file:
                rooms_held.setdefault(room_id, []).append((held_from, held_to, held_code))
        return rooms_held

    def _read_cells(self, read: CellReader, row: dict[str, str]) -> _SessionRow:
        code = read(cell_required, row, "code", max_length=40)
        return _SessionRow(
            code=code,
            title=read(cell_required, row, "course", max_length=200),
            day=read(cell_date, row, "date"),
            start=read(cell_time, row, "start"),
            end=read(cell_time, row, "end"),
            region=read(region_named, self.regions, row),
            phase=read(cell_choice, row, "phase", TrainingSession.Phase.values),
            capacity=read(cell_whole_number, row, "capacity", minimum=1, example="12"),
            status=read(cell_choice, row, "status", TrainingSession.Status.values),
            venue_name=row["venue"],
            session=self.existing.get(code) if code else None,
        )

    def _check_code_once(self, read: CellReader, number: int, cells: _SessionRow) -> None:
        """Each session has one row: the first row with a code keeps it."""
        code = cells.code
        if code is not None and code in self.seen_codes:
            read.error(
                "code",
                f"The code {quoted(code)} is already on row {self.seen_codes[code]} of this "
                "file. Each session needs its own code.",
            )
        elif code is not None:
            self.seen_codes[code] = number

    def _check_times(self, read: CellReader, cells: _SessionRow) -> None:
        """The session's start and end as moments, ending after it starts, and delivered only
        once it has happened."""
        day, start, end = cells.day, cells.start, cells.end
        if day is not None and start is not None:
            cells.starts_at = read(london_datetime, day, start, "start")
        if day is not None and end is not None:
            cells.ends_at = read(london_datetime, day, end, "end")
        starts_at, ends_at = cells.starts_at, cells.ends_at
        if starts_at and ends_at and ends_at <= starts_at:
            read.error(
                "end",
                f"The session ends at {end:%H:%M}, which is not after it starts "
                f"({start:%H:%M}). Sessions start and end on the same day.",
            )
        if starts_at and cells.status == TrainingSession.Status.DELIVERED and starts_at > self.now:
            read.error(
                "status",
                f"The session on {day:%Y-%m-%d} has not happened yet, so it cannot be "
                "delivered. Enter planned or confirmed.",
            )

    def _find_room(self, read: CellReader, cells: _SessionRow) -> None:
        """Online, a room of a venue in the session's region, or no place yet."""
        venue_name, region = cells.venue_name, cells.region
        if venue_name.lower() == ONLINE:
            cells.is_online = True
        elif venue_name and region is not None:
            venue = self.venues.get((region.pk, venue_name.lower()))
            if venue is None:
                read.error(
                    "venue",
                    f"There is no venue called {quoted(venue_name)} in {region.name}. "
                    "Add the venue first, write Online, or leave this empty.",
                )
            else:
                cells.room = self._room_for(venue, cells.capacity)
                if cells.room is None:
                    read.error(
                        "venue",
                        f"{venue.name} has no rooms yet. Add a room to it first, or "
                        "leave this empty.",
                    )

    def _find_version(self, read: CellReader, cells: _SessionRow) -> None:
        """The course version the session is of, or the title of a course to create."""
        title, session = cells.title, cells.session
        if title is not None:
            course = self.courses.get(title.lower())
            if (
                session is not None
                and course is not None
                and (session.course_version.course_id == course.pk)
            ):
                # A session keeps the version it was delivered with.
                cells.version = session.course_version
            elif course is not None:
                cells.version = self.versions.get(course.pk)
                if cells.version is None:
                    read.error(
                        "course",
                        f"The course {quoted(course.title)} has no published or pilot "
                        "version yet. Publish a version of it first.",
                    )
            else:
                cells.new_title = title

    def _room_booking(self, cells: _SessionRow) -> tuple[Room, datetime, datetime] | None:
        """The room the row puts its session in, and from when to when, if the session is still
        to come and planned or confirmed; None when it holds no room."""
        room, starts_at, ends_at = cells.room, cells.starts_at, cells.ends_at
        if (
            starts_at is not None
            and starts_at > self.now
            and ends_at is not None
            and cells.status in BOOKED_STATUSES
            and room is not None
        ):
            return room, starts_at, ends_at
        return None

    def _check_room_free(self, read: CellReader, cells: _SessionRow) -> None:
        """No other session still to come holds the room at an overlapping time."""
        booking = self._room_booking(cells)
        if booking is not None:
            room, starts_at, ends_at = booking
            clash = next(
                (
                    held
                    for held in self.rooms_held.get(room.pk, [])
                    if held[0] < ends_at and held[1] > starts_at
                ),
                None,
            )
            if clash is not None:
                read.error(
                    "venue",
                    f"{room.name} at {cells.venue_name} is already booked for session "
                    f"{clash[2]} ({uk_when(clash[0])}). Choose another venue or time.",
                )

    def _check_people_on(self, read: CellReader, cells: _SessionRow) -> None:
        """A session still to come with people on it keeps its time, place, places and status."""
        session, starts_at, ends_at = cells.session, cells.starts_at, cells.ends_at
        status, capacity = cells.status, cells.capacity
        on_it = self.people_on.get(session.pk, "") if session is not None else ""
        if (
            on_it
            and session is not None
            and starts_at is not None
            and ends_at is not None
            and status is not None
            and capacity is not None
        ):
            column = self._people_facing_change(
                session,
                starts_at=starts_at,
                ends_at=ends_at,
                room=cells.room,
                is_online=cells.is_online,
                status=status,
                capacity=capacity,
            )
            if column and (session.starts_at > self.now or starts_at > self.now):
                read.error(
                    column,
                    f"Session {cells.code} is still to come and has people on it ({on_it}), so "
                    "an import cannot change its time, place, places or status: nobody "
                    "would be told. Change it on the session's page, or leave this row "
                    "as the session is now.",
                )

    def _plan(self, number: int, cells: _SessionRow) -> None:
        """What a good row changes: a new session, its differences, or nothing."""
        code, starts_at = cells.code, cells.starts_at
        if code is None or starts_at is None:
            # Never: a row is planned only when every cell was read and it has no problem.
            raise ValueError(f"Row {number} was planned with its code or start unread.")
        booking = self._room_booking(cells)
        if booking is not None:
            room, booked_from, booked_to = booking
            self.rooms_held.setdefault(room.pk, []).append((booked_from, booked_to, code))
        values = {
            "course_version": cells.version,
            "starts_at": cells.starts_at,
            "ends_at": cells.ends_at,
            "region": cells.region,
            "room": cells.room,
            "is_online": cells.is_online,
            "phase": cells.phase,
            "capacity": cells.capacity,
            "status": cells.status,
        }
        course_title = cells.version.course.title if cells.version else cells.new_title
        ends = timezone.localtime(cells.ends_at, LONDON)
        what = f"{code}: {course_title}, {uk_when(starts_at)}–{ends:%H:%M}"
        session, new_title = cells.session, cells.new_title
        details: tuple[str, ...]
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
        rank: dict[str, int] = {CourseVersion.Status.PUBLISHED: 0, CourseVersion.Status.PILOT: 1}
        best: dict[int, CourseVersion] = {}
        pks = [course.pk for course in courses]
        for chunk in chunks(pks):
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
        for chunk in chunks(session_pks):
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
                    old, new = uk_when(old), uk_when(new)
                elif name == "room":
                    old, new = old or "no room", new or "no room"
                # SESSION_FIELDS are the model's own fields, never a relation's other side.
                field = cast(Field, TrainingSession._meta.get_field(name))
                label = field.verbose_name
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
