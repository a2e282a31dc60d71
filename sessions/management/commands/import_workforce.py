from sessions.management.importing import ImportCommand


class Command(ImportCommand):
    help = "Import workforce from a CSV file, all or nothing."
    kind = "workforce"
