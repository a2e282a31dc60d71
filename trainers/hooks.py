"""What apps above trainers plug into it (declared with core.hooks; docs/architecture.md#hooks).

Trainers sit below sessions and cannot import them, so whatever trainers need to know about
sessions, or must let sessions react to, goes through these hooks. The sessions app connects
its listeners in SessionsConfig.ready().
"""

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple

from core.hooks import hook
from people.models import User
from trainers.models import Certification, Trainer


class BookingCounts(NamedTuple):
    """What one bookings listener knows about a time window."""

    # Trainers already booked on something that overlaps the window.
    busy: frozenset[int] = frozenset()
    # Sessions each trainer has in the calendar month (UK time) the window starts in.
    this_month: Mapping[int, int] = MappingProxyType({})


@hook(required=True)
def bookings(*, starts_at: datetime, ends_at: datetime) -> BookingCounts:
    """Who is already booked around a window, and how many sessions each has that month.

    Fired by trainers.selectors.trainers_available ("who can deliver on this date"), which adds
    up every listener's counts. Listener: sessions (sessions.selectors.session_bookings).
    Required: with no listener everybody would look free, so `manage.py check` refuses to run
    without one (core.E001).
    """


@hook()
def certification_changed(*, certification: Certification, by: User) -> None:
    """A certification's expiry date was corrected; runs inside the same transaction.

    Fired by trainers.services.certification_expiry_update. Listener: sessions
    (sessions.services.sessions_on_certification_changed), which plans again any confirmed
    session the trainer leads that is no longer service-user-led.
    """


@hook()
def trainer_left(*, trainer: Trainer, by: User | None) -> None:
    """A trainer left the programme (`by` is None when they left themselves); runs inside the
    same transaction.

    Fired by trainers.services.trainer_leave. Listener: sessions
    (sessions.services.assignments_on_trainer_left), which takes them off sessions still to
    come and tells the coordinators.
    """
