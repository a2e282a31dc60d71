"""Calendar feeds and imports: a person's secret calendar address, and running a CSV import in
one transaction."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from core.tokens import new_token
from people.models import User
from sessions.audit_actions import SessionAction
from sessions.imports import KINDS as IMPORT_KINDS
from sessions.imports import ImportResult, RowError, import_check
from sessions.models import CalendarFeed


@transaction.atomic
def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """Give a person a new secret calendar address (the first one, or a replacement: the old
    address stops working at once)."""
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if not created:
        feed.token = new_token()
        feed.created_at = timezone.now()
        feed.save(update_fields=["token", "created_at"])
        audit_record(action=SessionAction.CALENDAR_FEED_RENEWED, actor=user, obj=feed)
    return feed


@transaction.atomic
def csv_import_run(
    *, kind: str, content: bytes | str, dry_run: bool = True, by: User | None = None
) -> ImportResult:
    """Check a CSV file of workforce, sessions or attendance and, unless it is a dry run or any
    row is bad, write all of it (nothing at all otherwise). Sends no message to anyone."""
    if kind not in IMPORT_KINDS:
        raise ValueError(f"Unknown import: {kind!r}.")
    importer, result = import_check(kind=kind, content=content, by=by)
    result.dry_run = dry_run
    if dry_run or result.errors:
        return result
    try:
        with transaction.atomic():
            importer.apply()
    except IntegrityError:
        # The checks passed, so someone else wrote the same codes or emails meanwhile.
        result.errors.append(
            RowError(
                None,
                "",
                "Someone changed the same records while this file was being imported, so "
                "nothing was imported. Try again.",
            )
        )
        return result
    result.applied = True
    audit_record(
        action=SessionAction.IMPORT,
        actor=by,
        changes={
            "file": f"{kind}.csv",
            "rows": result.rows,
            "added": result.created,
            "changed": result.updated,
            "unchanged": result.unchanged,
        },
    )
    return result
