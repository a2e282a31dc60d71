"""Every import: its kind (the file's columns) and its importer, for the import page and
commands, and `import_check`, which reads and checks a file with the right importer."""

from core.csvimport import Importer, ImportKind, ImportResult, import_file_check
from people.imports import WORKFORCE, WorkforceImporter
from people.models import User
from sessions.imports.attendance import ATTENDANCE, AttendanceImporter
from sessions.imports.sessions import SESSIONS, SessionsImporter

# A file kept between the dry run and the real import lives in the person's session: 2 MB is
# about 20,000 rows, far more than any programme's spreadsheet.
MAX_IMPORT_BYTES = 2 * 1024 * 1024
KINDS: dict[str, ImportKind] = {kind.key: kind for kind in (WORKFORCE, SESSIONS, ATTENDANCE)}


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
    return importer, import_file_check(importer=importer, content=content)
