"""What apps above sessions plug into it (declared with core.hooks; docs/architecture.md#hooks).

What happens to learners when a session is cancelled, moved or given a new joining link is the
sessions app's own business, so the scheduling services call the registration services for it
directly; only effects in higher apps go through a hook.
"""

from dataclasses import dataclass
from decimal import Decimal

from core.hooks import hook
from sessions.models import TrainingSession


@hook()
def session_delivered(*, session: TrainingSession) -> None:
    """A session became delivered, or its attendance was corrected afterwards; runs inside the
    same transaction, so listeners must be safe to run more than once.

    Fired by sessions.services.delivery_report_submit (the session becomes delivered) and by
    sessions.services.attendance_record (a delivered session's register changed). Listener:
    evaluations (evaluations.services.invitations_on_session_delivered), which invites the
    learners who attended to give feedback.
    """


@dataclass(frozen=True)
class ExtraCost:
    """A line a higher app adds to a session's costs: what it is, how much, and where a
    coordinator sees the detail (empty for none)."""

    label: str
    amount: Decimal
    url: str = ""


@hook()
def session_extra_costs(*, session: TrainingSession) -> list[ExtraCost]:
    """What a session cost beyond the costs recorded on it (room hire, refreshments, support,
    other): each listener gives its lines, which the session's costs page shows and adds to the
    total and to the cost per learner attended. Reads only; nothing may change.

    Fired by sessions.selectors.session_costs. Listener: expenses
    (expenses.costs.session_extra_costs_from_expenses), which gives the trainers' approved or
    paid expenses and fees for the session.
    """
