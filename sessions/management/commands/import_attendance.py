from sessions.management.importing import ImportCommand


class Command(ImportCommand):
    help = "Import attendance from a CSV file, all or nothing."
    kind = "attendance"
