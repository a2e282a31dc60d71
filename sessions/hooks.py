"""What apps above sessions plug into it (declared with core.hooks; docs/architecture.md#hooks).

What happens to learners when a session is cancelled, moved or given a new joining link is the
sessions app's own business, so the scheduling services call the registration services for it
directly; only effects in higher apps go through a hook.
"""

from dataclasses import dataclass
from decimal import Decimal

from core.hooks import hook
from people.models import User
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
class PageLink:
    """A way on from a page, offered by a higher app: a link, or with `post` a button that sends
    a POST to `url` (for an action such as opening a draft)."""

    label: str
    url: str
    post: bool = False


@hook()
def session_links(*, session: TrainingSession, user: User) -> list[PageLink]:
    """The ways on that higher apps offer `user` about `session` they are on, shown beside it.

    Fired by sessions.selectors.session_page_links for "My sessions" (each recent session) and
    for the delivery report once it is filed. Must not query per session: a page fires it once
    for each session it lists. Listener: expenses (expenses.links.claim_links_on_session),
    which offers "Claim expenses for this session".
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
    (expenses.selectors.costs.session_extra_costs_from_expenses), which gives the trainers'
    approved or paid expenses and fees for the session.
    """
