"""Calendar feeds: a person's secret calendar address and the iCal text served at it."""

from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import (
    Prefetch,
    Q,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from people.models import Role, User
from sessions.ics import calendar_document, session_event
from sessions.models import (
    CalendarFeed,
    TrainerAssignment,
    TrainingSession,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# A feed holds the sessions from a month ago to a year ahead: enough for a calendar app, and a
# bounded amount of work however long someone has been with the programme.
FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 365
FEED_ROLES = (Role.TRAINER, Role.COORDINATOR)


def calendar_feed_for(*, user: User) -> CalendarFeed | None:
    """The person's calendar address, if they have made one."""
    return CalendarFeed.objects.filter(user=user).first()


def _session_page_url(session: TrainingSession, user: User) -> str:
    """Coordinators open the session's own page; trainers their list of sessions."""
    if user.is_coordinator:
        path = reverse("sessions:session-detail", kwargs={"pk": session.pk})
    else:
        path = reverse("sessions:my-sessions")
    return f"{settings.SITE_URL}{path}"


class FeedAssignments(TypedDict):
    feed_assignments: list[TrainerAssignment]


def _feed_description(
    session: "WithAnnotations[TrainingSession, FeedAssignments]", user: User, page_url: str
) -> str:
    """The event's description; `feed_assignments` are the person's accepted assignments on the
    session, prefetched by calendar_feed_ics."""
    lines = []
    if session.status == TrainingSession.Status.CANCELLED:
        lines.append("This session has been cancelled.")
    lines += [f"Your role: {a.get_role_display()}" for a in session.feed_assignments]
    if session.coordinator_id == user.pk:
        lines.append("You coordinate this session.")
    lines.append(f"{session.get_phase_display()} session, {session.region.name}.")
    if session.is_online:
        lines.append("Online. The joining link is never put in calendars: find it in Coproduce.")
    lines.append(f"In Coproduce: {page_url}")
    return "\n".join(lines)


def calendar_feed_ics(*, token: str) -> str:
    """The iCal text of the feed at this secret address: the sessions its owner coordinates or
    has accepted to train at, a month back to a year ahead (cancelled ones marked cancelled).

    An unknown or replaced address, or one whose owner can no longer sign in or is no longer a
    trainer or coordinator, is a 404."""
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("user"), token=token, user__is_active=True
    )
    user = feed.user
    if not user.has_role(*FEED_ROLES):
        raise Http404
    now = timezone.now()
    accepted = TrainerAssignment.objects.filter(user=user, status=TrainerAssignment.Status.ACCEPTED)
    sessions = (
        TrainingSession.objects.filter(
            starts_at__gte=now - timedelta(days=FEED_DAYS_BACK),
            starts_at__lte=now + timedelta(days=FEED_DAYS_AHEAD),
        )
        .filter(Q(pk__in=accepted.values("session")) | Q(coordinator=user))
        .select_related("course_version__course", "room__venue", "region")
        .prefetch_related(Prefetch("assignments", queryset=accepted, to_attr="feed_assignments"))
        .order_by("starts_at", "pk")
    )
    events = [
        session_event(
            session,
            uid_suffix="feed",
            description=_feed_description(session, user, _session_page_url(session, user)),
            cancelled=session.status == TrainingSession.Status.CANCELLED,
        )
        for session in sessions
    ]
    return calendar_document(events, method=None, name="Coproduce sessions")
