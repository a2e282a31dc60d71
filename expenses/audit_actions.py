"""What expenses record in the audit trail; registered in ExpensesConfig.ready()."""

from django.db import models


class ExpenseAction(models.TextChoices):
    CLAIM_STATUS_CHANGED = "claim_status_changed", "Expense claim moved on"
    MILEAGE_RATE_ADDED = "mileage_rate_added", "Mileage rate added"
    TRAVEL_STATUS_CHANGED = "travel_status_changed", "Travel request moved on"
    FEE_RATE_SET = "fee_rate_set", "Standard fee rate set"
    FEE_RECORDED = "fee_recorded", "Trainer's fee recorded"
    FEE_STATUS_CHANGED = "fee_status_changed", "Trainer's fee moved on"
