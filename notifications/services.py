import hashlib
import logging
from datetime import datetime
from smtplib import SMTPException

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import Notification

logger = logging.getLogger(__name__)

# Errors worth trying again later: the mail server is away or refused for now.
DELIVERY_ERRORS = (SMTPException, OSError)


def notification_key(
    *, kind: str, related: models.Model | None, recipient_email: str, due_at: datetime
) -> str:
    """The idempotency key: the same message to the same person for the same thing and time."""
    related_part = f"{related._meta.label_lower}:{related.pk}" if related is not None else "-"
    raw = "|".join([kind, related_part, recipient_email.lower(), due_at.isoformat()])
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def notification_queue(
    *,
    kind: str,
    recipient_email: str,
    subject: str,
    template: str,
    context: dict | None = None,
    recipient_user=None,
    related: models.Model | None = None,
    due_at: datetime | None = None,
    ics: str = "",
) -> Notification:
    """Record a message in the log and send it once it is due; queuing it again is a no-op."""
    due_at = due_at or timezone.now()
    key = notification_key(
        kind=kind, related=related, recipient_email=recipient_email, due_at=due_at
    )
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "recipient_email": recipient_email,
            "recipient_user": recipient_user,
            "related_type": ContentType.objects.get_for_model(related) if related else None,
            "related_id": related.pk if related else None,
            "subject": subject,
            "template": template,
            "context": context or {},
            "ics": ics,
            "due_at": due_at,
        },
    )
    if not created and notification.status == Notification.Status.CANCELLED:
        # Cancelled, then asked for again (a reminder moved away and back to the same time): the
        # key is taken by the cancelled row, so that row is queued again, once.
        created = bool(
            Notification.objects.filter(
                pk=notification.pk, status=Notification.Status.CANCELLED
            ).update(
                status=Notification.Status.QUEUED,
                recipient_user=recipient_user,
                subject=subject,
                template=template,
                context=context or {},
                ics=ics,
            )
        )
        notification.refresh_from_db()
    if created and due_at <= timezone.now():
        from notifications.tasks import send_notification  # tasks import this module

        transaction.on_commit(lambda: send_notification.delay(notification.pk))
    return notification


def notification_cancel_for(*, related: models.Model, kind: str) -> int:
    """Cancel the queued messages of a kind about an object (sent ones stay sent); how many."""
    # A conditional UPDATE: a message being sent right now holds its row lock and is no longer
    # queued once that commits, so it is never both sent and marked cancelled.
    return Notification.objects.filter(
        related_type=ContentType.objects.get_for_model(related),
        related_id=related.pk,
        kind=kind,
        status=Notification.Status.QUEUED,
    ).update(status=Notification.Status.CANCELLED)


def _email_for(notification: Notification) -> EmailMultiAlternatives:
    context = {
        **notification.context,
        "notification": notification,
        "recipient": notification.recipient_user,
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=render_to_string(f"{notification.template}.txt", context),
        to=[notification.recipient_email],
    )
    message.attach_alternative(
        render_to_string(f"{notification.template}.html", context), "text/html"
    )
    if notification.ics:
        message.attach(
            "invite.ics", notification.ics, "text/calendar; charset=utf-8; method=REQUEST"
        )
    return message


def notification_send(*, notification_id: int, final_attempt: bool = True) -> Notification | None:
    """Send a due, queued notification and mark it sent; a second call sends nothing.

    Raises the delivery error when another attempt should follow (the task retries)."""
    with transaction.atomic():
        # The row lock is held while the mail goes out: a second delivery of the same task skips
        # the locked row, and once this commits the status is no longer queued.
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=notification_id, status=Notification.Status.QUEUED)
            .select_related("recipient_user")
            .first()
        )
        if notification is None or notification.due_at > timezone.now():
            return None
        notification.attempts += 1
        try:
            _email_for(notification).send()
        except DELIVERY_ERRORS as exc:
            notification.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            if final_attempt:
                notification.status = Notification.Status.FAILED
            notification.save(update_fields=["attempts", "last_error", "status"])
            error = exc
        else:
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
            notification.save(update_fields=["attempts", "last_error", "status", "sent_at"])
            logger.info("notification %s (%s) sent", notification.pk, notification.kind)
            return notification
    logger.warning("notification %s (%s) not sent: %s", notification.pk, notification.kind, error)
    if not final_attempt:
        raise error
    return notification


def notification_due_ids() -> list[int]:
    """Queued notifications whose time has come, oldest first."""
    return list(
        Notification.objects.filter(status=Notification.Status.QUEUED, due_at__lte=timezone.now())
        .order_by("due_at")
        .values_list("pk", flat=True)[:500]
    )
