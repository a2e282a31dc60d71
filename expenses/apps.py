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
            MenuEntry("Fee rates", "expenses:fee-rates", roles=(Role.COORDINATOR,), position=370),
            MenuEntry("My earnings", "expenses:my-earnings", roles=(Role.TRAINER,), position=370),
        )

        from expenses.costs import session_extra_costs_from_expenses
        from sessions.hooks import session_extra_costs

        session_extra_costs.connect(session_extra_costs_from_expenses)
