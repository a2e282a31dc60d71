from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    """Trainers' expense claims, mileage rates and fees; above sessions, beside evaluations."""

    name = "expenses"
    verbose_name = "Expenses"

    def ready(self) -> None:
        from audit.actions import action_register
        from expenses.audit_actions import ExpenseAction

        action_register(ExpenseAction, position=90)
