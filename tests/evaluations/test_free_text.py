"""Free text about a session (comments and reflections) reaches its trainers only after a
coordinator released it and once at least 5 people responded (docs/domain.md#evaluations).
Coordinators read it always and can hide a comment: kept, with who and why, never shown to the
trainers."""

import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from evaluations.audit_actions import EvaluationAction
from evaluations.models import Answer, FreeTextRelease
from evaluations.selectors import COMMENTS_RULE, RESULTS_WITHHELD
from evaluations.services import answer_hide, free_text_release
from sessions.models import Registration, TrainingSession
from tests.factories import (
    TrainerAssignmentFactory,
    TrainingSessionFactory,
    registrations_in_bulk,
    responses_for,
)

pytestmark = pytest.mark.django_db

RULE = (
    "Comments are shown once a coordinator has released them and at least 5 people have responded"
)


@pytest.fixture
def session(trainer) -> TrainingSession:
    session = TrainingSessionFactory(status=TrainingSession.Status.DELIVERED)
    registrations_in_bulk(session, 8, status=Registration.Status.ATTENDED)
    TrainerAssignmentFactory(session=session, user=trainer, status="accepted")
    return session


def comments(session, n: int, *, first: str = "Loved the stories") -> None:
    texts = [first] + [f"Comment {i}" for i in range(1, n)]
    responses_for(
        session,
        n,
        answers={"most_useful": texts, "more_of": [f"Ask people {i}" for i in range(n)]},
    )


def page(client, user, session) -> str:
    client.force_login(user)
    response = client.get(reverse("evaluations:results-session", kwargs={"pk": session.pk}))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def release(session, coordinator) -> None:
    free_text_release(session=session, by=coordinator)


def test_the_rule_matches_what_trainers_are_told():
    assert COMMENTS_RULE.startswith(RULE)


def test_trainers_see_no_comments_before_they_are_released(client, trainer, session):
    comments(session, 6)

    html = page(client, trainer, session)

    assert RULE in html
    assert "Loved the stories" not in html
    assert "Ask people 1" not in html


def test_trainers_see_no_comments_when_released_with_only_4_responses(
    client, trainer, coordinator, session
):
    comments(session, 4)
    release(session, coordinator)

    html = page(client, trainer, session)

    assert RESULTS_WITHHELD.replace("'", "&#x27;") in html
    assert "Loved the stories" not in html


def test_trainers_see_comments_and_reflections_once_released_with_5_responses(
    client, trainer, coordinator, session
):
    comments(session, 5)
    release(session, coordinator)

    html = page(client, trainer, session)

    assert RULE not in html
    assert "Loved the stories" in html
    assert "Ask people 4" in html
    assert "Hide this comment" not in html


def test_coordinators_see_comments_before_release(client, coordinator, session):
    comments(session, 5)

    html = page(client, coordinator, session)

    assert "Loved the stories" in html
    assert "Ask people 1" in html
    assert RULE not in html


def test_managers_see_comments_but_cannot_hide_them(client, manager, session):
    comments(session, 5)

    html = page(client, manager, session)

    assert "Loved the stories" in html
    assert "Hide this comment" not in html


def test_comments_are_shown_as_text_not_markup(client, coordinator, session):
    comments(session, 5, first='<script>alert("x")</script><b>bold</b>')

    html = page(client, coordinator, session)

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html


# Releasing


def release_url(session) -> str:
    return reverse("evaluations:results-session-release", kwargs={"pk": session.pk})


def test_a_coordinator_releases_the_comments_with_the_button(client, coordinator, session):
    client.force_login(coordinator)
    assert "Release comments to the trainers" in page(client, coordinator, session)

    response = client.post(release_url(session), follow=True)

    release = FreeTextRelease.objects.get(session=session)
    assert release.released_by == coordinator
    assert "Comments released." in response.content.decode()
    assert AuditEvent.objects.filter(
        action=EvaluationAction.EVALUATION_COMMENTS_RELEASED,
        actor=coordinator,
        object_id=str(session.pk),
    ).exists()
    assert "Release comments to the trainers" not in page(client, coordinator, session)


def test_releasing_twice_keeps_the_first_release_and_says_so(client, coordinator, session):
    release(session, coordinator)
    client.force_login(coordinator)

    response = client.post(release_url(session), follow=True)

    assert FreeTextRelease.objects.filter(session=session).count() == 1
    assert "already released" in response.content.decode()
    assert (
        AuditEvent.objects.filter(action=EvaluationAction.EVALUATION_COMMENTS_RELEASED).count() == 1
    )


@pytest.mark.parametrize("who", ["trainer", "manager", "team_lead"])
def test_only_coordinators_release_comments(client, request, session, who):
    client.force_login(request.getfixturevalue(who))

    response = client.post(release_url(session))

    assert response.status_code == 403
    assert not FreeTextRelease.objects.exists()


# Hiding


@pytest.fixture
def comment(session) -> Answer:
    comments(session, 5, first="Trainer X talked about Ward 4 and named a patient")
    return Answer.objects.get(text__startswith="Trainer X")


def hide_url(answer) -> str:
    return reverse("evaluations:results-comment-hide", kwargs={"pk": answer.pk})


def test_a_coordinator_hides_a_comment_with_a_reason(client, coordinator, comment):
    client.force_login(coordinator)

    response = client.post(hide_url(comment), {"reason": "Names a patient"})

    comment.refresh_from_db()
    assert response.status_code == 302
    assert comment.hidden_by == coordinator
    assert comment.hidden_at is not None
    assert comment.hidden_reason == "Names a patient"
    assert comment.text.startswith("Trainer X")  # kept, not deleted


def test_hiding_is_audited_without_the_comment_or_the_reason(client, coordinator, comment):
    client.force_login(coordinator)

    client.post(hide_url(comment), {"reason": "Names a patient"})

    event = AuditEvent.objects.get(action=EvaluationAction.EVALUATION_COMMENT_HIDDEN)
    assert event.actor == coordinator
    assert event.changes == {"question": "most_useful"}
    assert "Ward 4" not in str(event.changes) + event.object_repr
    assert "patient" not in str(event.changes)


def test_a_hidden_comment_is_never_shown_to_the_trainers(
    client, coordinator, trainer, session, comment
):
    release(session, coordinator)
    answer_hide(answer=comment, by=coordinator, reason="Names a patient")

    html = page(client, trainer, session)

    assert "Comment 1" in html
    assert "Ward 4" not in html
    assert "Names a patient" not in html


def test_coordinators_see_a_hidden_comment_marked_with_who_and_why(
    client, coordinator, comment, session
):
    answer_hide(answer=comment, by=coordinator, reason="Names a patient")

    html = page(client, coordinator, session)

    assert f"Hidden by {coordinator.full_name}: Names a patient" in html
    assert "Ward 4" in html


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say why this comment is hidden from the trainers."),
        ("   ", "Say why this comment is hidden from the trainers."),
        ("x" * 301, "Keep the reason to 300 characters or fewer."),
    ],
)
def test_a_bad_reason_is_refused_at_the_field_and_kept(
    client, coordinator, comment, reason, message
):
    client.force_login(coordinator)

    response = client.post(hide_url(comment), {"reason": reason})

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'id="error_1_id_reason"' in html or "invalid-feedback" in html
    if reason.strip():
        assert reason in html
    comment.refresh_from_db()
    assert comment.hidden_at is None
    assert not AuditEvent.objects.filter(action=EvaluationAction.EVALUATION_COMMENT_HIDDEN).exists()


def test_a_comment_cannot_be_hidden_twice(client, coordinator, comment):
    answer_hide(answer=comment, by=coordinator, reason="Names a patient")
    client.force_login(coordinator)

    response = client.post(hide_url(comment), {"reason": "Again"})

    comment.refresh_from_db()
    assert comment.hidden_reason == "Names a patient"
    assert "already hidden" in response.content.decode()


def test_only_answers_in_words_can_be_hidden(client, coordinator, session):
    responses_for(session, 1)
    rating = Answer.objects.filter(number__isnull=False).first()
    client.force_login(coordinator)

    assert client.get(hide_url(rating)).status_code == 404


@pytest.mark.parametrize("who", ["trainer", "manager", "team_lead"])
def test_only_coordinators_hide_comments(client, request, comment, who):
    client.force_login(request.getfixturevalue(who))

    response = client.post(hide_url(comment), {"reason": "No"})

    comment.refresh_from_db()
    assert response.status_code == 403
    assert comment.hidden_at is None


# Across sessions, trainers read comments only from sessions that meet both conditions


def test_a_course_versions_page_shows_trainers_comments_only_from_released_sessions_with_5(
    client, coordinator, trainer, session
):
    version = session.course_version
    released_few = TrainingSessionFactory(course_version=version, status="delivered")
    unreleased = TrainingSessionFactory(course_version=version, status="delivered")
    comments(session, 5, first="From the released session")
    comments(released_few, 4, first="From the session with four")
    comments(unreleased, 6, first="From the unreleased session")
    release(session, coordinator)
    release(released_few, coordinator)
    hidden = Answer.objects.get(text="Comment 4", response__session=session)
    answer_hide(answer=hidden, by=coordinator, reason="Unkind")
    client.force_login(trainer)

    response = client.get(reverse("evaluations:results-course-version", args=[version.pk]))

    html = response.content.decode()
    assert "From the released session" in html
    assert "From the session with four" not in html
    assert "From the unreleased session" not in html
    assert "Unkind" not in html
    assert html.count("Comment 4") == 0
    assert "Comments come only from sessions whose comments a coordinator has released" in html


def test_a_coordinator_reads_every_sessions_comments_on_the_course_versions_page(
    client, coordinator, session
):
    other = TrainingSessionFactory(course_version=session.course_version, status="delivered")
    comments(other, 5, first="From the unreleased session")
    client.force_login(coordinator)

    response = client.get(
        reverse("evaluations:results-course-version", args=[session.course_version_id])
    )

    assert "From the unreleased session" in response.content.decode()
