"""What apps above people plug into it (declared with core.hooks; docs/architecture.md#hooks)."""

from core.hooks import hook


@hook()
def demo_seed() -> None:
    """Add an app's demo data; must be safe to run again (`make run` seeds on every start).

    Fired by `manage.py seed_demo` (people/management/commands/seed_demo.py) inside one
    transaction, after people's own regions, teams and logins exist, in the order the listeners
    were connected. Listeners, connected in each app's AppConfig.ready(): trainers
    (trainers.demo.seed_trainers), sessions (sessions.demo.seed_sessions) and evaluations
    (evaluations.services.standard_form_seed).
    """
