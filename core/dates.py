"""Dates and times as people in the programme read them. Everything is stored in UTC and
entered and shown in UK time (Europe/London, the project's TIME_ZONE), whatever zone the server
runs in; days are written out ("Saturday 5 December 2026") so nobody reads 05/12 as May."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format

LONDON = ZoneInfo("Europe/London")

DAY = "j F Y"  # 5 December 2026
WEEKDAY_DAY = "l j F Y"  # Saturday 5 December 2026


def uk_local(moment: datetime) -> datetime:
    """`moment` on the UK clock."""
    return timezone.localtime(moment, LONDON)


def uk_day(moment: datetime) -> str:
    """The UK day `moment` falls on, e.g. "5 December 2026"."""
    return date_format(uk_local(moment), DAY)


def uk_weekday(moment: datetime) -> str:
    """The UK day `moment` falls on with its weekday, e.g. "Saturday 5 December 2026"."""
    return date_format(uk_local(moment), WEEKDAY_DAY)
