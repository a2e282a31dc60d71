"""Claims not paid within 10 working days of submission are flagged to coordinators once, by a
daily task that is safe to run twice, in one summary email per coordinator."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from expenses.models import Claim
from expenses.selectors import claim_is_overdue, claim_working_days_unpaid
from expenses.services import claim_submit, claims_overdue_flag
from expenses.tasks import flag_overdue_claims
from notifications.models import Notification
from people.models import Role
from tests.expenses.factories import ClaimFactory, ItemFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

# Monday 14 December 2026. Its 10 working days run to Wednesday 30 December: Friday 25 and
# Monday 28 (Boxing Day's substitute) are bank holidays. Without them it would be overdue on
# Tuesday 29.
SUBMITTED = datetime(2026, 12, 14, 10, 0, tzinfo=UTC)


def at(day: date) -> time_machine.travel:
    """08:00 UK time (GMT in December) on `day`, when beat runs the task."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC))


def submitted_claim(**kwargs) -> Claim:
    with time_machine.travel(SUBMITTED, tick=False):
        claim = ClaimFactory(status=Claim.Status.SUBMITTED, **kwargs)
        ItemFactory(claim=claim, spent_on=date(2026, 12, 11))
    return claim


@pytest.fixture
def coordinators(db):
    return [
        UserFactory(email="casey@example.org", roles=[Role.COORDINATOR]),
        UserFactory(email="robin@example.org", roles=[Role.COORDINATOR]),
    ]


def overdue_emails() -> list:
    return [m for m in mail.outbox if "overdue" in m.subject]


def test_working_days_unpaid_skip_weekends_and_christmas_bank_holidays():
    claim = submitted_claim()

    with at(date(2026, 12, 31)):
        assert claim_working_days_unpaid(claim) == 11
    with at(date(2026, 12, 24)):
        assert claim_working_days_unpaid(claim) == 8


def test_a_paid_claims_working_days_stop_on_the_day_it_was_paid():
    claim = submitted_claim()
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.PAID, paid_on=date(2026, 12, 16))
    claim.refresh_from_db()

    with at(date(2027, 2, 1)):
        assert claim_working_days_unpaid(claim) == 2
        assert not claim_is_overdue(claim)


def test_a_draft_has_no_working_days_unpaid():
    assert claim_working_days_unpaid(ClaimFactory()) is None


@pytest.mark.parametrize(
    ("day", "overdue"),
    [
        (date(2026, 12, 29), False),  # the 11th working day but for the bank holidays
        (date(2026, 12, 30), False),  # the 10th working day: still in time
        (date(2026, 12, 31), True),
    ],
)
def test_a_claim_is_overdue_only_after_10_working_days(
    coordinators, django_capture_on_commit_callbacks, day, overdue
):
    claim = submitted_claim()

    with at(day), django_capture_on_commit_callbacks(execute=True):
        flagged = claims_overdue_flag()
        assert claim_is_overdue(claim) is overdue

    assert flagged == int(overdue)
    claim.refresh_from_db()
    assert (claim.overdue_flagged_at is not None) is overdue
    assert len(overdue_emails()) == (2 if overdue else 0)


def test_each_coordinator_gets_one_summary_of_the_newly_overdue_claims(
    coordinators, django_capture_on_commit_callbacks
):
    first, second = submitted_claim(), submitted_claim(activity="other", session=None)

    with at(date(2026, 12, 31)), django_capture_on_commit_callbacks(execute=True):
        claims_overdue_flag()

    messages = overdue_emails()
    assert sorted(m.to[0] for m in messages) == ["casey@example.org", "robin@example.org"]
    for message in messages:
        assert message.subject == "2 expenses claims are overdue for payment"
        for claim in (first, second):
            link = reverse("expenses:review-claim", kwargs={"pk": claim.pk})
            assert f"http://testserver{link}" in message.body
            assert f'href="http://testserver{link}"' in message.alternatives[0][0]
            assert str(claim.trainer.user) in message.body


def test_a_sessions_overdue_claim_goes_to_its_coordinator_only(
    coordinators, django_capture_on_commit_callbacks
):
    casey, _robin = coordinators
    submitted_claim(session__coordinator=casey)

    with at(date(2026, 12, 31)), django_capture_on_commit_callbacks(execute=True):
        claims_overdue_flag()

    [message] = overdue_emails()
    assert message.to == [casey.email]
    assert message.subject == "1 expenses claim is overdue for payment"


def test_no_overdue_claims_send_nothing(coordinators, django_capture_on_commit_callbacks):
    with at(date(2026, 12, 31)), django_capture_on_commit_callbacks(execute=True):
        assert claims_overdue_flag() == 0

    assert not Notification.objects.filter(kind="claims_overdue").exists()


def test_running_the_task_twice_flags_and_tells_once(
    coordinators, django_capture_on_commit_callbacks
):
    claim = submitted_claim()

    with at(date(2026, 12, 31)), django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_claims.apply().get() == 1
        assert flag_overdue_claims.apply().get() == 0
    with at(date(2027, 1, 4)), django_capture_on_commit_callbacks(execute=True):
        assert flag_overdue_claims.apply().get() == 0

    assert len(overdue_emails()) == 2
    assert Notification.objects.filter(kind="claims_overdue").count() == 2
    claim.refresh_from_db()
    assert claim.overdue_flagged_at == datetime(2026, 12, 31, 8, 0, tzinfo=UTC)


def test_a_claim_newly_overdue_the_next_day_is_sent_alone(
    coordinators, django_capture_on_commit_callbacks
):
    submitted_claim()
    with at(date(2026, 12, 31)):
        claims_overdue_flag()
    with time_machine.travel(datetime(2026, 12, 15, 16, 0, tzinfo=UTC), tick=False):
        later = ClaimFactory(status=Claim.Status.SUBMITTED)
    mail.outbox.clear()

    with at(date(2027, 1, 1)), django_capture_on_commit_callbacks(execute=True):
        assert claims_overdue_flag() == 0  # New Year's Day is a bank holiday
    with at(date(2027, 1, 4)), django_capture_on_commit_callbacks(execute=True):
        assert claims_overdue_flag() == 1

    for message in overdue_emails():
        assert message.subject == "1 expenses claim is overdue for payment"
        assert reverse("expenses:review-claim", kwargs={"pk": later.pk}) in message.body


@pytest.mark.parametrize("status", ["draft", "returned", "rejected", "paid"])
def test_claims_not_waiting_for_payment_are_never_flagged(coordinators, status):
    with time_machine.travel(SUBMITTED, tick=False):
        claim = ClaimFactory(status=status)

    with at(date(2027, 2, 1)):
        assert claims_overdue_flag() == 0

    claim.refresh_from_db()
    assert claim.overdue_flagged_at is None


def test_an_approved_claim_still_unpaid_is_flagged(coordinators):
    with time_machine.travel(SUBMITTED, tick=False):
        ClaimFactory(status=Claim.Status.APPROVED)

    with at(date(2026, 12, 31)):
        assert claims_overdue_flag() == 1


def test_a_claim_returned_and_sent_again_has_10_working_days_again(coordinators):
    claim = submitted_claim()
    with at(date(2026, 12, 31)):
        claims_overdue_flag()
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.RETURNED)

    with at(date(2027, 1, 4)):
        claim_submit(claim=claim, by=claim.trainer.user)
        assert claims_overdue_flag() == 0
    with at(date(2027, 1, 19)):  # the 11th working day after Monday 4 January
        assert claims_overdue_flag() == 1


def test_the_task_runs_daily_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["flag-overdue-claims"]

    assert entry["task"] == flag_overdue_claims.name
