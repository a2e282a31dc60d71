"""The schedule as a month (/schedule/month/?month=2026-12) and a week (/schedule/week/?week=
2026-W50): server-rendered tables and lists that work with a keyboard and on a phone."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import RegionFactory, TrainingSessionFactory, training_sessions_in_bulk

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONTH = reverse("sessions:schedule-month")
WEEK = reverse("sessions:schedule-week")
# Tuesday 1 December 2026, 10:00 in London.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def signed_in(client, coordinator):
    client.force_login(coordinator)
    return client


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def desktop_table(page: str) -> str:
    return page[
        page.index('<div class="d-none d-md-block">') : page.index('<div class="d-md-none">')
    ]


def phone_list(page: str) -> str:
    return page[page.index('<div class="d-md-none">') :]


def cell_of(page: str, day: int) -> str:
    """The table cell of a day of the month shown."""
    table = desktop_table(page)
    for cell in re.findall(r"<td[^>]*>.*?</td>", table, flags=re.S):
        if re.search(rf'<span class="fw-bold"[^>]*>{day}<span', cell):
            return cell
    raise AssertionError(f"no cell for day {day}")


# The month


@pytest.mark.parametrize("role", ["trainer", "team_lead", "manager", "admin_user"])
def test_only_coordinators_see_the_calendars(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(MONTH).status_code == 403
    assert client.get(WEEK).status_code == 403


def test_visitors_are_sent_to_sign_in_from_the_calendars(client):
    assert client.get(MONTH).url.startswith(reverse("login"))
    assert client.get(WEEK).url.startswith(reverse("login"))


def test_the_month_is_a_table_with_a_header_for_each_weekday(signed_in):
    page = signed_in.get(MONTH, {"month": "2026-12"}).content.decode()

    table = desktop_table(page)
    assert "<caption>Sessions in December 2026, Monday to Sunday." in table
    headers = re.findall(r'<th scope="col"><abbr title="(\w+)">', table)
    assert headers == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    # December 2026 starts on a Tuesday and ends on a Thursday: five weeks.
    assert table.count('<th scope="row">') == 5


def test_each_day_lists_its_sessions_as_links(signed_in):
    session = TrainingSessionFactory(
        course_version__course__title="Hearing voices", starts_at=at(date(2026, 12, 14), 10)
    )

    page = signed_in.get(MONTH, {"month": "2026-12"}).content.decode()

    url = reverse("sessions:session-detail", args=[session.pk])
    assert f'<a href="{url}">10:00 Hearing voices</a>' in cell_of(page, 14)
    assert url not in cell_of(page, 15)


def test_a_session_shows_on_its_uk_day(signed_in):
    # 00:30 on 1 June in London is 23:30 on 31 May in UTC.
    session = TrainingSessionFactory(starts_at=datetime(2027, 5, 31, 23, 30, tzinfo=UTC))
    url = reverse("sessions:session-detail", args=[session.pk])

    june = signed_in.get(MONTH, {"month": "2027-06"}).content.decode()
    may = signed_in.get(MONTH, {"month": "2027-05"}).content.decode()

    assert url in cell_of(june, 1)
    assert url not in may


def test_today_is_marked_as_the_current_date(signed_in):
    page = signed_in.get(MONTH).content.decode()

    assert page.count('aria-current="date"') == 1
    assert re.search(r'<span class="fw-bold" aria-current="date">1<span', cell_of(page, 1))
    assert "Today" in cell_of(page, 1)


def test_another_month_marks_no_day_as_today(signed_in):
    page = signed_in.get(MONTH, {"month": "2027-01"}).content.decode()

    assert 'aria-current="date"' not in page


def test_previous_and_next_links_keep_the_filter(signed_in):
    region = RegionFactory()

    page = signed_in.get(MONTH, {"month": "2027-01", "region": region.pk}).content.decode()

    assert f"?month=2026-12&amp;region={region.pk}" in page
    assert f"?month=2027-02&amp;region={region.pk}" in page
    assert 'Previous month<span class="visually-hidden">, December 2026</span>' in page


def test_each_week_links_to_its_week_view(signed_in):
    page = signed_in.get(MONTH, {"month": "2026-12"}).content.decode()

    assert f'{WEEK}?week=2026-W49"' in page
    assert f'{WEEK}?week=2026-W53"' in page


def test_a_busy_day_lists_four_sessions_and_links_to_the_rest(signed_in):
    for hour in range(8, 14):
        TrainingSessionFactory(starts_at=at(date(2026, 12, 14), hour))

    page = signed_in.get(MONTH, {"month": "2026-12"}).content.decode()

    cell = cell_of(page, 14)
    assert cell.count("<li") == 4
    assert "2 more on 14 December" in cell
    assert f"{reverse('sessions:schedule')}?date_from=2026-12-14&amp;date_to=2026-12-14" in cell


def test_on_a_phone_the_month_is_a_list_of_the_days_with_sessions(signed_in):
    TrainingSessionFactory(
        course_version__course__title="Hearing voices", starts_at=at(date(2026, 12, 14), 10)
    )

    phone = phone_list(signed_in.get(MONTH, {"month": "2026-12"}).content.decode())

    assert re.findall(r'<h3 class="h5"[^>]*>([^<]*)', phone) == ["Monday 14 December"]
    assert "10:00–13:00 Hearing voices" in phone


def test_an_empty_month_says_so_on_a_phone(signed_in):
    phone = phone_list(signed_in.get(MONTH, {"month": "2027-02"}).content.decode())

    assert "No sessions in February 2027." in phone


def test_cancelled_sessions_say_so_in_words(signed_in):
    TrainingSessionFactory(status="cancelled", starts_at=at(date(2026, 12, 14), 10))

    page = signed_in.get(MONTH, {"month": "2026-12"}).content.decode()

    assert "(cancelled)" in cell_of(page, 14)


def test_the_calendar_filters_by_region(signed_in):
    manchester = RegionFactory(name="Manchester")
    wanted = TrainingSessionFactory(region=manchester, starts_at=at(date(2026, 12, 14), 10))
    other = TrainingSessionFactory(starts_at=at(date(2026, 12, 14), 14))

    page = signed_in.get(MONTH, {"month": "2026-12", "region": manchester.pk}).content.decode()

    assert reverse("sessions:session-detail", args=[wanted.pk]) in page
    assert reverse("sessions:session-detail", args=[other.pk]) not in page


def test_a_bad_filter_is_shown_not_ignored(signed_in):
    TrainingSessionFactory(starts_at=at(date(2026, 12, 14), 10))

    response = signed_in.get(MONTH, {"month": "2026-12", "region": "999999"})

    assert "Choose one of the regions listed." in response.context["form"].errors["region"]
    assert "Correct the filter to see the calendar." in response.content.decode()


@pytest.mark.parametrize("asked", ["2026-13", "December", "26-12", "<script>"])
def test_a_month_that_cannot_be_read_shows_this_month_and_says_so(signed_in, asked):
    response = signed_in.get(MONTH, {"month": asked})

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["month"] == date(2026, 12, 1)
    assert "is not a month we can show" in page
    assert "<script>" not in page


def test_the_month_runs_the_same_queries_for_10_or_10000_sessions(signed_in):
    # 10,000 sessions four hours apart from 1 December: about 180 in December, 7,000 a year.
    training_sessions_in_bulk(10, first_starts_at=at(date(2026, 12, 1), 9))
    signed_in.get(MONTH)

    with CaptureQueriesContext(connection) as few:
        signed_in.get(MONTH)
    training_sessions_in_bulk(9990, first_starts_at=at(date(2026, 12, 2), 11))
    with CaptureQueriesContext(connection) as many:
        response = signed_in.get(MONTH)

    assert len(many) == len(few)
    assert sum(len(day.entries) for _, week in response.context["weeks"] for day in week) == 124


# The week


def test_the_week_lists_monday_to_sunday_with_their_sessions(signed_in):
    session = TrainingSessionFactory(
        course_version__course__title="Hearing voices", starts_at=at(date(2026, 12, 9), 10)
    )

    page = signed_in.get(WEEK, {"week": "2026-W50"}).content.decode()

    days = re.findall(r'<h2 class="h5" id="day-([\d-]+)"', page)
    assert days == [f"2026-12-{d:02d}" for d in range(7, 14)]
    assert "Schedule: 7 December to 13 December 2026" in page
    url = reverse("sessions:session-detail", args=[session.pk])
    assert f'<a href="{url}">10:00–13:00 Hearing voices</a>' in page


def test_the_week_marks_today(signed_in):
    page = signed_in.get(WEEK).content.decode()

    assert re.search(r'id="day-2026-12-01" aria-current="date"', page)
    assert page.count('aria-current="date"') == 1


def test_weeks_run_across_the_new_year(signed_in):
    page = signed_in.get(WEEK, {"week": "2026-W53"}).content.decode()

    assert "Schedule: 28 December to 3 January 2027" in page
    assert "?week=2027-W01" in page
    assert "?week=2026-W52" in page


def test_the_week_offers_to_schedule_on_each_day(signed_in):
    page = signed_in.get(WEEK, {"week": "2026-W50"}).content.decode()

    assert f"{reverse('sessions:session-create')}?date=2026-12-07" in page
    assert f"{reverse('sessions:session-create')}?date=2026-12-13" in page


@pytest.mark.parametrize("asked", ["2026-W54", "2026-50", "next"])
def test_a_week_that_cannot_be_read_shows_this_week_and_says_so(signed_in, asked):
    response = signed_in.get(WEEK, {"week": asked})

    assert response.context["monday"] == date(2026, 11, 30)
    assert "is not a week we can show" in response.content.decode()


def test_the_week_runs_the_same_queries_for_10_or_10000_sessions(signed_in):
    training_sessions_in_bulk(10, first_starts_at=at(date(2026, 12, 1), 9))
    signed_in.get(WEEK)

    with CaptureQueriesContext(connection) as few:
        signed_in.get(WEEK)
    training_sessions_in_bulk(
        9990, first_starts_at=at(date(2026, 12, 2), 11), every=timedelta(hours=1)
    )
    with CaptureQueriesContext(connection) as many:
        response = signed_in.get(WEEK)

    assert len(many) == len(few)
    assert sum(len(day.entries) for day in response.context["days"]) > 100
