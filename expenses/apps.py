from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    """Trainers' expense claims, mileage rates and fees; above sessions, beside evaluations."""

    name = "expenses"
    verbose_name = "Expenses"

    def ready(self) -> None:
        from audit.actions import action_register
        from expenses.audit_actions import ExpenseAction

        action_register(ExpenseAction, position=90)

        from people.models import Role
        from people.navigation import MenuEntry, menu_register

        menu_register(
            MenuEntry("My expenses", "expenses:claim-list", roles=(Role.TRAINER,), position=265),
        )

        # Sessions cannot name expenses: "Claim expenses for this session" comes through its
        # page-links hook.
        from expenses.links import claim_links_on_session
        from sessions.hooks import session_links

        session_links.connect(claim_links_on_session)
        coordinator = (Role.COORDINATOR,)
        menu_register(
            MenuEntry("Expense claims", "expenses:review-queue", roles=coordinator, position=450),
            MenuEntry("Mileage rates", "expenses:rate-list", roles=coordinator, position=460),
            MenuEntry(
                "Expense totals",
                "expenses:totals",
                roles=(Role.COORDINATOR, Role.MANAGER),
                position=470,
            ),
            MenuEntry(
                "Travel requests",
                "expenses:travel-requests",
                roles=(Role.COORDINATOR,),
                position=640,
            ),
            MenuEntry(
                "My travel", "expenses:travel-list-mine", roles=(Role.TRAINER,), position=650
            ),
        )
