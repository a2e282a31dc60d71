"""Demo data. People seed the logins; higher apps add their own demo data through the
people.hooks.demo_seed hook (connected in their AppConfig.ready) so this low layer never imports
them."""

from people.models import Role, User
from people.services import team_upsert, user_create, user_roles_set

DEMO_PASSWORD = "coproduce-demo-2026"  # noqa: S105 (printed on purpose; DEBUG only)

DEMO_TEAMS = {
    "Manchester": [("Community Mental Health Team North", 42), ("Inpatient Ward Team", 35)],
    "London": [("Early Intervention Team", 28), ("Crisis Resolution Team", 31)],
}

DEMO_LOGINS = [
    ("coordinator@example.org", "Casey Coordinator", [Role.COORDINATOR], False),
    ("trainer@example.org", "Taylor Trainer", [Role.TRAINER], False),
    ("teamlead@example.org", "Lee Teamlead", [Role.TEAM_LEAD], False),
    ("manager@example.org", "Morgan Manager", [Role.MANAGER], False),
    ("admin@example.org", "Alex Admin", [], True),
]


def seed_people() -> None:
    """Regions, teams with headcounts, and one login per role."""
    for region, teams in DEMO_TEAMS.items():
        for team, headcount in teams:
            team_upsert(region_name=region, team_name=team, headcount=headcount)
    for email, name, roles, is_admin in DEMO_LOGINS:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user_create(
                email=email,
                full_name=name,
                password=DEMO_PASSWORD,
                roles=roles,
                is_superuser=is_admin,
            )
        else:
            user_roles_set(user=user, roles=roles)
