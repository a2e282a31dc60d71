"""What expenses offers on other apps' pages, through their hooks."""

from django.urls import reverse
from django.utils import timezone

from people.models import User
from sessions.hooks import PageLink
from sessions.models import TrainingSession


def claim_links_on_session(*, session: TrainingSession, user: User) -> list[PageLink]:
    """ "Claim expenses for this session" for a trainer once the session has ended. No query:
    it is asked once for each session a page lists."""
    if not user.is_trainer or session.status == TrainingSession.Status.CANCELLED:
        return []
    if session.ends_at > timezone.now():
        return []
    url = reverse("expenses:claim-start", kwargs={"session_id": session.pk})
    return [PageLink(label="Claim expenses for this session", url=url, post=True)]
