"""Working days in England and Wales: Monday to Friday, except bank holidays (from the
`holidays` package, which follows the government's list, substitute days included)."""

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """A weekday that is not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_days_between(start: date, end: date) -> int:
    """How many working days come after `start` up to and including `end` (0 if none)."""
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def working_day_back(day: date, n: int) -> date:
    """The `n`th working day counting back from `day`, `day` itself counting as the first
    when it is a working day."""
    found = 0
    while True:
        if is_working_day(day):
            found += 1
            if found == n:
                return day
        day -= timedelta(days=1)
