"""Results count a session's responses in whole batches of five, oldest first.

Coordinators see who has not responded (they chase with it), and that list changes one person at
a time. If results changed with every response too, comparing the results before and after one
person dropped off the list would give that person's answers. So a sixth response changes no
figure, comment or spreadsheet row until the tenth arrives."""

import importlib
import re
import threading

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse

from evaluations.models import FreeTextRelease, Question, Response
from evaluations.selectors import results_summary
from evaluations.services import response_batches_count, response_submit
from people.models import Role
from sessions.models import TrainingSession
from tests.evaluations.response_helpers import delivered_session, invitation_for, questions_of
from tests.evaluations.test_anonymity import csv_rows, report_html, text_of
from tests.factories import UserFactory, responses_for, standard_form


def answer(invitation, *, rating: int, comment: str) -> Response:
    """One learner's answers through the service learners use: every rating `rating`, every
    yes/no yes, and `comment` in every box for words."""
    answers: dict[int, object] = {}
    for question in questions_of(standard_form()):
        if question.kind == Question.Kind.RATING:
            answers[question.pk] = rating
        elif question.kind == Question.Kind.YES_NO:
            answers[question.pk] = True
        elif question.kind in Question.TEXT_KINDS:
            answers[question.pk] = comment
        elif question.choices:
            answers[question.pk] = (
                [question.choices[0]]
                if question.kind == Question.Kind.MULTIPLE
                else question.choices[0]
            )
    return response_submit(invitation=invitation, answers=answers)


@pytest.fixture
def coordinator(db):
    return UserFactory(email="cora@example.org", roles=[Role.COORDINATOR])


@pytest.fixture
def session_of_ten(db):
    session = delivered_session()
    invitations = [invitation_for(session) for _ in range(10)]
    return session, invitations


# What may change one person at a time: the response count and rate (coordinators chase with
# them), the note saying how many responses wait for their batch, and what differs between any
# two requests (the CSRF token, the minute a report was printed).
LIVE_PARTS = [
    (r"Response rate: <strong>[^<]*</strong>", "Response rate"),
    (r"Responses: \d+ of \d+ \(\d+%\)\.", "Responses"),
    (r"<p>\s*(These results count|\d+ people have responded;)[^<]*</p>", ""),
    (r'name="csrfmiddlewaretoken" value="[^"]*"', ""),
    (r"Printed [^.]*\.", "Printed"),
]


def without_live_parts(html: str) -> str:
    for pattern, replacement in LIVE_PARTS:
        html = re.sub(pattern, replacement, html)
    return re.sub(r"\s+", " ", html)


def what_a_coordinator_reads(client, session) -> dict:
    results = results_summary(
        sessions=TrainingSession.objects.filter(pk=session.pk),
        user=UserFactory(roles=[Role.COORDINATOR]),
        session=session,
    )
    page = text_of(client.get(reverse("evaluations:results-session", args=[session.pk])).content)
    report = report_html(session, with_names=True)
    return {
        "figures": (results.questions, results.confidence),
        "comments": (results.comments, results.reflections),
        "csv": csv_rows(client.get(reverse("evaluations:results-session-csv", args=[session.pk]))),
        "page": page,
        "report": report,
        "page_but_live_parts": without_live_parts(page),
        "report_but_live_parts": without_live_parts(report),
        "not_responded": text_of(
            client.get(reverse("evaluations:session-evaluation", args=[session.pk])).content
        ),
    }


def test_a_sixth_answer_changes_nothing_anyone_reads_until_the_tenth(
    client, coordinator, session_of_ten
):
    session, invitations = session_of_ten
    sixth = invitations[5].registration.participant.full_name
    FreeTextRelease.objects.create(session=session, released_by=coordinator)
    client.force_login(coordinator)
    for invitation in invitations[:5]:
        answer(invitation, rating=4, comment="Kind and clear")
    at_five = what_a_coordinator_reads(client, session)
    assert sixth in at_five["not_responded"]

    # The sixth person, named on the list of who has not responded until now, answers.
    answer(invitations[5], rating=1, comment="Sixth person's words")
    at_six = what_a_coordinator_reads(client, session)

    assert sixth not in at_six["not_responded"]
    assert at_six["figures"] == at_five["figures"]
    assert at_six["comments"] == at_five["comments"]
    assert at_six["csv"] == at_five["csv"]
    assert len(at_six["csv"]) == 1 + 5
    assert at_six["page_but_live_parts"] == at_five["page_but_live_parts"]
    assert at_six["report_but_live_parts"] == at_five["report_but_live_parts"]
    for where in ("page", "report"):
        assert "Sixth person" not in at_six[where]
        assert (
            "6 people have responded; these results show the first 5 and next change when 10 "
            "have responded, so nobody's answers can be picked out"
        ) in at_six[where]
        assert "these results show the first" not in at_five[where]
    assert "6 of 10 (60%)" in at_six["page"]  # the response rate itself stays live

    for invitation in invitations[6:9]:
        answer(invitation, rating=1, comment="Sixth person's words")
    assert what_a_coordinator_reads(client, session)["csv"] == at_five["csv"]

    answer(invitations[9], rating=1, comment="Sixth person's words")
    at_ten = what_a_coordinator_reads(client, session)

    assert at_ten["figures"] != at_five["figures"]
    assert len(at_ten["csv"]) == 1 + 10
    assert "Sixth person" in at_ten["page"]
    assert "these results show the first" not in at_ten["page"]


def test_across_sessions_a_sixth_answer_changes_nothing_until_the_tenth(client, coordinator):
    standard_form()
    trainer = UserFactory(roles=[Role.TRAINER])
    session = delivered_session()
    session.assignments.create(user=trainer, role="lead", status="accepted")
    other = delivered_session(course_version=session.course_version, region=session.region)
    other.assignments.create(user=trainer, role="lead", status="accepted")
    responses_for(other, 5, ratings={"outcomes_met": [3, 3, 3, 3, 3]})
    invitations = [invitation_for(session) for _ in range(10)]
    client.force_login(coordinator)
    version = session.course_version_id
    urls = [
        reverse("evaluations:results-course-version", args=[version]),
        reverse("evaluations:results-overview") + f"?region={session.region_id}",
        reverse("evaluations:results-overview") + f"?trainer={trainer.pk}",
        reverse("evaluations:results-overview"),
    ]
    csv_url = reverse("evaluations:results-course-version-csv", args=[version])

    def read():
        pages = [without_live_parts(text_of(client.get(url).content)) for url in urls]
        return pages, csv_rows(client.get(csv_url))

    for invitation in invitations[:5]:
        answer(invitation, rating=5, comment="Kind and clear")
    at_five = read()
    answer(invitations[5], rating=1, comment="Sixth person's words")
    at_six = read()
    note_at_six = text_of(client.get(urls[0]).content)
    for invitation in invitations[6:]:
        answer(invitation, rating=1, comment="Sixth person's words")
    at_ten = read()

    assert at_six == at_five
    assert len(at_six[1]) == 1 + 10
    assert "These results count 10 of the 11 responses" in note_at_six
    for page_at_five, page_at_ten in zip(at_five[0], at_ten[0], strict=True):
        assert page_at_ten != page_at_five
    assert len(at_ten[1]) == 1 + 15


def test_across_sessions_a_session_counts_only_its_whole_batches(client, coordinator):
    standard_form()
    version_session = delivered_session()
    responses_for(version_session, 7, ratings={"outcomes_met": [5, 5, 5, 5, 5, 1, 1]})
    client.force_login(coordinator)

    page = text_of(
        client.get(
            reverse("evaluations:results-course-version", args=[version_session.course_version_id])
        ).content
    )
    results = results_summary(
        sessions=TrainingSession.objects.filter(course_version=version_session.course_version),
        user=coordinator,
    )

    outcomes = next(q for q in results.questions if q.key == "outcomes_met")
    assert (outcomes.answered, outcomes.mean_text) == (5, "5.0")
    assert (
        "These results count 5 of the 7 responses: each session's answers are added 5 at a time"
    ) in page


def test_a_comment_waiting_for_its_batch_cannot_be_opened_to_hide(client, coordinator):
    session = delivered_session()
    responses_for(session, 6, answers={"more_of": ["a", "b", "c", "d", "e", "Waiting words"]})
    waiting = Response.objects.filter(session=session).order_by("pk").last()
    comment = waiting.answers.get(question__key="more_of")
    client.force_login(coordinator)

    response = client.get(reverse("evaluations:results-comment-hide", args=[comment.pk]))

    assert response.status_code == 404


def test_trainers_read_released_comments_only_once_five_are_counted(client, coordinator):
    lead = UserFactory(roles=[Role.TRAINER])
    session = delivered_session()
    session.assignments.create(user=lead, role="lead", status="accepted")
    FreeTextRelease.objects.create(session=session, released_by=coordinator)
    responses_for(session, 4, answers={"more_of": "Early words"})
    Response.objects.filter(session=session).update(counted=False)
    responses_for(session, 1, answers={"more_of": "Fifth words"})
    client.force_login(lead)

    page = text_of(client.get(reverse("evaluations:results-session", args=[session.pk])).content)

    assert "Fifth words" in page
    assert "Early words" in page


def test_waiting_responses_are_counted_in_whole_batches_oldest_first(db):
    session = delivered_session()
    standard_form()
    responses_for(session, 12)
    Response.objects.filter(session=session).update(counted=False)

    counted_now = response_batches_count(session=session)

    counted = list(
        Response.objects.filter(session=session).order_by("pk").values_list("counted", flat=True)
    )
    assert counted_now == 10
    assert counted == [True] * 10 + [False] * 2


def test_the_migration_counts_each_sessions_existing_responses_in_whole_batches(db):
    migration = importlib.import_module("evaluations.migrations.0002_response_counted_in_batches")
    standard_form()
    sizes = {delivered_session(): n for n in (12, 4, 5, 0)}
    for session, n in sizes.items():
        responses_for(session, n)
    Response.objects.update(counted=False)

    migration.count_existing_responses_in_batches(django_apps, None)

    for session, n in sizes.items():
        counted = list(
            Response.objects.filter(session=session)
            .order_by("pk")
            .values_list("counted", flat=True)
        )
        whole = n - n % 5
        assert counted == [True] * whole + [False] * (n - whole), n


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("learners", [7, 12])
def test_learners_answering_at_once_are_counted_in_whole_batches_without_deadlock(learners):
    if connection.vendor != "postgresql":
        pytest.skip("CONCURRENCY TEST NOT RUN: needs PostgreSQL (CI sets DATABASE_URL).")
    session = delivered_session()
    invitations = [invitation_for(session) for _ in range(learners)]
    start = threading.Barrier(learners)
    errors = []

    def submit(invitation):
        try:
            start.wait(timeout=10)
            answer(invitation, rating=3, comment="At once")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in invitations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Response.objects.filter(session=session).count() == learners
    assert Response.objects.filter(session=session, counted=True).count() == learners // 5 * 5
