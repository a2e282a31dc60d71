"""Coordinators keep courses at /courses/: a course has versions, a draft is changed freely
(outcomes, activities, co-designers), then goes to pilot or is published and is never changed
again; a new version is started from it instead."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from people.models import Role
from sessions.audit_actions import SessionAction
from sessions.models import Activity, Course, CourseVersion, LearningOutcome, TrainingSession
from sessions.services import (
    activity_add,
    activity_move,
    activity_remove,
    activity_update,
    course_create,
    course_version_copy,
    course_version_pilot,
    course_version_publish,
    course_version_update,
    outcome_add,
    outcome_move,
    outcome_remove,
    outcome_update,
)
from tests.factories import (
    ActivityFactory,
    CourseFactory,
    CourseVersionFactory,
    LearningOutcomeFactory,
    RegionFactory,
    RoleDescriptionFactory,
    TrainerFactory,
    UserFactory,
    published_role_description,
)
from trainers.models import RoleDescription, Trainer

pytestmark = pytest.mark.django_db

COURSES = reverse("sessions:course-list")
CREATE = reverse("sessions:course-create")


def version_url(version: CourseVersion, name: str = "course-version-detail") -> str:
    return reverse(f"sessions:{name}", kwargs={"pk": version.pk})


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def draft() -> CourseVersion:
    """A draft version 1 with no outcomes yet."""
    return CourseVersionFactory(
        course__title="Hearing Voices", status=CourseVersion.Status.DRAFT, outcome=None
    )


def outcomes_of(version: CourseVersion) -> list[str]:
    return list(version.outcomes.order_by("order", "pk").values_list("text", flat=True))


def titles_of(outcome: LearningOutcome) -> list[str]:
    return list(outcome.activities.order_by("order", "pk").values_list("title", flat=True))


# Creating a course


def test_creating_a_course_makes_its_first_version_a_draft():
    version = course_create(title="  Hearing   Voices ", aims="Understand voices.")

    assert version.course.title == "Hearing Voices"
    assert version.number == 1
    assert version.status == CourseVersion.Status.DRAFT
    assert version.aims == "Understand voices."


@pytest.mark.parametrize("title", ["Hearing Voices", "hearing voices", " HEARING VOICES "])
def test_a_course_title_is_refused_when_it_is_taken_whatever_its_case(title):
    CourseFactory(title="Hearing Voices")

    with pytest.raises(ValidationError) as refusal:
        course_create(title=title)

    assert refusal.value.message_dict["title"] == [
        "There is already a course called “Hearing Voices”."
    ]
    assert Course.objects.count() == 1


def test_a_coordinator_creates_a_course_and_lands_on_its_draft(coordinator_client):
    response = coordinator_client.post(CREATE, {"title": "Hearing Voices", "aims": "Listen."})

    version = CourseVersion.objects.get(course__title="Hearing Voices")
    assert response.status_code == 302
    assert response.url == version_url(version)
    assert version.status == CourseVersion.Status.DRAFT
    assert version.aims == "Listen."


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Give the course a title."),
        ("   ", "Give the course a title."),
        ("x" * 201, "Keep the title to 200 characters or fewer."),
        ("HEARING voices", "There is already a course called “Hearing Voices”."),
    ],
)
def test_a_bad_course_title_is_refused_at_the_field_and_nothing_is_saved(
    coordinator_client, title, message
):
    CourseFactory(title="Hearing Voices")

    response = coordinator_client.post(CREATE, {"title": title, "aims": "Aims I typed"})

    assert response.status_code == 200
    assert message in response.context["form"].errors["title"]
    assert "Aims I typed" in response.content.decode()
    assert Course.objects.count() == 1
    assert CourseVersion.objects.count() == 1


# The course list


def test_the_list_shows_each_courses_newest_version_and_published_version(coordinator_client):
    course = CourseFactory(title="Hearing Voices")
    CourseVersionFactory(course=course, status=CourseVersion.Status.DRAFT)
    CourseVersionFactory(course__title="Self-harm: a different view", status="pilot")

    page = coordinator_client.get(COURSES).content.decode()

    assert "Hearing Voices" in page
    assert "Version 2 (draft)" in page
    assert "Version 1</td>" in page
    assert "Version 1 (pilot)" in page
    assert "Not published yet" in page


def test_the_list_links_to_the_newest_version(coordinator_client):
    course = CourseFactory()
    newest = CourseVersionFactory(course=course, status=CourseVersion.Status.DRAFT)

    page = coordinator_client.get(COURSES).content.decode()

    assert f'href="{version_url(newest)}"' in page


@pytest.mark.parametrize("url", [COURSES, CREATE])
@pytest.mark.parametrize(
    ("who", "status"),
    [("trainer", 403), ("team_lead", 403), ("manager", 403), ("admin_user", 403)],
)
def test_only_coordinators_reach_the_course_pages(client, request, url, who, status):
    client.force_login(request.getfixturevalue(who))

    assert client.get(url).status_code == status


@pytest.mark.parametrize("url", [COURSES, CREATE])
def test_visitors_are_sent_to_sign_in_from_the_course_pages(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Editing a draft


def test_a_draft_keeps_aims_guidance_role_description_and_co_designers(coordinator_client, draft):
    role = published_role_description()
    alex, sam = TrainerFactory(), TrainerFactory()

    response = coordinator_client.post(
        version_url(draft, "course-version-edit"),
        {
            "aims": "Understand voices.",
            "support_guidance": "A debrief after every session.",
            "role_description": role.pk,
            "co_designers": [alex.pk, sam.pk],
        },
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.aims == "Understand voices."
    assert draft.support_guidance == "A debrief after every session."
    assert draft.role_description == role
    assert set(draft.co_designers.all()) == {alex, sam}


def test_the_edit_form_offers_published_and_retired_role_descriptions_only(
    coordinator_client, draft
):
    RoleDescriptionFactory(title="Retired role", status=RoleDescription.Status.RETIRED)
    RoleDescriptionFactory(title="Published role", status=RoleDescription.Status.PUBLISHED)
    hidden = RoleDescriptionFactory(title="Draft role")

    response = coordinator_client.post(
        version_url(draft, "course-version-edit"), {"aims": "A", "role_description": hidden.pk}
    )

    page = response.content.decode()
    assert "Retired role" in page
    assert "Published role" in page
    assert "Draft role" not in page
    assert response.context["form"].errors["role_description"] == [
        "Choose one of the role descriptions listed."
    ]
    draft.refresh_from_db()
    assert draft.role_description is None


def test_the_service_refuses_a_draft_role_description(draft):
    with pytest.raises(ValidationError) as refusal:
        course_version_update(version=draft, aims="A", role_description=RoleDescriptionFactory())

    assert "Choose a role description that has been published." in str(refusal.value)


def test_trainers_who_have_left_are_offered_only_if_already_credited(coordinator_client, draft):
    credited = TrainerFactory(user__full_name="Credited Leaver", status=Trainer.Status.LEFT)
    TrainerFactory(user__full_name="Other Leaver", status=Trainer.Status.LEFT)
    TrainerFactory(user__full_name="Active Trainer", status=Trainer.Status.ACTIVE)
    draft.co_designers.add(credited)

    page = coordinator_client.get(version_url(draft, "course-version-edit")).content.decode()

    assert "Credited Leaver" in page
    assert "Active Trainer" in page
    assert "Other Leaver" not in page


def test_a_co_designer_who_is_not_offered_is_refused_and_nothing_changes(coordinator_client, draft):
    left = TrainerFactory(status=Trainer.Status.LEFT)

    response = coordinator_client.post(
        version_url(draft, "course-version-edit"),
        {"aims": "Changed aims", "co_designers": [left.pk]},
    )

    assert response.context["form"].errors["co_designers"] == [
        "Choose only from the trainers listed."
    ]
    assert "Changed aims" in response.content.decode()
    draft.refresh_from_db()
    assert draft.aims != "Changed aims"
    assert not draft.co_designers.exists()


def test_html_in_a_drafts_text_is_shown_escaped(coordinator_client, draft):
    script = "<script>alert('x')</script>"
    course_version_update(version=draft, aims=script, support_guidance=script)
    outcome = outcome_add(version=draft, text=script)
    activity_add(outcome=outcome, title=script, duration_minutes=5, trainer_notes=script)

    page = coordinator_client.get(version_url(draft)).content.decode()

    assert script not in page
    assert "&lt;script&gt;" in page


# Learning outcomes


def test_outcomes_are_added_at_the_end_in_order(draft):
    outcome_add(version=draft, text="First")
    outcome_add(version=draft, text="Second")

    assert outcomes_of(draft) == ["First", "Second"]


def test_a_coordinator_adds_an_outcome_from_the_page(coordinator_client, draft):
    response = coordinator_client.post(
        version_url(draft, "outcome-create"), {"text": "Describe three ways to help."}
    )

    assert response.status_code == 302
    assert outcomes_of(draft) == ["Describe three ways to help."]


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_outcome_is_refused_at_the_field(coordinator_client, draft, text):
    response = coordinator_client.post(version_url(draft, "outcome-create"), {"text": text})

    assert response.status_code == 200
    assert response.context["form"].errors["text"] == ["Say what learners will be able to do."]
    assert not draft.outcomes.exists()


def test_a_coordinator_rewords_an_outcome(coordinator_client, draft):
    outcome = LearningOutcomeFactory(version=draft, text="Old")

    coordinator_client.post(
        reverse("sessions:outcome-edit", kwargs={"pk": outcome.pk}), {"text": "New"}
    )

    outcome.refresh_from_db()
    assert outcome.text == "New"


def test_an_emptied_outcome_keeps_its_old_wording(coordinator_client, draft):
    outcome = LearningOutcomeFactory(version=draft, text="Old")

    response = coordinator_client.post(
        reverse("sessions:outcome-edit", kwargs={"pk": outcome.pk}), {"text": ""}
    )

    assert response.context["form"].errors["text"] == ["Say what learners will be able to do."]
    outcome.refresh_from_db()
    assert outcome.text == "Old"


def test_removing_an_outcome_asks_first_then_removes_its_activities(coordinator_client, draft):
    outcome = LearningOutcomeFactory(version=draft)
    ActivityFactory(outcome=outcome)
    url = reverse("sessions:outcome-delete", kwargs={"pk": outcome.pk})

    page = coordinator_client.get(url).content.decode()
    response = coordinator_client.post(url)

    assert "2 activities will be removed too" in page
    assert response.status_code == 302
    assert not LearningOutcome.objects.filter(pk=outcome.pk).exists()
    assert not Activity.objects.filter(outcome_id=outcome.pk).exists()


@pytest.mark.parametrize(
    ("moved", "up", "expected"),
    [
        ("B", True, ["B", "A", "C"]),
        ("B", False, ["A", "C", "B"]),
        ("A", True, ["A", "B", "C"]),
        ("C", False, ["A", "B", "C"]),
    ],
)
def test_outcomes_move_one_place_up_or_down(draft, moved, up, expected):
    outcomes = {text: outcome_add(version=draft, text=text) for text in "ABC"}

    outcome_move(outcome=outcomes[moved], up=up)

    assert outcomes_of(draft) == expected


def test_outcomes_with_the_same_order_number_still_move(draft):
    first = LearningOutcomeFactory(version=draft, text="A", order=1, activity=None)
    LearningOutcomeFactory(version=draft, text="B", order=1, activity=None)

    outcome_move(outcome=first, up=False)

    assert outcomes_of(draft) == ["B", "A"]


def test_a_coordinator_moves_an_outcome_from_the_page(coordinator_client, draft):
    outcome_add(version=draft, text="A")
    second = outcome_add(version=draft, text="B")

    response = coordinator_client.post(
        reverse("sessions:outcome-move", kwargs={"pk": second.pk}), {"direction": "up"}
    )

    assert response.url == version_url(draft) + f"#outcome-{second.pk}"
    assert outcomes_of(draft) == ["B", "A"]


# Activities


def activity_data(**changes) -> dict:
    data = {
        "title": "Story circle",
        "duration_minutes": "20",
        "materials": "Chairs in a circle",
        "instructions": "Listen without interrupting.",
        "trainer_notes": "Offer a break.",
    }
    return data | changes


def test_a_coordinator_adds_an_activity_to_an_outcome(coordinator_client, draft):
    outcome = LearningOutcomeFactory(version=draft, activity=None)

    response = coordinator_client.post(
        reverse("sessions:activity-create", kwargs={"pk": outcome.pk}), activity_data()
    )

    assert response.status_code == 302
    activity = outcome.activities.get()
    assert activity.title == "Story circle"
    assert activity.duration_minutes == 20
    assert activity.materials == "Chairs in a circle"
    assert activity.instructions == "Listen without interrupting."
    assert activity.trainer_notes == "Offer a break."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Give the activity a title."),
        ("title", "x" * 201, "Keep the title to 200 characters or fewer."),
        ("duration_minutes", "", "Enter a duration from 1 to 480 minutes."),
        ("duration_minutes", "0", "Enter a duration from 1 to 480 minutes."),
        ("duration_minutes", "-5", "Enter a duration from 1 to 480 minutes."),
        ("duration_minutes", "481", "Enter a duration from 1 to 480 minutes."),
        ("duration_minutes", "ten", "Enter the duration as a whole number of minutes, like 20."),
        ("duration_minutes", "2.5", "Enter the duration as a whole number of minutes, like 20."),
    ],
)
def test_a_bad_activity_is_refused_at_the_field_keeping_what_was_typed(
    coordinator_client, draft, field, value, message
):
    outcome = LearningOutcomeFactory(version=draft, activity=None)

    response = coordinator_client.post(
        reverse("sessions:activity-create", kwargs={"pk": outcome.pk}),
        activity_data(**{field: value}),
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    page = response.content.decode()
    assert "Listen without interrupting." in page
    if value:
        assert f'value="{value}"' in page
    assert not outcome.activities.exists()


def test_the_service_refuses_a_blank_title_or_a_zero_duration(draft):
    outcome = LearningOutcomeFactory(version=draft, activity=None)

    with pytest.raises(ValidationError) as refusal:
        activity_add(outcome=outcome, title="  ", duration_minutes=0)

    assert set(refusal.value.message_dict) == {"title", "duration_minutes"}
    assert not outcome.activities.exists()


def test_a_coordinator_changes_an_activity(coordinator_client, draft):
    activity = ActivityFactory(outcome=LearningOutcomeFactory(version=draft, activity=None))

    coordinator_client.post(
        reverse("sessions:activity-edit", kwargs={"pk": activity.pk}),
        activity_data(title="Role play", duration_minutes="45"),
    )

    activity.refresh_from_db()
    assert (activity.title, activity.duration_minutes) == ("Role play", 45)


def test_a_bad_change_to_an_activity_saves_none_of_it(coordinator_client, draft):
    activity = ActivityFactory(outcome=LearningOutcomeFactory(version=draft, activity=None))
    before = Activity.objects.values().get(pk=activity.pk)

    response = coordinator_client.post(
        reverse("sessions:activity-edit", kwargs={"pk": activity.pk}),
        activity_data(title="Role play", duration_minutes="0"),
    )

    assert response.status_code == 200
    assert Activity.objects.values().get(pk=activity.pk) == before


def test_removing_an_activity_asks_first(coordinator_client, draft):
    activity = ActivityFactory(
        title="Story circle", outcome=LearningOutcomeFactory(version=draft, activity=None)
    )
    url = reverse("sessions:activity-delete", kwargs={"pk": activity.pk})

    page = coordinator_client.get(url).content.decode()
    coordinator_client.post(url)

    assert "Remove the activity “Story circle”?" in page
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_activities_move_within_their_outcome(draft):
    outcome = LearningOutcomeFactory(version=draft, activity=None)
    activities = [
        activity_add(outcome=outcome, title=title, duration_minutes=10) for title in "ABC"
    ]

    activity_move(activity=activities[2], up=True)

    assert titles_of(outcome) == ["A", "C", "B"]


def test_a_coordinator_moves_an_activity_from_the_page(coordinator_client, draft):
    outcome = LearningOutcomeFactory(version=draft, activity=None)
    first = activity_add(outcome=outcome, title="A", duration_minutes=10)
    activity_add(outcome=outcome, title="B", duration_minutes=10)

    coordinator_client.post(
        reverse("sessions:activity-move", kwargs={"pk": first.pk}), {"direction": "down"}
    )

    assert titles_of(outcome) == ["B", "A"]


# A pilot or published version is never changed


@pytest.fixture(params=[CourseVersion.Status.PILOT, CourseVersion.Status.PUBLISHED])
def fixed(request) -> CourseVersion:
    return CourseVersionFactory(course__title="Hearing Voices", status=request.param)


CHANGES = {
    "update": lambda v: course_version_update(version=v, aims="Changed"),
    "outcome_add": lambda v: outcome_add(version=v, text="Changed"),
    "outcome_update": lambda v: outcome_update(outcome=v.outcomes.get(), text="Changed"),
    "outcome_remove": lambda v: outcome_remove(outcome=v.outcomes.get()),
    "outcome_move": lambda v: outcome_move(outcome=v.outcomes.get(), up=True),
    "activity_add": lambda v: activity_add(
        outcome=v.outcomes.get(), title="Changed", duration_minutes=5
    ),
    "activity_update": lambda v: activity_update(
        activity=Activity.objects.get(outcome__version=v), title="Changed", duration_minutes=5
    ),
    "activity_remove": lambda v: activity_remove(activity=Activity.objects.get(outcome__version=v)),
    "activity_move": lambda v: activity_move(
        activity=Activity.objects.get(outcome__version=v), up=True
    ),
}


def snapshot(version: CourseVersion) -> tuple:
    return (
        CourseVersion.objects.values("aims", "support_guidance").get(pk=version.pk),
        list(LearningOutcome.objects.filter(version=version).values()),
        list(Activity.objects.filter(outcome__version=version).values()),
    )


@pytest.mark.parametrize("change", CHANGES)
def test_a_pilot_or_published_version_is_never_changed(fixed, change):
    before = snapshot(fixed)

    with pytest.raises(ValidationError) as refusal:
        CHANGES[change](fixed)

    assert refusal.value.messages == [
        f"Version 1 of “Hearing Voices” is {fixed.get_status_display().lower()}, so it cannot "
        "be changed. Start a new version from it instead."
    ]
    assert snapshot(fixed) == before


def change_pages(version: CourseVersion) -> list[str]:
    outcome = version.outcomes.get()
    activity = outcome.activities.get()
    return [
        version_url(version, "course-version-edit"),
        version_url(version, "outcome-create"),
        reverse("sessions:outcome-edit", kwargs={"pk": outcome.pk}),
        reverse("sessions:outcome-delete", kwargs={"pk": outcome.pk}),
        reverse("sessions:activity-create", kwargs={"pk": outcome.pk}),
        reverse("sessions:activity-edit", kwargs={"pk": activity.pk}),
        reverse("sessions:activity-delete", kwargs={"pk": activity.pk}),
    ]


def test_the_change_pages_of_a_fixed_version_show_the_version_instead(coordinator_client, fixed):
    for url in change_pages(fixed):
        response = coordinator_client.get(url, follow=True)

        assert response.redirect_chain == [(version_url(fixed), 302)], url
        assert "so it cannot be changed. Start a new version from it instead." in (
            response.content.decode()
        )


def test_posting_changes_to_a_fixed_version_changes_nothing(coordinator_client, fixed):
    before = snapshot(fixed)
    outcome = fixed.outcomes.get()
    activity = outcome.activities.get()

    responses = [
        coordinator_client.post(version_url(fixed, "course-version-edit"), {"aims": "Changed"}),
        coordinator_client.post(version_url(fixed, "outcome-create"), {"text": "Changed"}),
        coordinator_client.post(
            reverse("sessions:activity-edit", kwargs={"pk": activity.pk}), activity_data()
        ),
        coordinator_client.post(reverse("sessions:outcome-delete", kwargs={"pk": outcome.pk})),
        coordinator_client.post(reverse("sessions:activity-delete", kwargs={"pk": activity.pk})),
        coordinator_client.post(
            reverse("sessions:outcome-move", kwargs={"pk": outcome.pk}), {"direction": "up"}
        ),
    ]

    assert [r.status_code for r in responses[:3]] == [200, 200, 200]
    assert "cannot be changed" in responses[0].content.decode()
    assert snapshot(fixed) == before


def test_a_fixed_version_page_offers_no_changes_but_a_new_version(coordinator_client, fixed):
    page = coordinator_client.get(version_url(fixed)).content.decode()

    assert version_url(fixed, "course-version-edit") not in page
    assert version_url(fixed, "outcome-create") not in page
    assert "Start a new version" in page


# Pilot and publish


def test_a_complete_draft_goes_to_pilot_and_is_recorded(coordinator):
    version = CourseVersionFactory(status=CourseVersion.Status.DRAFT)

    course_version_pilot(version=version, by=coordinator)

    version.refresh_from_db()
    assert version.status == CourseVersion.Status.PILOT
    assert version.published_at is None
    event = AuditEvent.objects.get(action=SessionAction.COURSE_VERSION_PILOTED)
    assert (event.actor, event.object_id) == (coordinator, str(version.pk))


@pytest.mark.parametrize("start", [CourseVersion.Status.DRAFT, CourseVersion.Status.PILOT])
def test_a_complete_draft_or_pilot_is_published_and_recorded(coordinator, start):
    version = CourseVersionFactory(status=start)

    course_version_publish(version=version, by=coordinator)

    version.refresh_from_db()
    assert version.status == CourseVersion.Status.PUBLISHED
    assert version.published_at is not None
    assert (
        AuditEvent.objects.get(action=SessionAction.COURSE_VERSION_PUBLISHED).actor == coordinator
    )


@pytest.mark.parametrize("service", [course_version_pilot, course_version_publish])
def test_a_version_without_aims_or_outcomes_is_refused_saying_what_is_missing(
    coordinator, draft, service
):
    draft.aims = ""
    draft.save()

    with pytest.raises(ValidationError) as refusal:
        service(version=draft, by=coordinator)

    assert refusal.value.messages[1:] == [
        "Write the learning aims.",
        "Add at least one learning outcome.",
    ]
    draft.refresh_from_db()
    assert draft.status == CourseVersion.Status.DRAFT


@pytest.mark.parametrize("service", [course_version_pilot, course_version_publish])
def test_an_outcome_without_activities_is_refused_naming_the_outcome(coordinator, service):
    version = CourseVersionFactory(status=CourseVersion.Status.DRAFT)
    LearningOutcomeFactory(version=version, text="Spot early signs", activity=None)

    with pytest.raises(ValidationError) as refusal:
        service(version=version, by=coordinator)

    assert refusal.value.messages[1:] == [
        "Add at least one activity to outcome 2, “Spot early signs”."
    ]
    assert not AuditEvent.objects.filter(
        action__in=[SessionAction.COURSE_VERSION_PILOTED, SessionAction.COURSE_VERSION_PUBLISHED]
    ).exists()


def test_a_pilot_cannot_go_to_pilot_again(coordinator):
    version = CourseVersionFactory(status=CourseVersion.Status.PILOT)

    with pytest.raises(
        ValidationError, match=re.escape("is already pilot. Only a draft can go to pilot.")
    ):
        course_version_pilot(version=version, by=coordinator)


def test_a_published_version_cannot_be_published_again(coordinator):
    version = CourseVersionFactory(course__title="Hearing Voices")
    first_published = version.published_at

    with pytest.raises(ValidationError, match="“Hearing Voices” is already published"):
        course_version_publish(version=version, by=coordinator)

    version.refresh_from_db()
    assert version.published_at == first_published


def test_the_page_lists_what_a_draft_still_needs_and_offers_no_publishing(
    coordinator_client, draft
):
    page = coordinator_client.get(version_url(draft)).content.decode()

    assert "Before this version can go to pilot or be published:" in page
    assert "Add at least one learning outcome." in page
    assert version_url(draft, "course-version-publish") not in page


def test_a_coordinator_pilots_then_publishes_from_the_page(coordinator_client):
    version = CourseVersionFactory(status=CourseVersion.Status.DRAFT)

    piloted = coordinator_client.post(version_url(version, "course-version-pilot"), follow=True)
    published = coordinator_client.post(version_url(version, "course-version-publish"), follow=True)

    assert "is now a pilot" in piloted.content.decode()
    assert "is published" in published.content.decode()
    version.refresh_from_db()
    assert version.status == CourseVersion.Status.PUBLISHED


def test_publishing_an_incomplete_draft_from_the_page_says_why(coordinator_client, draft):
    response = coordinator_client.post(version_url(draft, "course-version-publish"), follow=True)

    page = response.content.decode()
    assert "Version 1 of “Hearing Voices” cannot be published yet." in page
    assert "Add at least one learning outcome." in page
    draft.refresh_from_db()
    assert draft.status == CourseVersion.Status.DRAFT


# New versions


def test_a_new_version_copies_everything_into_the_next_draft(coordinator):
    trainer = TrainerFactory()
    source = CourseVersionFactory(
        aims="Aims", support_guidance="Guidance", role_description=published_role_description()
    )
    source.co_designers.add(trainer)
    second = LearningOutcomeFactory(version=source, text="Second outcome")
    ActivityFactory(outcome=second, title="Extra choice", duration_minutes=15)
    CourseVersionFactory(course=source.course, status=CourseVersion.Status.PILOT)

    copy = course_version_copy(version=source)

    assert copy.number == 3
    assert copy.status == CourseVersion.Status.DRAFT
    assert (copy.aims, copy.support_guidance) == ("Aims", "Guidance")
    assert copy.role_description == source.role_description
    assert list(copy.co_designers.all()) == [trainer]
    assert outcomes_of(copy) == outcomes_of(source)
    copied = copy.outcomes.order_by("order", "pk")
    assert titles_of(copied[1]) == titles_of(second)
    assert Activity.objects.filter(outcome__version=copy).count() == 3
    assert copied[1].activities.get(title="Extra choice").duration_minutes == 15


def test_the_source_of_a_new_version_is_left_as_it_was(coordinator):
    source = CourseVersionFactory()
    before = snapshot(source)
    copy = course_version_copy(version=source)

    outcome_update(outcome=copy.outcomes.get(), text="Reworded in the new draft")

    assert snapshot(source) == before
    source.refresh_from_db()
    assert source.status == CourseVersion.Status.PUBLISHED


def test_a_draft_is_not_copied_but_changed(draft):
    with pytest.raises(ValidationError, match="is a draft: change it instead of copying it"):
        course_version_copy(version=draft)


def test_a_second_draft_of_the_same_course_is_refused_naming_the_first():
    source = CourseVersionFactory(course__title="Hearing Voices")
    course_version_copy(version=source)

    with pytest.raises(ValidationError) as refusal:
        course_version_copy(version=source)

    assert "“Hearing Voices” already has a draft, version 2." in refusal.value.messages[0]
    assert source.course.versions.count() == 2


def test_a_coordinator_starts_a_new_version_from_the_page(coordinator_client):
    source = CourseVersionFactory()

    response = coordinator_client.post(version_url(source, "course-version-copy"))

    copy = source.course.versions.get(number=2)
    assert response.url == version_url(copy)
    assert copy.status == CourseVersion.Status.DRAFT


def test_sessions_keep_the_version_they_were_scheduled_with(coordinator):
    first = CourseVersionFactory()
    session = TrainingSession.objects.create(
        code="HV-1",
        course_version=first,
        starts_at=timezone.now() + timedelta(days=7),
        ends_at=timezone.now() + timedelta(days=7, hours=3),
        region=RegionFactory(),
        capacity=12,
    )
    second = course_version_copy(version=first)
    outcome_update(outcome=second.outcomes.get(), text="Reworded")

    course_version_publish(version=second, by=coordinator)

    session.refresh_from_db()
    assert session.course_version == first


# The version page


def test_the_version_page_shows_outcomes_in_order_with_their_activities(coordinator_client):
    version = CourseVersionFactory(status=CourseVersion.Status.DRAFT, outcome=None)
    later = LearningOutcomeFactory(version=version, text="Later outcome", order=2, activity=None)
    earlier = LearningOutcomeFactory(
        version=version, text="Earlier outcome", order=1, activity=None
    )
    ActivityFactory(outcome=later, title="Role play", duration_minutes=45)
    ActivityFactory(outcome=earlier, title="Story circle", instructions="Sit in a circle.")

    page = coordinator_client.get(version_url(version)).content.decode()

    assert page.index("Earlier outcome") < page.index("Story circle") < page.index("Later outcome")
    assert "45 minutes" in page
    assert "Sit in a circle." in page


def test_the_version_page_lists_every_version_of_the_course(coordinator_client):
    first = CourseVersionFactory()
    second = CourseVersionFactory(course=first.course, status=CourseVersion.Status.DRAFT)

    page = coordinator_client.get(version_url(first)).content.decode()

    assert f'href="{version_url(second)}"' in page
    assert f'href="{version_url(first)}" aria-current="page"' in page


def test_the_version_page_names_the_co_designers(coordinator_client):
    version = CourseVersionFactory()
    version.co_designers.add(TrainerFactory(user=UserFactory(full_name="Alex Rivera")))

    page = coordinator_client.get(version_url(version)).content.decode()

    assert "Alex Rivera" in page


def test_trainers_do_not_reach_the_coordinators_version_page(client):
    trainer = TrainerFactory()
    version = CourseVersionFactory()
    version.co_designers.add(trainer)
    client.force_login(trainer.user)

    assert client.get(version_url(version)).status_code == 403


def test_a_missing_version_is_not_found(coordinator_client):
    assert coordinator_client.get("/courses/versions/999999/").status_code == 404


# Query bounds


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def courses_in_bulk(count: int) -> None:
    start = Course.objects.count()
    courses = Course.objects.bulk_create(
        Course(title=f"Bulk course {n:04}") for n in range(start, start + count)
    )
    CourseVersion.objects.bulk_create(
        CourseVersion(course=course, number=number, status=status, aims="Aims")
        for course in courses
        for number, status in [(1, "published"), (2, "draft")]
    )


def test_the_course_list_runs_the_same_queries_for_1_or_200_courses(
    coordinator_client, django_assert_max_num_queries
):
    courses_in_bulk(1)
    one = queries_for(coordinator_client, COURSES)

    courses_in_bulk(199)

    with django_assert_max_num_queries(10):
        coordinator_client.get(COURSES)
    assert queries_for(coordinator_client, COURSES) == one


def test_the_version_page_runs_the_same_queries_for_1_or_200_activities(
    coordinator_client, django_assert_max_num_queries
):
    version = CourseVersionFactory(status=CourseVersion.Status.DRAFT)
    version.co_designers.add(TrainerFactory())
    url = version_url(version)
    one = queries_for(coordinator_client, url)

    outcomes = LearningOutcome.objects.bulk_create(
        LearningOutcome(version=version, text=f"Outcome {n}", order=n + 2) for n in range(19)
    )
    Activity.objects.bulk_create(
        Activity(outcome=outcomes[n % 19], title=f"Activity {n}", duration_minutes=10, order=n)
        for n in range(199)
    )
    version.co_designers.add(*TrainerFactory.create_batch(3))
    assert Activity.objects.filter(outcome__version=version).count() == 200

    with django_assert_max_num_queries(15):
        coordinator_client.get(url)
    assert queries_for(coordinator_client, url) == one


def test_the_course_list_is_paginated_by_50(coordinator_client):
    courses_in_bulk(51)

    response = coordinator_client.get(COURSES)

    assert len(response.context["courses"]) == 50
    assert "Page 1 of 2" in response.content.decode()


def test_the_version_page_requires_a_coordinator_role_not_just_a_sign_in(client):
    client.force_login(UserFactory(roles=[Role.TEAM_LEAD, Role.MANAGER]))

    assert client.get(version_url(CourseVersionFactory())).status_code == 403
