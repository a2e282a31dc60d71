from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    """Trainers' expense claims, travel booked for them, mileage and fee rates, fees and
    earnings; above sessions, beside evaluations."""

    name = "expenses"
    verbose_name = "Expenses"

    def ready(self) -> None:
        from audit.actions import action_register
        from expenses.audit_actions import ExpenseAction
        from expenses.links import claim_links_on_session
        from expenses.selectors import session_extra_costs_from_expenses
        from people.models import Role
        from people.navigation import MenuEntry, menu_register
        from sessions.hooks import session_extra_costs, session_links

        action_register(ExpenseAction, position=90)
        coordinator, trainer = (Role.COORDINATOR,), (Role.TRAINER,)
        menu_register(
            MenuEntry("My expenses", "expenses:claim-list", roles=trainer, position=265),
            MenuEntry("My travel", "expenses:travel-list-mine", roles=trainer, position=266),
            MenuEntry("My earnings", "expenses:my-earnings", roles=trainer, position=267),
            MenuEntry("Expense claims", "expenses:review-queue", roles=coordinator, position=450),
            MenuEntry(
                "Travel requests", "expenses:travel-requests", roles=coordinator, position=455
            ),
            MenuEntry("Mileage rates", "expenses:rate-list", roles=coordinator, position=460),
            MenuEntry("Fee rates", "expenses:fee-rates", roles=coordinator, position=465),
            MenuEntry(
                "Expense totals",
                "expenses:totals",
                roles=(Role.COORDINATOR, Role.MANAGER),
                position=470,
            ),
        )
        # Sessions cannot name expenses: "Claim expenses for this session" and the trainers'
        # expenses and fees on a session's costs come through its hooks.
        session_links.connect(claim_links_on_session)
        session_extra_costs.connect(session_extra_costs_from_expenses)
