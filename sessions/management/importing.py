"""What the three import commands share: read a file, check it, apply it unless --dry-run."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sessions.imports import KINDS
from sessions.services import csv_import_run


class ImportCommand(BaseCommand):
    """Import a CSV file, all or nothing. Exit code 1, with every problem printed, when any row
    is bad. Sends no message to anyone."""

    kind: str

    def add_arguments(self, parser: CommandParser) -> None:
        headers = ",".join(KINDS[self.kind].headers)
        parser.add_argument("file", type=Path, help=f"A UTF-8 CSV file with the header {headers}")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would change, without saving anything.",
        )

    def handle(self, *args, file: Path, dry_run: bool, verbosity: int, **options) -> None:
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from error
        result = csv_import_run(kind=self.kind, content=content, dry_run=dry_run)
        if result.errors:
            for problem in result.errors:
                self.stderr.write(str(problem))
            count = len(result.errors)
            raise CommandError(
                f"{count} problem{'' if count == 1 else 's'} in {file.name}; nothing was imported.",
                returncode=1,
            )
        if verbosity > 1:
            for change in result.to_change:
                action = "Add" if change.action == "create" else "Change"
                details = f" ({'; '.join(change.details)})" if change.details else ""
                self.stdout.write(f"Row {change.row}: {action} {change.what}{details}")
        if dry_run:
            self.stdout.write(f"Dry run, nothing saved. {file.name}: {result.summary}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {file.name}: {result.summary}."))
