"""The roles a person may hold. They sit in core so that every layer, down to the audit trail's
and notifications' pages, can name them without importing people."""

from django.db import models


class Role(models.TextChoices):
    """Roles held through Django groups; a person may hold several. Admin is `is_superuser`."""

    COORDINATOR = "coordinator", "Coordinator"
    TRAINER = "trainer", "Trainer"
    TEAM_LEAD = "team_lead", "Team lead"
    MANAGER = "manager", "Manager"
