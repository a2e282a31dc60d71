"""Working days in England and Wales: weekdays that are not bank holidays."""

from datetime import date

import pytest

from core.workdays import is_working_day, working_day_back, working_days_between


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 4), True),  # a Friday
        (date(2026, 12, 5), False),  # a Saturday
        (date(2026, 12, 6), False),  # a Sunday
        (date(2026, 12, 25), False),  # Christmas Day, a Friday
        (date(2026, 12, 28), False),  # Boxing Day falls on a Saturday: the Monday is off
        (date(2026, 12, 29), True),
        (date(2027, 3, 29), False),  # Easter Monday
    ],
)
def test_a_day_is_a_working_day_unless_a_weekend_or_a_bank_holiday(day, working):
    assert is_working_day(day) is working


def test_working_days_between_count_after_the_start_up_to_and_including_the_end():
    assert working_days_between(date(2026, 12, 7), date(2026, 12, 7)) == 0
    assert working_days_between(date(2026, 12, 7), date(2026, 12, 11)) == 4
    assert working_days_between(date(2026, 12, 4), date(2026, 12, 7)) == 1  # over a weekend


def test_working_days_between_skip_christmas_bank_holidays():
    # Wed 23 to Wed 30 December 2026: Thu 24, Tue 29, Wed 30 (Fri 25 and Mon 28 are holidays).
    assert working_days_between(date(2026, 12, 23), date(2026, 12, 30)) == 3


def test_counting_back_starts_on_the_day_itself_when_it_is_a_working_day():
    assert working_day_back(date(2026, 12, 30), 1) == date(2026, 12, 30)
    assert working_day_back(date(2026, 12, 30), 3) == date(2026, 12, 24)
    assert working_day_back(date(2026, 12, 27), 1) == date(2026, 12, 24)  # a Sunday
