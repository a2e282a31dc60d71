"""Emails about claims, through the notification log: the trainer hears of each change of status,
coordinators of each newly submitted claim. They link to the claim's page and name nothing the
trainer wrote about the activity."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from expenses.models import Claim
from expenses.services import (
    claim_decide,
    claim_path,
    claim_pay,
    claim_submit,
    coordinators_to_tell,
)
from notifications.models import Notification
from people.models import Role, User
from tests.expenses.factories import ClaimFactory, ItemFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=UTC)):
        yield


@pytest.fixture
def casey(db):
    return UserFactory(email="casey@example.org", roles=[Role.COORDINATOR])


@pytest.fixture
def robin(db):
    return UserFactory(email="robin@example.org", roles=[Role.COORDINATOR])


def draft(**kwargs) -> Claim:
    claim = ClaimFactory(**kwargs)
    ItemFactory(claim=claim, amount="4.20")
    ItemFactory(claim=claim, amount="10.58")
    return claim


def to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def link(name: str, claim: Claim) -> str:
    return "http://testserver" + reverse(name, kwargs={"pk": claim.pk})


def test_links_go_to_the_trainers_claim_page_and_the_coordinators_review_page():
    claim = ClaimFactory()

    assert claim_path(claim, for_coordinator=False) == reverse(
        "expenses:claim-detail", kwargs={"pk": claim.pk}
    )
    assert claim_path(claim, for_coordinator=True) == reverse(
        "expenses:review-claim", kwargs={"pk": claim.pk}
    )


def test_submitting_emails_the_trainer_a_receipt_with_the_total_and_a_link(
    casey, django_capture_on_commit_callbacks
):
    claim = draft()
    trainer = claim.trainer.user

    with django_capture_on_commit_callbacks(execute=True):
        claim_submit(claim=claim, by=trainer)

    [message] = to(trainer.email)
    assert message.subject == f"Your expenses claim {claim.pk} is received"
    assert "£14.78" in message.body
    assert link("expenses:claim-detail", claim) in message.body
    assert f'href="{link("expenses:claim-detail", claim)}"' in message.alternatives[0][0]
    assert Notification.objects.get(kind="claim_submitted").status == Notification.Status.SENT


def test_the_sessions_coordinator_is_told_of_a_new_claim(
    casey, robin, django_capture_on_commit_callbacks
):
    claim = draft(session__coordinator=casey)

    with django_capture_on_commit_callbacks(execute=True):
        claim_submit(claim=claim, by=claim.trainer.user)

    [message] = to(casey.email)
    assert message.subject == f"New expenses claim from {claim.trainer.user}"
    assert "£14.78" in message.body
    assert link("expenses:review-claim", claim) in message.body
    assert not to(robin.email)


def test_a_claim_for_other_activity_tells_every_active_coordinator_but_the_claimant(
    casey, robin, django_capture_on_commit_callbacks
):
    gone = UserFactory(email="gone@example.org", roles=[Role.COORDINATOR])
    User.objects.filter(pk=gone.pk).update(is_active=False)
    claim = draft(activity=Claim.Activity.OTHER, session=None, activity_description="x")
    claim.trainer.user.groups.add(*robin.groups.all())  # a trainer who also coordinates

    with django_capture_on_commit_callbacks(execute=True):
        claim_submit(claim=claim, by=claim.trainer.user)

    told = {m.to[0] for m in mail.outbox if m.subject.startswith("New expenses claim")}
    assert told == {casey.email, robin.email}


def test_a_session_whose_coordinator_is_gone_tells_every_coordinator(casey, robin):
    gone = UserFactory(roles=[Role.COORDINATOR])
    User.objects.filter(pk=gone.pk).update(is_active=False)
    claim = draft(session__coordinator=gone)

    assert coordinators_to_tell(session=claim.session, about=claim.trainer.user) == [casey, robin]


def test_emails_name_nothing_the_trainer_wrote_about_the_activity(
    casey, django_capture_on_commit_callbacks
):
    claim = draft(
        activity=Claim.Activity.SUPERVISION,
        session=None,
        activity_description="Supervision after a hard week with my voices",
    )

    with django_capture_on_commit_callbacks(execute=True):
        claim_submit(claim=claim, by=claim.trainer.user)

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        for text in (message.subject, message.body, message.alternatives[0][0]):
            assert "voices" not in text
            assert "upervision" not in text


def submitted() -> Claim:
    claim = draft()
    claim_submit(claim=claim, by=claim.trainer.user)
    mail.outbox.clear()
    return claim


def test_an_approval_is_emailed_to_the_trainer(casey, django_capture_on_commit_callbacks):
    claim = submitted()

    with django_capture_on_commit_callbacks(execute=True):
        claim_decide(claim=claim, by=casey, to=Claim.Status.APPROVED)

    [message] = to(claim.trainer.user.email)
    assert message.subject == f"Your expenses claim {claim.pk} is approved"
    assert link("expenses:claim-detail", claim) in message.body


@pytest.mark.parametrize(
    ("status", "subject"),
    [(Claim.Status.REJECTED, "not approved"), (Claim.Status.RETURNED, "returned for a change")],
)
def test_a_rejection_or_return_is_emailed_with_the_reason(
    casey, django_capture_on_commit_callbacks, status, subject
):
    claim = submitted()

    with django_capture_on_commit_callbacks(execute=True):
        claim_decide(claim=claim, by=casey, to=status, reason="The parking is <not> on the route.")

    [message] = to(claim.trainer.user.email)
    assert message.subject == f"Your expenses claim {claim.pk} is {subject}"
    assert "The parking is <not> on the route." in message.body
    assert "The parking is &lt;not&gt; on the route." in message.alternatives[0][0]


def test_a_payment_is_emailed_with_its_date_and_reference(
    casey, django_capture_on_commit_callbacks
):
    claim = submitted()
    claim_decide(claim=claim, by=casey, to=Claim.Status.APPROVED)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        claim_pay(claim=claim, by=casey, paid_on=date(2026, 12, 4), reference="BACS-0042")

    [message] = to(claim.trainer.user.email)
    assert message.subject == f"Your expenses claim {claim.pk} is paid"
    assert "paid on 4 December 2026" in message.body
    assert "BACS-0042" in message.body
    assert "£14.78" in message.body


def test_each_change_of_status_is_one_email_to_the_trainer(
    casey, django_capture_on_commit_callbacks
):
    claim = draft()
    trainer = claim.trainer.user

    with django_capture_on_commit_callbacks(execute=True):
        claim_submit(claim=claim, by=trainer)
    with django_capture_on_commit_callbacks(execute=True):
        claim_decide(claim=claim, by=casey, to=Claim.Status.RETURNED, reason="Add the receipt.")
    with django_capture_on_commit_callbacks(execute=True):
        claim_submit(claim=claim, by=trainer)
    with django_capture_on_commit_callbacks(execute=True):
        claim_decide(claim=claim, by=casey, to=Claim.Status.APPROVED)

    kinds = list(
        Notification.objects.filter(recipient_email=trainer.email)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["claim_submitted", "claim_returned", "claim_submitted", "claim_approved"]
    assert len(to(trainer.email)) == 4


def test_a_refused_change_emails_nobody(casey, django_capture_on_commit_callbacks):
    claim = submitted()
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        claim_decide(claim=claim, by=claim.trainer.user, to=Claim.Status.APPROVED)

    assert not Notification.objects.exists()
    assert not mail.outbox


def test_nothing_is_sent_before_the_change_is_committed(casey, django_capture_on_commit_callbacks):
    claim = draft()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        claim_submit(claim=claim, by=claim.trainer.user)

    assert callbacks
    assert not mail.outbox
