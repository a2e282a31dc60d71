"""The notification log and its sending.

Delivery guarantee: every queued message is sent at least once. A sender claims the row with a
lease (a conditional UPDATE, committed at once), sends with no transaction open and the SMTP
timeout set, then marks it sent in one UPDATE (retried once on a fresh connection). Only when
the database is lost between the server's "accepted" and that UPDATE is it sent again, once the
lease has expired, with the same Message-ID (`<notification-{pk}-{key[:16]}@{domain}>`), so a
mail client or server recognises the repeat.

Retries: a failed attempt waits RETRY_DELAYS (1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h, 24 h:
about two days in all), kept in `next_attempt_at`, which beat's sweep reads each minute; after
the last the message is failed, shown to coordinators at /notifications/failed/ to re-send. A
recipient the server refuses for good (a 5xx reply) fails at once, with the server's reason.
"""

import hashlib
import logging
from datetime import datetime, timedelta
from email.utils import parseaddr
from smtplib import SMTPException, SMTPRecipientsRefused
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, connection, models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator

from audit.services import audit_record
from core.handoff import task_hand_off
from core.text import one_line
from notifications.audit_actions import NotificationAction
from notifications.models import SUBJECT_LENGTH, Notification

logger = logging.getLogger(__name__)

# Errors worth trying again later: the mail server is away, refused for now or timed out.
DELIVERY_ERRORS = (SMTPException, OSError)

# How long to wait after each failed attempt; after the last one the message is failed.
RETRY_DELAYS: tuple[timedelta, ...] = tuple(
    timedelta(minutes=minutes) for minutes in (1, 5, 15, 60, 180, 360, 720, 1440)
)
# A send is a handful of SMTP steps, each bounded by EMAIL_TIMEOUT: the claim outlasts them all.
LEASE_TIMEOUTS = 10
# A row published to the broker and not yet taken by a worker is not published again for this
# long (a lost broker message is replaced after it; a worker's claim clears the mark).
HAND_OFF_GRACE = timedelta(minutes=5)


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
    """Record a message in the log and send it once it is due; queuing it again is a no-op.

    The subject is made one line (a line break in a name or title would make every send fail
    as a header injection) and cut to the column's length (titles and names run to 200
    characters, so "Your place on <title>, <day>" may not fit, and PostgreSQL refused it)."""
    due_at = due_at or timezone.now()
    subject = Truncator(one_line(subject)).chars(SUBJECT_LENGTH)
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
                next_attempt_at=None,
                recipient_user=recipient_user,
                subject=subject,
                template=template,
                context=context or {},
                ics=ics,
            )
        )
        notification.refresh_from_db()
    if created and due_at <= timezone.now():
        # A broker outage must not fail the request: the row stays queued for the sweep.
        transaction.on_commit(lambda: notification_hand_off(notification_id=notification.pk))
    return notification


def notification_cancel_for(*, related: models.Model, kind: str | None) -> int:
    """Cancel the queued messages of a kind about an object, or of every kind with `kind=None`
    (said explicitly, so a forgotten kind is a TypeError rather than everything cancelled); sent
    ones stay sent. Returns how many were cancelled."""
    # A conditional UPDATE. A message being sent right now (claimed) is cancelled too: if the
    # server takes it, it is marked sent, which is what happened; if not, it stays cancelled.
    queued = Notification.objects.filter(
        related_type=ContentType.objects.get_for_model(related),
        related_id=related.pk,
        status=Notification.Status.QUEUED,
    )
    if kind is not None:
        queued = queued.filter(kind=kind)
    return queued.update(status=Notification.Status.CANCELLED)


def message_id(notification: Notification) -> str:
    """The same Message-ID every time this row is sent, so a repeat is recognisable."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    domain = domain or urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}-{notification.key[:16]}@{domain}>"


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
        headers={"Message-ID": message_id(notification)},
    )
    message.attach_alternative(
        render_to_string(f"{notification.template}.html", context), "text/html"
    )
    if notification.ics:
        message.attach(
            "invite.ics", notification.ics, "text/calendar; charset=utf-8; method=REQUEST"
        )
    return message


def _claimable(now: datetime) -> models.QuerySet[Notification]:
    """Queued, due, its next try come, and nobody sending it now."""
    return Notification.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        status=Notification.Status.QUEUED,
        due_at__lte=now,
    )


def _lease() -> timedelta:
    return timedelta(seconds=(settings.EMAIL_TIMEOUT or 60) * LEASE_TIMEOUTS)


def _refused_for_good(error: Exception) -> bool:
    """The server refused the recipient with a permanent (5xx) reply: no mailbox there, say.
    Retrying for two days would change nothing. (A 5xx about the sender or the sign-in is ours
    to mend, so those are retried.)"""
    return (
        isinstance(error, SMTPRecipientsRefused)
        and bool(error.recipients)
        and all(code >= 500 for code, _ in error.recipients.values())
    )


def _describe(error: Exception) -> str:
    if isinstance(error, SMTPRecipientsRefused):
        replies = "; ".join(
            f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for code, reply in error.recipients.values()
        )
        return f"{type(error).__name__}: {replies}"
    if isinstance(error, DELIVERY_ERRORS):
        return f"{type(error).__name__}: {error}"
    # A fault of ours (a template, a link): its text may quote what was being rendered, a
    # link's token say, and coordinators read this on the failed-email page.
    return f"{type(error).__name__}: a fault in Coproduce, not the mail server"


def _attempt_failed(notification: Notification, error: Exception) -> Notification:
    """Record a failed attempt: the next try's time, or failed after the last one (or at once
    when the server refused the recipient for good)."""
    now = timezone.now()
    final = notification.attempts > len(RETRY_DELAYS) or _refused_for_good(error)
    notification.last_error = _describe(error)[:500]
    notification.claimed_until = None
    if final:
        notification.status = Notification.Status.FAILED
        notification.next_attempt_at = None
    else:
        notification.next_attempt_at = now + RETRY_DELAYS[notification.attempts - 1]
    # Only while still queued: a message cancelled meanwhile stays cancelled.
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.QUEUED).update(
        status=notification.status,
        last_error=notification.last_error,
        next_attempt_at=notification.next_attempt_at,
        claimed_until=None,
    )
    # Neither the address nor the server's answer (which may quote it) goes to the log.
    logger.warning(
        "notification %s (%s) not sent, attempt %s: %s%s",
        notification.pk,
        notification.kind,
        notification.attempts,
        type(error).__name__,
        "; failed for good" if final else "",
    )
    return notification


def _mark_sent(notification: Notification) -> None:
    """One UPDATE right after the server took the message; once more on a fresh connection
    if the database dropped in between, which narrows the window for a repeat to that drop."""
    now = timezone.now()
    for retry in (False, True):
        try:
            Notification.objects.filter(pk=notification.pk).exclude(
                status=Notification.Status.SENT
            ).update(
                status=Notification.Status.SENT,
                sent_at=now,
                last_error="",
                next_attempt_at=None,
                claimed_until=None,
            )
        except DatabaseError:
            if retry or connection.in_atomic_block:
                raise
            logger.warning("notification %s sent; marking it sent again on a new connection",
                           notification.pk)  # fmt: skip
            connection.close()
        else:
            break
    notification.status, notification.sent_at = Notification.Status.SENT, now


def notification_send(*, notification_id: int) -> Notification | None:
    """Send a due, queued notification and mark it sent; a second call sends nothing.

    No transaction is open while the mail goes out: the row is claimed with a lease first. A
    delivery error records the attempt and the time of the next one (see RETRY_DELAYS); the
    result is the notification, or None when there was nothing to send."""
    now = timezone.now()
    claimed = (
        _claimable(now)
        .filter(pk=notification_id)
        .update(
            claimed_until=now + _lease(),
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            handed_off_at=None,
        )
    )
    if not claimed:
        return None
    notification = Notification.objects.select_related("recipient_user").get(pk=notification_id)
    try:
        message = _email_for(notification)
        message.send()
    except DELIVERY_ERRORS as exc:
        return _attempt_failed(notification, exc)
    except Exception as exc:
        # A fault of ours (a template, say): recorded and retried like any other, and raised.
        _attempt_failed(notification, exc)
        raise
    _mark_sent(notification)
    logger.info("notification %s (%s) sent", notification.pk, notification.kind)
    return notification


def notification_due_ids() -> list[int]:
    """Queued notifications whose time (or next try) has come and that are not already waiting
    in the broker, oldest first."""
    now = timezone.now()
    return list(
        _claimable(now)
        .filter(Q(handed_off_at__isnull=True) | Q(handed_off_at__lt=now - HAND_OFF_GRACE))
        .order_by("due_at")
        .values_list("pk", flat=True)[:500]
    )


def notification_hand_off(*, notification_id: int) -> bool:
    """Publish the row to the broker unless it is already waiting there; False only when the
    broker could not take it (the mark is cleared, so the next sweep tries again)."""
    from notifications.tasks import send_notification  # tasks import this module

    now = timezone.now()
    marked = (
        Notification.objects.filter(pk=notification_id, status=Notification.Status.QUEUED)
        .filter(Q(handed_off_at__isnull=True) | Q(handed_off_at__lt=now - HAND_OFF_GRACE))
        .update(handed_off_at=now)
    )
    if not marked:
        return True  # already in the broker (or no longer queued): nothing to publish
    if task_hand_off(send_notification, notification_id):
        return True
    Notification.objects.filter(pk=notification_id, handed_off_at=now).update(handed_off_at=None)
    return False


@transaction.atomic
def notification_resend(*, notification: Notification, by, request=None) -> Notification:
    """Queue a failed message again with a fresh set of retries; it goes after commit."""
    updated = Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.FAILED
    ).update(
        status=Notification.Status.QUEUED,
        attempts=0,
        next_attempt_at=None,
        claimed_until=None,
        handed_off_at=None,
    )
    if not updated:
        raise ValidationError("Only a message that failed can be sent again.")
    notification.refresh_from_db()
    audit_record(
        action=NotificationAction.NOTIFICATION_RESENT,
        actor=by,
        obj=notification,
        changes={"status": (Notification.Status.FAILED, Notification.Status.QUEUED)},
        request=request,
    )
    transaction.on_commit(lambda: notification_hand_off(notification_id=notification.pk))
    return notification
