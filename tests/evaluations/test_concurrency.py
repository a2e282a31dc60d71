"""A link takes exactly one response, even when it is submitted many times at the same instant:
real threads, each with its own connection, against PostgreSQL."""

import threading

import pytest
from django.db import connection

from evaluations.models import Invitation, Response
from evaluations.services import InvitationUsed, response_submit
from sessions.models import Registration
from tests.evaluations.response_helpers import delivered_session, service_answers
from tests.factories import registrations_in_bulk, standard_form

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent connections and row locks (SQLite locks the whole file)",
    ),
]


def invitations(count: int) -> list[Invitation]:
    standard_form()
    session = delivered_session()
    registrations = registrations_in_bulk(session, count, status=Registration.Status.ATTENDED)
    return Invitation.objects.bulk_create(
        Invitation(registration=registration, expires_at=session.ends_at.replace(year=2100))
        for registration in registrations
    )


def submit_all_at_once(links: list[Invitation], answers: dict) -> list[str]:
    """Submit each link from its own thread, all released together; what each one got."""
    barrier = threading.Barrier(len(links))
    outcomes: list[str] = []

    def run(invitation):
        try:
            barrier.wait(timeout=30)
            response_submit(invitation=invitation, answers=answers)
            outcomes.append("stored")
        except InvitationUsed:
            outcomes.append("already")
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(link,)) for link in links]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_twenty_submissions_of_one_link_at_once_store_exactly_one_response():
    (link,) = invitations(1)

    outcomes = submit_all_at_once([link] * 20, service_answers())

    assert sorted(outcomes) == ["already"] * 19 + ["stored"]
    assert Response.objects.count() == 1
    assert Invitation.objects.get(pk=link.pk).used


def test_two_hundred_different_links_store_two_hundred_responses():
    links = invitations(200)
    answers = service_answers()

    outcomes = []
    for start in range(0, 200, 20):
        outcomes += submit_all_at_once(links[start : start + 20], answers)

    assert outcomes == ["stored"] * 200
    assert Response.objects.count() == 200
    assert not Invitation.objects.filter(used=False).exists()
