"""What people record in the audit trail; registered in PeopleConfig.ready()."""

from django.db import models


class RoleAction(models.TextChoices):
    """A person's roles changed, through the service or the Django admin."""

    ROLES_CHANGED = "roles_changed", "Roles changed"


class SecondFactorAction(models.TextChoices):
    """Two-step sign-in set up, failed, replaced or reset."""

    SECOND_FACTOR_ADDED = "second_factor_added", "Two-step sign-in set up"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Wrong two-step sign-in code"
    SECOND_FACTOR_REPLACED = "second_factor_replaced", "Two-step sign-in authenticator replaced"
    SECOND_FACTOR_RESET = "second_factor_reset", "Two-step sign-in reset by an admin"
