"""What expenses offers on other apps' pages, through their hooks."""

from django.urls import reverse
from django.utils import timezone

from expenses.selectors.claims import claim_window
from people.models import User
from sessions.hooks import PageLink
from sessions.models import TrainingSession


def claim_links_on_session(*, session: TrainingSession, user: User) -> list[PageLink]:
    """ "Claim expenses for this session" for a trainer once the session has ended, while it can
    still be claimed for (expenses.selectors.claims.claim_window, the rule claim_start follows).
    No query: it is asked once for each session a page lists."""
    if not user.is_trainer or session.status == TrainingSession.Status.CANCELLED:
        return []
    now = timezone.now()
    earliest, latest = claim_window(now)
    if session.ends_at > now or not earliest <= session.starts_at <= latest:
        return []
    url = reverse("expenses:claim-start", kwargs={"session_id": session.pk})
    return [PageLink(label="Claim expenses for this session", url=url, post=True)]
