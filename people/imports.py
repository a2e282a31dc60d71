"""The workforce import: teams and their headcounts, by region, from a coordinator's spreadsheet,
checked by the CSV import engine (core/csvimport.py). Regions and teams are matched by name in
any case, a new team's region is created with it, and importing the same file again changes
nothing. Also the region lookups the other imports share: every imported row names its region.
"""

from dataclasses import dataclass

from core.csvimport import (
    CellError,
    CellReader,
    Importer,
    ImportKind,
    RowChange,
    cell_required,
    cell_whole_number,
    quoted,
)
from people.models import Region, Team
from people.services import team_upsert

WORKFORCE = ImportKind(
    "workforce", "Workforce: teams and their headcounts", ("region", "team", "headcount")
)


def regions_by_name() -> dict[str, Region]:
    """Every region, by its name in lower case."""
    return {region.name.lower(): region for region in Region.objects.all()}


def region_named(regions: dict[str, Region], row: dict[str, str], column: str = "region") -> Region:
    """The region a cell names, in any case; a cell reader, used as `read(region_named, ...)`."""
    value = cell_required(row, column, max_length=100)
    region = regions.get(value.lower())
    if region is None:
        known = ", ".join(sorted(r.name for r in regions.values())[:10]) or "none yet"
        raise CellError(
            column,
            f"There is no region called {quoted(value)}. Regions: {known}. "
            "Import the workforce file first to add regions.",
        )
    return region


@dataclass(frozen=True)
class _TeamRow:
    """A row's cells as read: a cell with a problem reads as None, and its row is reported,
    never planned."""

    region_name: str
    team_name: str
    headcount: int

    @property
    def key(self) -> tuple[str, str] | None:
        """The team whatever the case of its names; None unless both names were read."""
        if self.region_name and self.team_name:
            return (self.region_name.lower(), self.team_name.lower())
        return None


@dataclass
class _TeamPlan:
    number: int
    region_name: str
    team_name: str
    headcount: int
    action: str


class WorkforceImporter(Importer):
    kind = WORKFORCE

    def check(self, rows: list[tuple[int, dict[str, str]]]) -> None:
        self._look_up()
        for number, row in rows:
            read = CellReader()
            cells = self._read_cells(read, row)
            self._check_once(read, cells)
            if self.report(number, read):
                continue
            self._plan(number, cells)

    def _look_up(self) -> None:
        """What the rows are matched to, in two queries: the regions and the teams, by name."""
        self.regions = regions_by_name()
        self.teams = {
            (team.region.name.lower(), team.name.lower()): team
            for team in Team.objects.select_related("region")
        }
        # Each team's row in the file, by key.
        self.seen: dict[tuple[str, str], int] = {}
        self.plans: list[_TeamPlan] = []

    @staticmethod
    def _read_cells(read: CellReader, row: dict[str, str]) -> _TeamRow:
        return _TeamRow(
            region_name=read(cell_required, row, "region", max_length=100),
            team_name=read(cell_required, row, "team", max_length=200),
            headcount=read(cell_whole_number, row, "headcount", minimum=0, example="25"),
        )

    def _check_once(self, read: CellReader, cells: _TeamRow) -> None:
        """A team may have only one row."""
        if cells.key in self.seen:
            read.error(
                "team",
                f"{quoted(cells.team_name)} in {quoted(cells.region_name)} is already on row "
                f"{self.seen[cells.key]}. Keep one row per team.",
            )

    def _plan(self, number: int, cells: _TeamRow) -> None:
        """What a good row changes: a new team, a new headcount, or nothing."""
        key = (cells.region_name.lower(), cells.team_name.lower())
        self.seen[key] = number
        region = self.regions.get(cells.region_name.lower())
        team = self.teams.get(key)
        name = team.name if team else cells.team_name
        what = f"{name} ({region.name if region else cells.region_name})"
        if team is None:
            details = ("new region",) if region is None else ()
            change = RowChange(number, "create", f"{what}: headcount {cells.headcount}", details)
        elif team.workforce_headcount != cells.headcount:
            change = RowChange(
                number,
                "update",
                what,
                (f"headcount {team.workforce_headcount} → {cells.headcount}",),
            )
        else:
            change = RowChange(number, "unchanged", f"{what}: headcount {cells.headcount}")
        self.changes.append(change)
        self.plans.append(
            _TeamPlan(number, cells.region_name, cells.team_name, cells.headcount, change.action)
        )

    def apply(self):
        for plan in self.plans:
            if plan.action != "unchanged":
                team_upsert(
                    region_name=plan.region_name, team_name=plan.team_name, headcount=plan.headcount
                )
