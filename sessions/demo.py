"""Demo data for sessions: a published course with two outcomes, a venue in Manchester and a
planned session next week. No registrations, so seeding sends nobody an email."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from core.dates import LONDON
from people.models import Region, User
from sessions.models import Course, TrainingSession, Venue
from sessions.services import (
    activity_add,
    course_create,
    course_version_publish,
    outcome_add,
    room_add,
    session_create,
    venue_create,
)

OUTCOMES = [
    (
        "Understand what helps and what harms, from people who have been there",
        "Hearing lived experience: two trainers' stories",
        45,
    ),
    (
        "Plan one change in how your team involves the people it supports",
        "Small groups: more of, less of, stop doing",
        40,
    ),
]


def seed_sessions() -> None:
    coordinator = User.objects.get(email="coordinator@example.org")
    course = Course.objects.filter(title="Recovery and lived experience").first()
    if course is None:
        version = course_create(
            title="Recovery and lived experience",
            aims="Staff learn from people with lived experience what supports recovery.",
        )
        for text, activity, minutes in OUTCOMES:
            outcome = outcome_add(version=version, text=text)
            activity_add(outcome=outcome, title=activity, duration_minutes=minutes)
        course_version_publish(version=version, by=coordinator)
        course = version.course
    manchester = Region.objects.get(name="Manchester")
    venue = Venue.objects.filter(name="Friends Meeting House", region=manchester).first()
    if venue is None:
        venue = venue_create(
            name="Friends Meeting House",
            address="6 Mount Street, Manchester M2 5NS",
            region=manchester,
            accessibility="Step-free entrance, lift to all floors, accessible toilet, quiet room.",
        )
        room_add(venue=venue, name="Main hall", capacity=30, hire_cost=Decimal("120.00"))
    first_version = course.versions.first()  # course_create made it, with the course
    if first_version is not None and not TrainingSession.objects.exists():
        day = timezone.localdate() + timedelta(days=7)
        starts_at = datetime.combine(day, time(10, 0), tzinfo=LONDON)
        session_create(
            course_version=first_version,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            capacity=20,
            region=manchester,
            room=venue.rooms.first(),
            by=coordinator,
        )
