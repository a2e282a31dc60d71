"""Course review (/courses/versions/<pk>/review/): a course version's evaluation results and its
delivery reports' "what to change", the reviews recorded by the coordinator and the trainers who
delivered it, and the next version started from a review."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from evaluations.audit_actions import EvaluationAction
from evaluations.models import CourseReview
from sessions.models import CourseVersion, DeliveryReport, TrainerAssignment, TrainingSession
from tests.factories import (
    CourseVersionFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
    WellbeingCheckInFactory,
    registrations_in_bulk,
    responses_for,
)

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def review_url(version) -> str:
    return reverse("evaluations:review-course-version", kwargs={"pk": version.pk})


def next_version_url(review) -> str:
    return reverse("evaluations:review-next-version", kwargs={"pk": review.pk})


def delivered_session(version, *, coordinator=None, lead=None, to_change="", debrief=None):
    session = TrainingSessionFactory(
        course_version=version,
        status=TrainingSession.Status.DELIVERED,
        coordinator=coordinator,
        starts_at=timezone.now() - timedelta(days=7),
        ends_at=timezone.now() - timedelta(days=7) + timedelta(hours=3),
    )
    if lead is not None:
        TrainerAssignmentFactory(
            session=session,
            user=lead,
            role=TrainerAssignment.Role.LEAD,
            status=TrainerAssignment.Status.ACCEPTED,
        )
    DeliveryReport.objects.create(
        session=session,
        delivered_as_planned=True,
        attendee_count=3,
        to_change=to_change,
        debrief=debrief,
    )
    return session


@pytest.fixture
def lead():
    """A service-user trainer who delivered the version."""
    return TrainerFactory(certified=True, user__full_name="Asha Lead").user


@pytest.fixture
def version(coordinator, lead):
    version = CourseVersionFactory(status=CourseVersion.Status.PILOT)
    session = delivered_session(
        version, coordinator=coordinator, lead=lead, to_change="Shorter icebreaker, please."
    )
    registrations_in_bulk(session, 3, status="attended")
    responses_for(session, 2)
    return version


def valid_data(*people, **changes) -> dict:
    data = {
        "held_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "participants": [person.pk for person in people],
        "findings": "Learners valued the lived experience stories.",
        "decisions": "Cut the icebreaker to ten minutes.",
    }
    return data | changes


def test_the_page_gathers_the_results_and_what_the_trainers_said_to_change(
    client, coordinator, version
):
    client.force_login(coordinator)

    page = text_of(client.get(review_url(version)))

    assert "Response rate: <strong>2 of 3 (67%)</strong>" in page
    assert "Shorter icebreaker, please." in page
    session = version.sessions.get()
    assert f"Session {session.code}, {session.starts_at:%-d %B %Y}" in page


def test_the_private_debrief_never_appears_on_the_page(client, coordinator, version, lead):
    debrief = WellbeingCheckInFactory(trainer=lead.trainer, notes="Felt shaken afterwards")
    delivered_session(version, lead=lead, to_change="More breaks.", debrief=debrief)
    client.force_login(coordinator)

    page = text_of(client.get(review_url(version)))

    assert "More breaks." in page
    assert "Felt shaken afterwards" not in page


def test_a_report_of_a_session_not_delivered_is_left_out(client, coordinator, version):
    session = TrainingSessionFactory(course_version=version)
    DeliveryReport.objects.create(
        session=session, delivered_as_planned=True, attendee_count=1, to_change="Not yet real."
    )
    client.force_login(coordinator)

    assert "Not yet real." not in text_of(client.get(review_url(version)))


def test_the_trainer_who_delivered_the_version_opens_the_page_and_can_record(client, lead, version):
    client.force_login(lead)

    response = client.get(review_url(version))

    assert response.status_code == 200
    assert "Record a review" in text_of(response)


def test_another_trainer_gets_a_404(client, other_trainer, version):
    client.force_login(other_trainer)

    assert client.get(review_url(version)).status_code == 404


def test_a_trainer_who_only_shadowed_gets_a_404(client, version):
    shadow = TrainerFactory(certified=True).user
    TrainerAssignmentFactory(
        session=version.sessions.get(), user=shadow, role="shadowing", status="accepted"
    )
    client.force_login(shadow)

    assert client.get(review_url(version)).status_code == 404


@pytest.mark.parametrize("role", ["team_lead", "admin_user"])
def test_team_leads_and_admins_are_refused(client, request, role, version):
    client.force_login(request.getfixturevalue(role))

    assert client.get(review_url(version)).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client, version):
    response = client.get(review_url(version))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_manager_reads_the_page_but_cannot_record_a_review(client, manager, lead, version):
    client.force_login(manager)

    page = client.get(review_url(version))
    posted = client.post(review_url(version), valid_data(lead))

    assert page.status_code == 200
    assert "Record a review" not in text_of(page)
    assert posted.status_code == 403
    assert not CourseReview.objects.exists()


def test_the_coordinator_records_a_review_and_it_is_audited(client, coordinator, lead, version):
    client.force_login(coordinator)

    response = client.post(review_url(version), valid_data(lead, coordinator))

    assert response.status_code == 302
    review = CourseReview.objects.get()
    assert review.course_version == version
    assert set(review.participants.all()) == {lead, coordinator}
    assert review.recorded_by == coordinator
    assert review.decisions == "Cut the icebreaker to ten minutes."
    assert AuditEvent.objects.filter(
        action=EvaluationAction.COURSE_REVIEW_RECORDED, actor=coordinator
    ).exists()


def test_the_trainer_who_delivered_it_records_a_review(client, lead, version):
    client.force_login(lead)

    client.post(review_url(version), valid_data(lead))

    assert CourseReview.objects.get().recorded_by == lead


def test_reviews_are_listed_newest_first(client, coordinator, lead, version):
    client.force_login(coordinator)
    client.post(
        review_url(version), valid_data(lead, findings="Older finding", held_on="2026-01-05")
    )
    client.post(
        review_url(version), valid_data(lead, findings="Newer finding", held_on="2026-03-05")
    )

    page = text_of(client.get(review_url(version)))

    assert page.index("Newer finding") < page.index("Older finding")
    assert "Review of 5 March 2026" in page


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [
        ("participants", {"participants": []}, "Choose who took part in the review."),
        ("participants", "only_coordinator", "At least one service-user trainer"),
        ("participants", "stranger", "Choose only from the people listed."),
        ("held_on", "tomorrow", "The review date cannot be in the future."),
        ("held_on", {"held_on": "not a date"}, "Enter the date as day, month and year"),
        ("findings", {"findings": "   "}, "Write down what the review found."),
        ("decisions", {"decisions": ""}, "Write down what the review decided to change."),
    ],
)
def test_a_bad_review_is_refused_at_the_field_keeping_what_was_typed(
    client, coordinator, lead, version, field, changes, message
):
    if changes == "only_coordinator":
        changes = {"participants": [coordinator.pk]}
    elif changes == "stranger":
        changes = {"participants": [lead.pk, TrainerFactory(certified=True).user.pk]}
    elif changes == "tomorrow":
        changes = {"held_on": (timezone.localdate() + timedelta(days=1)).isoformat()}
    client.force_login(coordinator)
    data = valid_data(lead, **changes) | {"findings": changes.get("findings", "Kept finding")}

    response = client.post(review_url(version), data)

    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    page = response.content.decode()
    assert 'class="invalid-feedback"' in page
    if field != "findings":
        assert "Kept finding" in page
    assert not CourseReview.objects.exists()
    assert not AuditEvent.objects.filter(action=EvaluationAction.COURSE_REVIEW_RECORDED).exists()


def test_a_staff_co_facilitator_alone_is_not_a_service_user_trainer(
    client, coordinator, lead, version
):
    staff = UserFactory(full_name="Sam Staff")
    TrainerAssignmentFactory(
        session=version.sessions.get(), user=staff, role="co_trainer", status="accepted"
    )
    client.force_login(coordinator)

    response = client.post(review_url(version), valid_data(staff))

    assert "At least one service-user trainer" in str(response.context["form"].errors)
    assert not CourseReview.objects.exists()


@pytest.fixture
def review(coordinator, lead, version):
    review = CourseReview.objects.create(
        course_version=version,
        held_on=timezone.localdate(),
        findings="Found",
        decisions="Decided",
        recorded_by=coordinator,
    )
    review.participants.set([lead])
    return review


def test_the_coordinator_starts_the_next_version_from_a_review(client, coordinator, review):
    client.force_login(coordinator)

    response = client.post(next_version_url(review))

    review.refresh_from_db()
    draft = review.next_version
    assert draft.status == CourseVersion.Status.DRAFT
    assert draft.number == review.course_version.number + 1
    assert response.url == reverse("sessions:course-version-detail", kwargs={"pk": draft.pk})
    assert AuditEvent.objects.filter(action=EvaluationAction.COURSE_REVIEW_NEXT_VERSION).exists()
    page = text_of(client.get(response.url))
    assert f"Started from the review of {review.held_on:%-d %B %Y}" in re.sub(r"<[^>]+>", "", page)


def test_when_a_draft_exists_the_coordinator_is_told_and_given_its_link(
    client, coordinator, review
):
    draft = CourseVersionFactory(course=review.course_version.course, status="draft")
    client.force_login(coordinator)

    response = client.post(next_version_url(review), follow=True)

    page = text_of(response)
    assert f"already has a draft, version {draft.number}" in page
    assert reverse("sessions:course-version-detail", kwargs={"pk": draft.pk}) in page
    assert CourseVersion.objects.filter(status="draft").count() == 1
    review.refresh_from_db()
    assert review.next_version is None


def test_starting_twice_from_the_same_review_makes_one_version(client, coordinator, review):
    client.force_login(coordinator)
    client.post(next_version_url(review))

    response = client.post(next_version_url(review), follow=True)

    assert CourseVersion.objects.filter(status="draft").count() == 1
    assert "was already started from this review" in text_of(response)


def test_only_a_coordinator_starts_the_next_version(client, lead, review):
    client.force_login(lead)

    assert client.post(next_version_url(review)).status_code == 403
    assert not CourseVersion.objects.filter(status="draft").exists()


def test_the_course_version_page_links_to_its_review(client, coordinator, version):
    client.force_login(coordinator)

    page = client.get(reverse("sessions:course-version-detail", kwargs={"pk": version.pk}))

    assert review_url(version) in page.content.decode()


def _version_with_sessions(n: int, coordinator, lead):
    version = CourseVersionFactory(status=CourseVersion.Status.PILOT)
    sessions = TrainingSession.objects.bulk_create(
        TrainingSession(
            code=f"R{n}-{i:04d}",
            course_version=version,
            starts_at=timezone.now() - timedelta(days=i + 1),
            ends_at=timezone.now() - timedelta(days=i + 1) + timedelta(hours=3),
            region_id=TrainingSessionFactory().region_id,
            capacity=12,
            status=TrainingSession.Status.DELIVERED,
            coordinator=coordinator,
        )
        for i in range(n)
    )
    TrainerAssignment.objects.bulk_create(
        TrainerAssignment(session=s, user=lead, role="lead", status="accepted") for s in sessions
    )
    DeliveryReport.objects.bulk_create(
        DeliveryReport(
            session=s, delivered_as_planned=True, attendee_count=3, to_change=f"Change {s.code}"
        )
        for s in sessions
    )
    for day in range(min(n, 5)):
        review = CourseReview.objects.create(
            course_version=version,
            held_on=timezone.localdate() - timedelta(days=day),
            findings="F",
            decisions="D",
        )
        review.participants.set([lead, coordinator])
    return version


def test_the_page_costs_the_same_queries_for_1_or_50_sessions(
    client, coordinator, lead, django_assert_max_num_queries
):
    few = _version_with_sessions(1, coordinator, lead)
    many = _version_with_sessions(50, coordinator, lead)
    client.force_login(coordinator)
    client.get(review_url(few))  # warm up the session and caches

    with django_assert_max_num_queries(30) as few_queries:
        assert client.get(review_url(few)).status_code == 200
    with django_assert_max_num_queries(30) as many_queries:
        page = client.get(review_url(many))

    assert "Change R50-0049" in page.content.decode()
    assert len(few_queries.captured_queries) == len(many_queries.captured_queries)
