"""What sessions cost (expenses.selectors.costs.session_cost_summary, for the sessions' costs page
and the dashboards): the costs recorded on a session by kind, the trainers' approved or paid
expenses and fees, the total and the cost per learner attended, exact to the penny, in a fixed
number of queries for any number of sessions. The session's costs page shows the trainers' lines
through sessions.hooks.session_extra_costs."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from expenses.models import Claim, Fee
from expenses.selectors import session_cost_summary
from sessions.models import Registration, SessionCost, TrainingSession
from tests.expenses.factories import ClaimFactory, FeeFactory, ItemFactory
from tests.sessions.factories import (
    RegistrationFactory,
    SessionCostFactory,
    TrainingSessionFactory,
    registrations_in_bulk,
)

pytestmark = pytest.mark.django_db


def claimed(session, status, *amounts):
    claim = ClaimFactory(session=session, status=status)
    for amount in amounts:
        ItemFactory(claim=claim, amount=Decimal(amount))


@pytest.fixture
def session():
    return TrainingSessionFactory(status="delivered")


@pytest.fixture
def costed(session):
    """Each kind of cost, claims and fees in every status, and learners in every status."""
    for kind, amount in [
        (SessionCost.Kind.ROOM_HIRE, "45.00"),
        (SessionCost.Kind.REFRESHMENTS, "0.10"),
        (SessionCost.Kind.REFRESHMENTS, "0.20"),
        (SessionCost.Kind.SUPPORT, "12.00"),
        (SessionCost.Kind.OTHER, "3.33"),
    ]:
        SessionCostFactory(session=session, kind=kind, amount=Decimal(amount))
    claimed(session, Claim.Status.APPROVED, "10.58", "4.20")
    claimed(session, Claim.Status.PAID, "0.10")
    for status in (Claim.Status.DRAFT, Claim.Status.SUBMITTED, Claim.Status.REJECTED):
        claimed(session, status, "1000.00")
    FeeFactory(session=session, amount=Decimal("75.00"), status=Fee.Status.APPROVED)
    FeeFactory(
        session=session, amount=Decimal("37.50"), status=Fee.Status.PAID, paid_on=date(2026, 12, 1)
    )
    FeeFactory(session=session, amount=Decimal("1000.00"), status=Fee.Status.RECORDED)
    for status in Registration.Status.values:
        RegistrationFactory(session=session, status=status)
    return session


def test_a_session_costs_what_was_recorded_and_what_its_trainers_were_approved_or_paid(costed):
    summary = session_cost_summary(sessions=[costed])[costed.pk]

    assert (summary.room_hire, summary.refreshments, summary.support, summary.other) == (
        Decimal("45.00"),
        Decimal("0.30"),
        Decimal("12.00"),
        Decimal("3.33"),
    )
    assert (summary.trainer_expenses, summary.trainer_fees) == (Decimal("14.88"), Decimal("112.50"))
    assert summary.total == Decimal("188.01")
    assert summary.attended == 2  # attended and partly attended
    assert summary.per_learner == Decimal("94.01")  # 94.005: half a penny rounds up


def test_a_session_with_nothing_recorded_and_nobody_attending_costs_nothing_per_nobody(session):
    RegistrationFactory(session=session, status=Registration.Status.NO_SHOW)

    summary = session_cost_summary(sessions=[session])[session.pk]

    assert summary.total == Decimal("0.00")
    assert summary.attended == 0
    assert summary.per_learner is None


@pytest.mark.parametrize(
    ("amounts", "attended", "per_learner"),
    [
        (["100.00"], 3, "33.33"),
        (["0.10", "0.20"], 1, "0.30"),
        (["0.05"], 2, "0.03"),  # 0.025
        (["0.01"], 3, "0.00"),
    ],
)
def test_the_cost_per_learner_is_exact_to_the_penny(session, amounts, attended, per_learner):
    for amount in amounts:
        SessionCostFactory(session=session, amount=Decimal(amount))
    registrations_in_bulk(session, attended, status=Registration.Status.ATTENDED)

    summary = session_cost_summary(sessions=[session])[session.pk]

    assert summary.per_learner == Decimal(per_learner)


def test_each_session_gets_only_its_own_costs(costed):
    other = TrainingSessionFactory()
    claimed(other, Claim.Status.PAID, "1.00")

    summaries = session_cost_summary(sessions=[costed, other])

    assert summaries[other.pk].total == Decimal("1.00")
    assert summaries[costed.pk].total == Decimal("188.01")


def many_sessions(like: TrainingSession, count: int) -> list[TrainingSession]:
    """`count` sessions like `like`, a day apart, each with a cost, made in bulk."""
    sessions = TrainingSession.objects.bulk_create(
        TrainingSession(
            code=f"BULK-{n:04}",
            course_version=like.course_version,
            starts_at=like.starts_at + timedelta(days=n + 1),
            ends_at=like.ends_at + timedelta(days=n + 1),
            region=like.region,
            room=like.room,
            capacity=12,
        )
        for n in range(count)
    )
    SessionCost.objects.bulk_create(
        SessionCost(session=s, kind=SessionCost.Kind.SUPPORT, amount=Decimal("1.00"))
        for s in sessions
    )
    return sessions


def test_the_summary_runs_the_same_queries_for_one_session_or_500(costed):
    with CaptureQueriesContext(connection) as one:
        session_cost_summary(sessions=[costed])
    sessions = [costed, *many_sessions(costed, 499)]

    with CaptureQueriesContext(connection) as many:
        summaries = session_cost_summary(sessions=sessions)

    assert len(many) == len(one) == 4
    assert len(summaries) == 500
    assert sum((s.total for s in summaries.values()), Decimal("0")) == Decimal("687.01")


# The session's costs page


def test_the_costs_page_adds_the_trainers_expenses_and_fees_and_shares_them_per_learner(
    client, coordinator, costed
):
    client.force_login(coordinator)

    page = client.get(reverse("sessions:session-costs", kwargs={"pk": costed.pk})).content.decode()

    assert '<th scope="row">Trainer expenses</th>' in page
    fees_url = reverse("expenses:session-fees", kwargs={"pk": costed.pk})
    assert f'<th scope="row"><a href="{fees_url}">Trainer fees</a></th>' in page
    assert "£14.88" in page
    assert "£112.50" in page
    assert "total £188.01" in page
    assert "Cost per learner attended: <strong>£94.01</strong> (2 attended)" in page


def test_the_costs_page_says_when_nobody_attended(client, coordinator, session):
    client.force_login(coordinator)

    page = client.get(reverse("sessions:session-costs", kwargs={"pk": session.pk})).content.decode()

    assert "No learners are marked as attended yet, so there is no cost per learner." in page
    assert "Trainer fees" in page
