from sessions.management.importing import ImportCommand


class Command(ImportCommand):
    help = "Import sessions from a CSV file, all or nothing."
    kind = "sessions"
