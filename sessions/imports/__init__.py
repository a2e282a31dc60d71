"""CSV imports for coordinators moving from spreadsheets: workforce, sessions and attendance.

Files are read and checked by the CSV import engine (core/csvimport.py), which says how rows,
headers, encodings, dates and times are read and how problems are reported. The workforce
importer is the people app's (people/imports.py); the sessions and attendance importers are here,
one module each, and `kinds` lists every import with its importer. Callers import from here;
`sessions.services.csv_import_run` runs an import in one transaction and applies the plan only
when every row is good (all or nothing).

* Importing the same file again changes nothing: rows are matched to what is already there
  (teams by region and name, sessions by code, people by email in any case, registrations by
  session and person) and only differences are written.
* Nothing here sends a message to anyone: records are written directly, not through the services
  that email learners and trainers. So a sessions row may not change the time, place, places or
  status of a session still to come that has people on it (learners booked or waiting, trainers
  invited or on it): their reminders would not move, nobody would be told and no clash with the
  trainers' other sessions would be checked. That is refused, row-numbered; the session's page
  does it properly.
"""

from core.csvimport import Importer, ImportKind, ImportResult, RowError
from people.imports import WORKFORCE, WorkforceImporter
from sessions.imports.attendance import ATTENDANCE, AttendanceImporter
from sessions.imports.kinds import IMPORTERS, KINDS, MAX_IMPORT_BYTES, import_check
from sessions.imports.sessions import SESSIONS, SessionsImporter

__all__ = [
    "ATTENDANCE",
    "IMPORTERS",
    "KINDS",
    "MAX_IMPORT_BYTES",
    "SESSIONS",
    "WORKFORCE",
    "AttendanceImporter",
    "ImportKind",
    "ImportResult",
    "Importer",
    "RowError",
    "SessionsImporter",
    "WorkforceImporter",
    "import_check",
]
