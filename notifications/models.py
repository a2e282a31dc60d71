from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

# Subjects are cut to this (notifications.services.notification_queue).
SUBJECT_LENGTH = 200


class Notification(models.Model):
    """One message to one person, sent at most once: the key is unique per
    (kind, related object, recipient, due time)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    key = models.CharField(max_length=64, unique=True, editable=False)
    kind = models.CharField(max_length=60)
    recipient_email = models.EmailField()
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    related_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    subject = models.CharField(max_length=SUBJECT_LENGTH)
    # Template name without extension: `<template>.txt` and `<template>.html` are rendered at
    # send time. Context holds only plain, non-secret values; links with tokens are built by
    # template tags when the message is sent, so no token is ever stored here.
    template = models.CharField(max_length=200)
    context = models.JSONField(default=dict, blank=True)
    ics = models.TextField("calendar attachment", blank=True)
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # The retry state lives here, not in the broker: the sweep tries a queued message again once
    # this time has passed (empty: as soon as it is due).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A sender claims the row until this time and sends with no transaction open; a claim that
    # outlives its sender (a crashed worker) simply expires.
    claimed_until = models.DateTimeField(null=True, blank=True)
    # When the row was last published to the broker and no worker has taken it since: the sweep
    # leaves it alone for HAND_OFF_GRACE, so a slow worker's backlog is not published again
    # each minute.
    handed_off_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_at"]
        indexes = [
            models.Index(fields=["related_type", "related_id"]),
            models.Index(fields=["status", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_status_display()})"
