"""What sessions cost, for the sessions' costs page and the dashboards: the costs recorded on a
session (room hire, refreshments, support, other), the trainers' approved or paid expenses and
fees for it, the total and the cost per learner attended, all exact."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.urls import reverse

from expenses.models import Claim, Fee, Item
from sessions.hooks import ExtraCost
from sessions.models import Registration, SessionCost, TrainingSession
from sessions.selectors import LEARNERS_ATTENDED, cost_per_learner

ZERO = Decimal("0.00")
# Claims and fees count towards a session's cost once approved; paid ones stay counted.
CLAIMS_COUNTED = (Claim.Status.APPROVED, Claim.Status.PAID)
FEES_COUNTED = (Fee.Status.APPROVED, Fee.Status.PAID)


@dataclass(frozen=True)
class SessionCostSummary:
    """One session's costs by kind, what its trainers were approved or paid, the total, and the
    cost per learner attended (to the penny, half a penny up; None when nobody attended)."""

    room_hire: Decimal
    refreshments: Decimal
    support: Decimal
    other: Decimal
    trainer_expenses: Decimal
    trainer_fees: Decimal
    attended: int

    @property
    def total(self) -> Decimal:
        return (
            self.room_hire
            + self.refreshments
            + self.support
            + self.other
            + self.trainer_expenses
            + self.trainer_fees
        )

    @property
    def per_learner(self) -> Decimal | None:
        return cost_per_learner(total=self.total, attended=self.attended)


def _trainer_costs(pks: list[int]) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """The approved or paid expenses and fees of the sessions `pks`, by session, in two queries."""
    expenses = dict(
        Item.objects.filter(claim__session__in=pks, claim__status__in=CLAIMS_COUNTED)
        .order_by()
        .values("claim__session")
        .annotate(total=Sum("amount"))
        .values_list("claim__session", "total")
    )
    fees = dict(
        Fee.objects.filter(session__in=pks, status__in=FEES_COUNTED)
        .order_by()
        .values("session")
        .annotate(total=Sum("amount"))
        .values_list("session", "total")
    )
    return expenses, fees


def session_cost_summary(*, sessions: Iterable[TrainingSession]) -> dict[int, SessionCostSummary]:
    """Each session's cost summary by primary key, in four queries however many sessions."""
    pks = [session.pk for session in sessions]
    recorded: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        SessionCost.objects.filter(session__in=pks)
        .order_by()
        .values("session", "kind")
        .annotate(total=Sum("amount"))
    ):
        recorded[row["session"]][row["kind"]] = row["total"]
    expenses, fees = _trainer_costs(pks)
    attended = dict(
        Registration.objects.filter(session__in=pks, status__in=LEARNERS_ATTENDED)
        .order_by()
        .values("session")
        .annotate(count=Count("pk"))
        .values_list("session", "count")
    )
    return {
        pk: SessionCostSummary(
            room_hire=recorded[pk].get(SessionCost.Kind.ROOM_HIRE, ZERO),
            refreshments=recorded[pk].get(SessionCost.Kind.REFRESHMENTS, ZERO),
            support=recorded[pk].get(SessionCost.Kind.SUPPORT, ZERO),
            other=recorded[pk].get(SessionCost.Kind.OTHER, ZERO),
            trainer_expenses=expenses.get(pk, ZERO),
            trainer_fees=fees.get(pk, ZERO),
            attended=attended.get(pk, 0),
        )
        for pk in pks
    }


def session_extra_costs_from_expenses(*, session: TrainingSession) -> list[ExtraCost]:
    """Listener of sessions.hooks.session_extra_costs: the trainers' approved or paid expenses
    and fees for the session, as lines on its costs page."""
    expenses, fees = _trainer_costs([session.pk])
    fees_url = reverse("expenses:session-fees", kwargs={"pk": session.pk})
    return [
        ExtraCost(label="Trainer expenses", amount=expenses.get(session.pk, ZERO)),
        ExtraCost(label="Trainer fees", amount=fees.get(session.pk, ZERO), url=fees_url),
    ]
