from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from people.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_people
from people.hooks import demo_seed
from people.models import Role


class Command(BaseCommand):
    help = "Create demo data and one login per role (development only; safe to re-run)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: it creates known passwords.")
        with transaction.atomic():
            seed_people()
            demo_seed.fire()
        self.stdout.write("Demo data ready. Sign in at /accounts/sign-in/ with:")
        for email, _name, roles, is_admin in DEMO_LOGINS:
            role = "admin" if is_admin else ", ".join(Role(r).label for r in roles)
            self.stdout.write(f"  {role:<12} {email:<26} {DEMO_PASSWORD}")
        self.stdout.write(
            "Coordinators, managers and admins set up two-step sign-in when they first sign in: "
            "choose 'Email me a code' and the code appears in the terminal where the app runs."
        )
