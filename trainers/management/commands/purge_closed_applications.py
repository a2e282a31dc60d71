from django.core.management.base import BaseCommand

from trainers.services import application_purge_closed


class Command(BaseCommand):
    help = (
        "Delete declined and withdrawn applications 12 months after they closed, as the "
        "application form promises. Safe to run as often as you like (e.g. daily)."
    )

    def handle(self, *args, **options) -> None:
        deleted = application_purge_closed()
        self.stdout.write(f"Deleted {deleted} closed application(s).")
