from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    """Trainers' expense claims, mileage rates and fees; above sessions, beside evaluations."""

    name = "expenses"
    verbose_name = "Expenses"
