"""The CSV import engine: reading a file a spreadsheet wrote and checking it row by row, for any
importer (the importers live with what they import).

An `Importer` checks every row first, only reading, and builds a plan; its caller applies the
plan in one transaction only when every row is good (all or nothing). `import_file_check` reads
a file, has the importer check it and collects every problem.

* Row numbers are the ones a spreadsheet shows: the header is row 1, the first data row is row 2.
  Every bad row is reported, each with its column and a message a person understands.
* The header row must name exactly the columns of the kind (any order, any case).
* The file must be UTF-8, with or without a byte order mark. Dates are YYYY-MM-DD, times HH:MM in
  Europe/London.
* Cells are data. Nothing here builds HTML; pages show messages and values escaped.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.dates import LONDON

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

# Longer values are shortened when a message quotes them.
QUOTED_CHARS = 60
LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str
    headers: tuple[str, ...]


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

    def __init__(self) -> None:
        self.errors: list[CellError] = []

    def __call__(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except CellError as error:
            self.errors.append(error)
            return None

    def error(self, column: str, message: str) -> None:
        self.errors.append(CellError(column, message))


def cell_required(row: dict[str, str], column: str, *, max_length: int | None = None) -> str:
    value = row[column]
    if not value:
        raise CellError(column, f"This is empty; every row needs a {column.replace('_', ' ')}.")
    if max_length is not None and len(value) > max_length:
        raise CellError(column, f"This is {len(value)} characters; the most is {max_length}.")
    return value


def cell_choice(row: dict[str, str], column: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    value = row[column].lower().replace(" ", "_").replace("-", "_")
    if value in choices:
        return value
    listed = ", ".join(choices[:-1]) + f" or {choices[-1]}"
    if not row[column]:
        raise CellError(column, f"This is empty. Enter {listed}.")
    raise CellError(column, f"{quoted(row[column])} is not one of the choices. Enter {listed}.")


def cell_whole_number(row: dict[str, str], column: str, *, minimum: int, example: str) -> int:
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


def cell_date(row: dict[str, str], column: str) -> date:
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


def cell_time(row: dict[str, str], column: str) -> time:
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


def cell_email(row: dict[str, str], column: str) -> str:
    value = cell_required(row, column, max_length=254)
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(
            column, f"{quoted(value)} is not an email address. Enter one like name@example.org."
        ) from None
    return value


def chunks(values: Iterable, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


# The importers. Each checks every row first, only reading (a bounded number of queries however
# many rows), and builds a plan; `apply` writes the plan.


class Importer:
    """Checks the rows of one kind of file (`check`), collecting changes and errors, and writes
    the plan it made (`apply`)."""

    kind: ImportKind

    def __init__(self, *, by: "AbstractBaseUser | None" = None):
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


def import_file_check(*, importer: Importer, content: bytes | str) -> ImportResult:
    """Read and check a file without writing anything: the result with every change `importer`
    would make and every problem, in row and column order. The importer keeps the plan."""
    kind = importer.kind
    result = ImportResult(kind=kind, dry_run=True)
    rows, errors = read_rows(content, kind)
    result.rows = len(rows) + sum(1 for error in errors if error.row and error.row > 1)
    result.errors.extend(errors)
    if rows and not any(error.row in (None, 1) for error in errors):
        importer.check(rows)
    result.errors.extend(importer.errors)
    headers = kind.headers
    result.errors.sort(
        key=lambda error: (
            error.row or 0,
            headers.index(error.column) if error.column in headers else -1,
        )
    )
    result.changes = sorted(importer.changes, key=lambda change: change.row)
    return result
