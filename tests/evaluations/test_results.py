"""Evaluation results: per session (/schedule/<pk>/results/), per course version
(/courses/versions/<pk>/results/) and across sessions by region or trainer
(/evaluations/results/?region=…&trainer=…). Counted by the database, so a page costs the same
few queries for 10 responses or 100,000."""

import csv
import io
import re

import pytest
from django.urls import reverse

from audit.actions import ExportAction
from audit.models import AuditEvent
from evaluations.models import Answer, Question, Section
from evaluations.selectors import results_answer_rows, results_sessions, results_summary
from evaluations.services import answer_hide
from people.models import Role
from sessions.models import Registration, TrainingSession
from tests.factories import (
    EvaluationFormFactory,
    RegionFactory,
    TrainerAssignmentFactory,
    TrainingSessionFactory,
    UserFactory,
    registrations_in_bulk,
    responses_for,
    standard_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def session() -> TrainingSession:
    session = TrainingSessionFactory(status=TrainingSession.Status.DELIVERED)
    registrations_in_bulk(session, 3, status=Registration.Status.ATTENDED)
    return session


def results_url(session) -> str:
    return reverse("evaluations:results-session", kwargs={"pk": session.pk})


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def table_rows(html: str, caption: str) -> list[tuple[str, str]]:
    """(answer, people) from the table with this caption."""
    table = html.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row">([^<]*)</th><td class="text-end">(\d+)</td>', table)


def summary(session, user):
    sessions = results_sessions(user=user, session=session)
    return results_summary(sessions=sessions, user=user, session=session)


def test_the_page_shows_the_response_rate_as_responses_of_attendees(client, coordinator, session):
    responses_for(session, 2)
    client.force_login(coordinator)

    response = client.get(results_url(session))

    assert response.status_code == 200
    assert "Response rate: <strong>2 of 3 (67%)</strong>" in text_of(response)


def test_partly_attended_count_as_attendees_and_no_shows_do_not(coordinator, session):
    registrations_in_bulk(session, 1, status=Registration.Status.PARTLY_ATTENDED)
    registrations_in_bulk(session, 4, status=Registration.Status.NO_SHOW)
    responses_for(session, 1)

    assert summary(session, coordinator).response_rate == "1 of 4 (25%)"


def test_a_session_without_responses_says_so(client, coordinator, session):
    client.force_login(coordinator)

    html = text_of(client.get(results_url(session)))

    assert "0 of 3 (0%)" in html
    assert "Nobody has responded yet." in html


def test_each_rating_shows_its_distribution_from_1_to_5_and_its_mean(client, coordinator, session):
    responses_for(session, 5, ratings={"organisation": [5, 4, 4, 3, 3]})
    organisation = standard_form().sections.get(questions__key="organisation")
    text = organisation.questions.get(key="organisation").text
    client.force_login(coordinator)

    html = text_of(client.get(results_url(session)))

    rows = table_rows(html, f"Answers to “{text}”")
    assert [count for _, count in rows] == ["0", "0", "2", "2", "1"]
    assert rows[0][0].startswith("1 (")
    assert rows[4][0].startswith("5 (")
    assert "5 answers; mean <strong>3.8</strong> out of 5" in html


def test_the_confidence_change_is_the_mean_after_less_the_mean_before(coordinator, session):
    responses_for(
        session,
        5,
        ratings={"confidence_before": [2, 2, 3, 1, 2], "confidence_after": [4, 5, 4, 5, 4]},
    )

    confidence = summary(session, coordinator).confidence

    assert confidence.before.mean_text == "2.0"
    assert confidence.after.mean_text == "4.4"
    assert confidence.change_text == "+2.4"
    assert [bar.count for bar in confidence.before.bars] == [1, 3, 1, 0, 0]
    assert [bar.count for bar in confidence.after.bars] == [0, 0, 0, 3, 2]


def test_the_page_shows_the_confidence_change(client, coordinator, session):
    responses_for(session, 5, ratings={"confidence_before": 2, "confidence_after": 4})
    client.force_login(coordinator)

    html = text_of(client.get(results_url(session)))

    assert "a change of <strong>+2.0</strong> on the 1 to 5 scale" in html


def test_unanswered_optional_ratings_are_left_out_of_the_mean(coordinator, session):
    responses_for(session, 10, ratings={"outcomes_met": [5, None, 2, 4, 4, 5, 3, 3, 4, 5]})

    outcomes = next(q for q in summary(session, coordinator).questions if q.key == "outcomes_met")

    assert (outcomes.answered, outcomes.mean_text) == (9, "3.9")


def test_yes_no_answers_are_counted(coordinator, session):
    responses_for(session, 5, answers={"recommend": [True, True, False, True, False]})

    recommend = next(q for q in summary(session, coordinator).questions if q.key == "recommend")

    assert [(bar.label, bar.count) for bar in recommend.bars] == [("Yes", 3), ("No", 2)]


def test_a_courses_own_choice_questions_are_counted_choice_by_choice(coordinator, session):
    course_form = EvaluationFormFactory(
        course=session.course_version.course, title="Extra", status="published"
    )
    section = Section.objects.create(form=course_form, title="About you")
    Question.objects.create(
        section=section, key="role", text="Your role", kind="single", choices=["Nurse", "OT"]
    )
    Question.objects.create(
        section=section,
        key="topics",
        text="Topics to cover next",
        kind="multiple",
        choices=["Risk", "Recovery", "Peers"],
        order=1,
    )
    responses_for(
        session,
        5,
        course_form=course_form,
        answers={
            "role": ["Nurse", "Nurse", "OT", "OT", "Nurse"],
            "topics": [["Risk", "Recovery"], ["Recovery"], [], ["Recovery"], ["Risk"]],
        },
    )

    questions = {q.key: q for q in summary(session, coordinator).questions}

    assert [(b.label, b.count) for b in questions["role"].bars] == [("Nurse", 3), ("OT", 2)]
    assert [(b.label, b.count) for b in questions["topics"].bars] == [
        ("Risk", 2),
        ("Recovery", 3),
        ("Peers", 0),
    ]
    assert questions["topics"].answered == 5


# Who sees a session's results


@pytest.mark.parametrize("role", ["lead", "co_trainer", "staff"])
def test_the_sessions_own_trainers_see_its_numbers(client, trainer, session, role):
    TrainerAssignmentFactory(session=session, user=trainer, role=role, status="accepted")
    registrations_in_bulk(session, 2, status=Registration.Status.ATTENDED)
    responses_for(session, 5)
    client.force_login(trainer)

    response = client.get(results_url(session))

    assert response.status_code == 200
    assert "5 of 5 (100%)" in text_of(response)
    assert "5 answers; mean <strong>4.0</strong> out of 5" in text_of(response)


@pytest.mark.parametrize(
    ("role", "status"),
    [("shadowing", "accepted"), ("lead", "invited"), ("lead", "declined"), ("lead", "withdrawn")],
)
def test_trainers_who_did_not_deliver_the_session_get_a_404(client, trainer, session, role, status):
    TrainerAssignmentFactory(session=session, user=trainer, role=role, status=status)
    client.force_login(trainer)

    assert client.get(results_url(session)).status_code == 404


def test_another_trainer_gets_a_404(client, other_trainer, session):
    TrainerAssignmentFactory(session=session, status="accepted")
    client.force_login(other_trainer)

    assert client.get(results_url(session)).status_code == 404


def test_a_manager_sees_every_sessions_results(client, manager, session):
    responses_for(session, 1)
    client.force_login(manager)

    response = client.get(results_url(session))

    assert response.status_code == 200
    assert "Release comments to the trainers" not in text_of(response)


@pytest.mark.parametrize("who", ["team_lead", "admin_user"])
def test_team_leads_and_admins_without_a_role_are_refused(client, request, session, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(results_url(session)).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, session):
    response = client.get(results_url(session))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# A course version's results


def test_a_course_versions_page_counts_every_session_of_that_version(client, coordinator):
    first = TrainingSessionFactory(status="delivered")
    second = TrainingSessionFactory(status="delivered", course_version=first.course_version)
    elsewhere = TrainingSessionFactory(status="delivered")
    for each in (first, second, elsewhere):
        registrations_in_bulk(each, 6, status=Registration.Status.ATTENDED)
    responses_for(first, 5, ratings={"organisation": 5})
    responses_for(second, 5, ratings={"organisation": 2})
    responses_for(elsewhere, 6, ratings={"organisation": 1})
    client.force_login(coordinator)

    response = client.get(
        reverse("evaluations:results-course-version", kwargs={"pk": first.course_version_id})
    )

    html = text_of(response)
    assert response.status_code == 200
    assert "Response rate: <strong>10 of 12 (83%)</strong>" in html
    assert "10 answers; mean <strong>3.5</strong> out of 5" in html


def test_a_trainer_who_delivered_a_session_of_the_version_sees_the_version(client, trainer):
    mine = TrainerAssignmentFactory(user=trainer, status="accepted").session
    TrainingSessionFactory(course_version=mine.course_version)
    client.force_login(trainer)

    response = client.get(
        reverse("evaluations:results-course-version", kwargs={"pk": mine.course_version_id})
    )

    assert response.status_code == 200


def test_a_trainer_who_did_not_deliver_the_version_gets_a_404(client, trainer, session):
    TrainerAssignmentFactory(user=trainer, role="shadowing", status="accepted", session=session)
    client.force_login(trainer)

    response = client.get(
        reverse("evaluations:results-course-version", kwargs={"pk": session.course_version_id})
    )

    assert response.status_code == 404


# Across sessions: by region and by trainer


def overview(client, **params):
    return client.get(reverse("evaluations:results-overview"), params)


def test_the_overview_counts_a_regions_sessions_only(client, coordinator):
    north, south = RegionFactory(name="North"), RegionFactory(name="South")
    in_north = TrainingSessionFactory(region=north, status="delivered")
    in_south = TrainingSessionFactory(region=south, status="delivered")
    registrations_in_bulk(in_north, 2, status=Registration.Status.ATTENDED)
    registrations_in_bulk(in_south, 5, status=Registration.Status.ATTENDED)
    responses_for(in_north, 1)
    responses_for(in_south, 5)
    client.force_login(coordinator)

    html = text_of(overview(client, region=north.pk))

    assert "Response rate: <strong>1 of 2 (50%)</strong>" in html


def test_the_overview_counts_the_sessions_a_trainer_delivered(client, coordinator, trainer):
    theirs = TrainerAssignmentFactory(user=trainer, role="co_trainer", status="accepted").session
    shadowed = TrainerAssignmentFactory(user=trainer, role="shadowing", status="accepted").session
    registrations_in_bulk(theirs, 4, status=Registration.Status.ATTENDED)
    registrations_in_bulk(shadowed, 4, status=Registration.Status.ATTENDED)
    responses_for(theirs, 3)
    responses_for(shadowed, 1)
    client.force_login(coordinator)

    html = text_of(overview(client, trainer=trainer.pk))

    assert "Response rate: <strong>3 of 4 (75%)</strong>" in html


def test_without_a_filter_the_overview_counts_every_session(client, manager, session):
    other = TrainingSessionFactory(status="delivered")
    registrations_in_bulk(other, 1, status=Registration.Status.ATTENDED)
    responses_for(session, 1)
    responses_for(other, 1)
    client.force_login(manager)

    assert "Response rate: <strong>2 of 4 (50%)</strong>" in text_of(overview(client))


def test_an_unknown_region_is_refused_at_the_field(client, coordinator):
    client.force_login(coordinator)

    response = overview(client, region="999999")

    html = text_of(response)
    assert "Choose one of the regions listed." in html
    assert "Response rate" not in html


def test_a_trainer_sees_only_the_sessions_they_delivered_whatever_they_ask(client, trainer):
    theirs = TrainerAssignmentFactory(user=trainer, status="accepted").session
    registrations_in_bulk(theirs, 2, status=Registration.Status.ATTENDED)
    responses_for(theirs, 1)
    stranger = TrainingSessionFactory(status="delivered")
    registrations_in_bulk(stranger, 10, status=Registration.Status.ATTENDED)
    responses_for(stranger, 10)
    someone = UserFactory(roles=[Role.TRAINER])
    TrainerAssignmentFactory(user=someone, session=stranger, status="accepted")
    client.force_login(trainer)

    html = text_of(overview(client, trainer=someone.pk))

    assert "Response rate: <strong>1 of 2 (50%)</strong>" in html
    assert 'name="trainer"' not in html


def test_team_leads_are_refused_the_overview(client, team_lead):
    client.force_login(team_lead)

    assert overview(client).status_code == 403


# Bounded queries


def queries_for_page(client, django_assert_max_num_queries, url: str, limit: int) -> int:
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def make_responses(session, n: int) -> None:
    """`n` responses each rating their confidence before, one in ten with a comment too."""
    ratings = {"confidence_before": [1 + i % 5 for i in range(n)]}
    texts = {"most_useful": [f"Comment {i}" if i % 10 == 0 else None for i in range(n)]}
    keys = ("confidence_before", "most_useful")
    responses_for(session, n, ratings=ratings, answers=texts, keys=keys)


@pytest.mark.large
def test_the_session_and_course_version_pages_run_the_same_queries_for_10_or_100_000(
    client, coordinator, django_assert_max_num_queries
):
    few_session = TrainingSessionFactory(status="delivered")
    many_session = TrainingSessionFactory(status="delivered")
    make_responses(few_session, 10)
    make_responses(many_session, 100_000)
    client.force_login(coordinator)

    counts = [
        queries_for_page(client, django_assert_max_num_queries, url, 12)
        for url in (
            results_url(few_session),
            results_url(many_session),
            reverse("evaluations:results-course-version", args=[few_session.course_version_id]),
            reverse("evaluations:results-course-version", args=[many_session.course_version_id]),
        )
    ]

    assert counts[0] == counts[1]
    assert counts[2] == counts[3]


# The answers as a spreadsheet


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_coordinators_download_one_row_per_response_with_a_column_per_question(
    client, coordinator, session
):
    responses_for(
        session,
        5,
        ratings={"organisation": [3, 5, 1, 2, 4]},
        answers={
            "recommend": [True, False, True, True, False],
            "most_useful": ["b", "=SUM(A1)", "a", "c", "d"],
        },
    )
    client.force_login(coordinator)

    response = client.get(reverse("evaluations:results-session-csv", args=[session.pk]))

    rows = csv_rows(response)
    header = rows[0]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert header[0] == "session"
    assert {"organisation", "recommend", "most_useful", "more_of"} <= set(header)
    column = {key: n for n, key in enumerate(header)}
    assert len(rows) == 6
    assert sorted(row[column["organisation"]] for row in rows[1:]) == ["1", "2", "3", "4", "5"]
    assert {row[column["most_useful"]] for row in rows[1:]} == {"a", "b", "c", "d", "'=SUM(A1)"}
    assert {row[0] for row in rows[1:]} == {session.code}
    assert AuditEvent.objects.filter(action=ExportAction.EXPORT, actor=coordinator).exists()


def test_the_rows_are_sorted_by_their_values_not_by_when_they_came(coordinator, session):
    responses_for(session, 5, ratings={"outcomes_met": [4, 2, 5, 1, 3]})

    header, rows = results_answer_rows(sessions=TrainingSession.objects.filter(pk=session.pk))

    column = header.index("outcomes_met")
    assert [row[column] for row in rows] == [1, 2, 3, 4, 5]


def test_the_export_holds_nothing_that_identifies_a_learner_or_a_response(
    client, coordinator, session
):
    responses_for(session, 5)
    client.force_login(coordinator)

    response = client.get(reverse("evaluations:results-session-csv", args=[session.pk]))

    content = response.content.decode("utf-8-sig")
    header = csv_rows(response)[0]
    assert len(csv_rows(response)) == 6
    assert not {"id", "response", "submitted_on", "participant", "email"} & set(header)
    for registration in session.registrations.select_related("participant"):
        assert registration.participant.email not in content
        assert registration.participant.full_name not in content


def test_hidden_comments_are_exported_as_hidden(client, coordinator, session):
    responses_for(session, 5, answers={"most_useful": ["Names a patient", "b", "c", "d", "e"]})
    answer_hide(
        answer=Answer.objects.get(text="Names a patient"), by=coordinator, reason="Identifies"
    )
    client.force_login(coordinator)

    response = client.get(reverse("evaluations:results-session-csv", args=[session.pk]))

    content = response.content.decode("utf-8-sig")
    assert "[hidden]" in content
    assert "Names a patient" not in content


def test_a_course_versions_export_has_a_row_for_each_response_of_its_sessions(
    client, manager, session
):
    other = TrainingSessionFactory(course_version=session.course_version, status="delivered")
    responses_for(session, 5)
    responses_for(other, 5)
    responses_for(TrainingSessionFactory(status="delivered"), 5)
    client.force_login(manager)

    response = client.get(
        reverse("evaluations:results-course-version-csv", args=[session.course_version_id])
    )

    rows = csv_rows(response)
    assert response.status_code == 200
    assert sorted(row[0] for row in rows[1:]) == sorted([session.code] * 5 + [other.code] * 5)


@pytest.mark.parametrize("who", ["trainer", "team_lead"])
def test_only_coordinators_and_managers_export_answers(client, request, session, who):
    user = request.getfixturevalue(who)
    TrainerAssignmentFactory(session=session, user=user, status="accepted")
    client.force_login(user)

    response = client.get(reverse("evaluations:results-session-csv", args=[session.pk]))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=ExportAction.EXPORT).exists()
