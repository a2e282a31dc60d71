"""What apps above trainers plug into it. Trainers sit below sessions and cannot import them, so
each hook here is a list that a higher app appends a function to in its AppConfig.ready() (the
sessions app registers all three). trainers.selectors and trainers.services still export them
under their old names."""

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple

from people.models import User
from trainers.models import Certification, Trainer

# "Who can deliver on this date" needs to know who is already booked, which only the sessions app
# knows. Sessions sit above trainers, so trainers cannot import them: instead the sessions app
# appends a function to BOOKINGS in its AppConfig.ready(). Each function is called with the
# session's start and end and returns a BookingCounts. With nothing registered nobody is busy.
# Read by trainers.selectors.trainers_available.


class BookingCounts(NamedTuple):
    """What one bookings hook knows about a time window."""

    # Trainers already booked on something that overlaps the window.
    busy: frozenset[int] = frozenset()
    # Sessions each trainer has in the calendar month (UK time) the window starts in.
    this_month: Mapping[int, int] = MappingProxyType({})


BOOKINGS: list[Callable[[datetime, datetime], BookingCounts]] = []

# Apps above trainers register here what must follow a corrected expiry date, inside the same
# transaction (sessions re-checks the sessions the trainer leads): called with the
# certification and who changed it. Fired by trainers.services.certification_expiry_update.
CERTIFICATION_CHANGED: list[Callable[[Certification, User], None]] = []
# What must also happen, inside the same transaction, when a trainer leaves the programme (the
# sessions app takes them off sessions still to come). Called with the trainer and who did it.
# Fired by trainers.services.trainer_leave.
TRAINER_LEFT: list[Callable[[Trainer, User | None], None]] = []
