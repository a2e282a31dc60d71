"""What notifications record in the audit trail; registered in NotificationsConfig.ready()."""

from django.db import models


class NotificationAction(models.TextChoices):
    NOTIFICATION_RESENT = "notification_resent", "Failed email sent again"
