"""Days as people in the programme read them: UK days, written out, whatever zone is active."""

from datetime import UTC, datetime

from django.utils import timezone

from core.dates import uk_day, uk_weekday


def test_a_moment_late_on_a_summer_evening_in_utc_is_the_next_uk_day():
    # 23:30 UTC on 30 June 2026 is 00:30 BST on 1 July.
    moment = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)

    assert uk_day(moment) == "1 July 2026"
    assert uk_weekday(moment) == "Wednesday 1 July 2026"


def test_the_uk_day_does_not_follow_another_active_zone():
    moment = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)

    with timezone.override("Pacific/Auckland"):
        assert uk_day(moment) == "5 December 2026"
        assert uk_weekday(moment) == "Saturday 5 December 2026"
