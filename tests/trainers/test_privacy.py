"""Lived-experience notes, boundaries, wellbeing check-ins and support sessions are visible only
to the trainer and their named supporter (docs/domain.md#privacy). Everyone else gets a 404, so
the page does not even admit the notes exist; signed-out visitors go to sign in. The content
never shows in the admin, in lists of trainers, in the audit trail, in emails or in the logs."""

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from people.models import Role
from tests.conftest import LOG
from tests.factories import (
    SupportSessionFactory,
    TrainerFactory,
    UserFactory,
    WellbeingCheckInFactory,
)
from trainers.admin import TrainerAdmin
from trainers.models import SupportSession, Trainer, WellbeingCheckIn

pytestmark = pytest.mark.django_db

LIVED_EXPERIENCE = "PRIVATE-LIVED-EXPERIENCE-7731"
WILL_SPEAK = "PRIVATE-WILL-SPEAK-4402"
WILL_NOT_SPEAK = "PRIVATE-WILL-NOT-SPEAK-5519"
STORY = "PRIVATE-STORY-SHARING-6283"
CHECKIN_NOTES = "PRIVATE-CHECKIN-NOTES-9904"
SUPPORT_NOTES = "PRIVATE-SUPPORT-NOTES-3127"
AGREED_ACTIONS = "PRIVATE-AGREED-ACTIONS-8850"
PRIVATE_STRINGS = (
    LIVED_EXPERIENCE,
    WILL_SPEAK,
    WILL_NOT_SPEAK,
    STORY,
    CHECKIN_NOTES,
    SUPPORT_NOTES,
    AGREED_ACTIONS,
)


def leaks(text: str) -> list[str]:
    return [secret for secret in PRIVATE_STRINGS if secret in text]


@pytest.fixture
def supporter(db):
    return UserFactory(email="supporter@example.org", roles=[Role.COORDINATOR])


@pytest.fixture
def private_trainer(trainer, supporter) -> Trainer:
    """The `trainer` user's profile, with every private field and a check-in and a session."""
    profile = TrainerFactory(
        user=trainer,
        supporter=supporter,
        lived_experience_notes=LIVED_EXPERIENCE,
        topics_will_speak_about=WILL_SPEAK,
        topics_will_not_speak_about=WILL_NOT_SPEAK,
        story_sharing=STORY,
    )
    WellbeingCheckInFactory(trainer=profile, notes=CHECKIN_NOTES, wants_debrief=True)
    SupportSessionFactory(trainer=profile, notes=SUPPORT_NOTES, agreed_actions=AGREED_ACTIONS)
    return profile


PAGES = {
    "private-detail": lambda t: reverse("trainers:private-detail", kwargs={"pk": t.pk}),
    "checkin-list": lambda t: reverse("trainers:checkin-list", kwargs={"pk": t.pk}),
    "checkin-detail": lambda t: reverse(
        "trainers:checkin-detail", kwargs={"pk": t.check_ins.get().pk}
    ),
    "support-list": lambda t: reverse("trainers:support-list", kwargs={"pk": t.pk}),
    "support-detail": lambda t: reverse(
        "trainers:support-detail", kwargs={"pk": t.support_sessions.get().pk}
    ),
}
# What each page shows its two readers: the proof that the 404s hide something real.
PAGE_CONTENT = {
    "private-detail": (LIVED_EXPERIENCE, WILL_SPEAK, WILL_NOT_SPEAK, STORY),
    "checkin-list": ("Asked for",),
    "checkin-detail": (CHECKIN_NOTES,),
    "support-list": ("One-to-one support",),
    "support-detail": (SUPPORT_NOTES, AGREED_ACTIONS),
}
OUTSIDERS = ["other_trainer", "team_lead", "coordinator", "manager", "admin_user"]


# Who reaches the private pages


@pytest.mark.parametrize("page", PAGES)
def test_the_trainer_sees_their_own_private_page(client, private_trainer, page):
    client.force_login(private_trainer.user)

    response = client.get(PAGES[page](private_trainer))

    assert response.status_code == 200
    for text in PAGE_CONTENT[page]:
        assert text in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_the_named_supporter_sees_the_private_page(client, private_trainer, supporter, page):
    client.force_login(supporter)

    response = client.get(PAGES[page](private_trainer))

    assert response.status_code == 200
    for text in PAGE_CONTENT[page]:
        assert text in response.content.decode()


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("page", PAGES)
def test_everyone_else_gets_not_found_and_no_content(
    client, request, private_trainer, page, outsider
):
    client.force_login(request.getfixturevalue(outsider))

    response = client.get(PAGES[page](private_trainer))

    assert response.status_code == 404
    assert leaks(response.content.decode()) == []


@pytest.mark.parametrize("page", PAGES)
def test_a_signed_out_visitor_is_sent_to_sign_in(client, private_trainer, page):
    url = PAGES[page](private_trainer)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("page", PAGES)
def test_a_superuser_who_is_also_a_coordinator_still_gets_not_found(client, private_trainer, page):
    boss = UserFactory(is_superuser=True, roles=[Role.COORDINATOR, Role.MANAGER])
    client.force_login(boss)

    response = client.get(PAGES[page](private_trainer))

    assert response.status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_a_former_supporter_loses_access_when_the_supporter_changes(
    client, private_trainer, supporter, coordinator, page
):
    url = PAGES[page](private_trainer)
    private_trainer.supporter = coordinator
    private_trainer.save()
    client.force_login(supporter)

    response = client.get(url)

    assert response.status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_a_supporter_of_another_trainer_gets_not_found(client, private_trainer, page):
    someone_elses_supporter = UserFactory(roles=[Role.COORDINATOR])
    TrainerFactory(supporter=someone_elses_supporter)
    client.force_login(someone_elses_supporter)

    response = client.get(PAGES[page](private_trainer))

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["trainer", "other_trainer", "coordinator", "admin_user"])
def test_only_the_supporter_may_open_the_form_to_record_a_support_session(
    client, request, private_trainer, who
):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("trainers:support-create", kwargs={"pk": private_trainer.pk}))

    assert response.status_code == 404


def test_an_outsider_cannot_record_a_support_session_by_posting(
    client, private_trainer, coordinator
):
    client.force_login(coordinator)

    response = client.post(
        reverse("trainers:support-create", kwargs={"pk": private_trainer.pk}),
        {"kind": SupportSession.Kind.SUPERVISION, "held_on": "2020-01-01", "notes": "sneaky"},
    )

    assert response.status_code == 404
    assert not SupportSession.objects.filter(notes="sneaky").exists()


def test_a_trainers_own_pages_show_only_their_own_check_ins_and_sessions(
    client, private_trainer, other_trainer
):
    other = TrainerFactory(user=other_trainer)
    WellbeingCheckInFactory(trainer=other, notes="other trainer's notes")
    client.force_login(other_trainer)

    check_ins = client.get(reverse("trainers:checkin-list-mine")).content.decode()
    sessions = client.get(reverse("trainers:support-list-mine")).content.decode()

    assert leaks(check_ins + sessions) == []
    assert "You have not recorded" not in check_ins
    assert "No support sessions recorded yet" in sessions


# The admin


@pytest.fixture
def superuser_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_admin_trainer_changelist_shows_no_private_content(superuser_client, private_trainer):
    response = superuser_client.get(reverse("admin:trainers_trainer_changelist"))

    assert response.status_code == 200
    assert private_trainer in response.context["cl"].result_list
    assert leaks(response.content.decode()) == []


def test_searching_the_admin_for_private_content_finds_nothing(superuser_client, private_trainer):
    response = superuser_client.get(
        reverse("admin:trainers_trainer_changelist"), {"q": LIVED_EXPERIENCE}
    )

    assert list(response.context["cl"].result_list) == []


def test_the_admin_trainer_change_page_shows_no_private_field(superuser_client, private_trainer):
    response = superuser_client.get(
        reverse("admin:trainers_trainer_change", args=[private_trainer.pk])
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert leaks(html) == []
    for field in Trainer.PRIVATE_FIELDS:
        assert f'name="{field}"' not in html


def test_saving_a_trainer_in_the_admin_keeps_their_private_notes(
    superuser_client, private_trainer, coordinator
):
    response = superuser_client.post(
        reverse("admin:trainers_trainer_change", args=[private_trainer.pk]),
        {
            "user": private_trainer.user.pk,
            "region": private_trainer.region.pk,
            "status": Trainer.Status.ACTIVE,
            "supporter": coordinator.pk,
            "involvement": "[]",
            "max_sessions_per_month": 3,
            "reminder_lead_days": 7,
            "payment_choice": Trainer.Payment.PAID,
        },
    )

    private_trainer.refresh_from_db()
    assert response.status_code == 302
    assert private_trainer.supporter == coordinator
    assert private_trainer.lived_experience_notes == LIVED_EXPERIENCE
    assert private_trainer.story_sharing == STORY


def test_the_admin_never_names_a_private_field():
    trainer_admin = admin.site._registry[Trainer]
    named = {
        *trainer_admin.list_display,
        *trainer_admin.list_filter,
        *trainer_admin.search_fields,
        *trainer_admin.readonly_fields,
        *trainer_admin.get_fields(request=None),
        *trainer_admin.form.base_fields,
    }

    assert isinstance(trainer_admin, TrainerAdmin)
    assert named.isdisjoint(Trainer.PRIVATE_FIELDS)


def test_check_ins_and_support_sessions_are_not_in_the_admin(superuser_client, private_trainer):
    index = superuser_client.get(reverse("admin:index")).content.decode()

    assert not admin.site.is_registered(WellbeingCheckIn)
    assert not admin.site.is_registered(SupportSession)
    assert "Wellbeing check" not in index
    assert "Support session" not in index


def test_an_admin_cannot_delete_a_trainer_and_see_their_check_ins_listed(
    superuser_client, private_trainer
):
    response = superuser_client.get(
        reverse("admin:trainers_trainer_delete", args=[private_trainer.pk])
    )

    assert response.status_code == 403


def test_the_debrief_notification_in_the_admin_shows_no_private_content(
    client, private_trainer, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(private_trainer.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("trainers:checkin-create"),
            {"moment": "after", "feeling": "1", "notes": CHECKIN_NOTES, "wants_debrief": "on"},
        )
    notification = Notification.objects.get(kind="debrief_requested")
    client.force_login(admin_user)

    listing = client.get(reverse("admin:notifications_notification_changelist"))
    page = client.get(reverse("admin:notifications_notification_change", args=[notification.pk]))

    assert notification.status == Notification.Status.SENT
    assert page.status_code == 200
    assert leaks(listing.content.decode() + page.content.decode()) == []
    assert "Very low" not in page.content.decode()


# Pages that list trainers


def test_no_page_that_lists_or_shows_trainers_shows_private_content(
    client, private_trainer, supporter, coordinator, manager, admin_user
):
    """Every page found that lists or shows trainers to staff: the coordinators' trainer list,
    trainer page and Train the Trainer pipeline (even for the supporter: the private notes live
    on the private page only), the audit trail, and the admin's lists."""
    coordinator_pages = [
        reverse("trainers:trainer-list"),
        reverse("trainers:trainer-detail", kwargs={"pk": private_trainer.pk}),
        reverse("trainers:t3-pipeline"),
        reverse("audit:event-list"),
    ]
    pages = {
        coordinator: coordinator_pages,
        supporter: coordinator_pages,
        manager: [reverse("audit:event-list")],
        admin_user: [
            reverse("admin:trainers_trainer_changelist"),
            reverse("admin:people_user_changelist"),
            reverse("admin:people_user_change", args=[private_trainer.user.pk]),
            reverse("admin:audit_auditevent_changelist"),
        ],
    }
    for person, urls in pages.items():
        client.force_login(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert leaks(response.content.decode()) == [], url


# The audit trail, emails and logs


@pytest.fixture
def everything_private_done(client, trainer, supporter, django_capture_on_commit_callbacks):
    """The trainer and their supporter do everything the private pages allow, through the
    views, with the private strings; an outsider tries the pages too."""
    profile = TrainerFactory(
        user=trainer,
        supporter=supporter,
        lived_experience_notes=LIVED_EXPERIENCE,
        topics_will_speak_about=WILL_SPEAK,
        topics_will_not_speak_about=WILL_NOT_SPEAK,
        story_sharing=STORY,
    )
    log_start = len(LOG.lines)
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(trainer)
        client.post(
            reverse("trainers:checkin-create"),
            {"moment": "before", "feeling": "1", "notes": CHECKIN_NOTES, "wants_debrief": "on"},
        )
        client.force_login(supporter)
        client.post(
            reverse("trainers:support-create", kwargs={"pk": profile.pk}),
            {
                "kind": SupportSession.Kind.SUPERVISION,
                "held_on": "2024-05-01",
                "notes": SUPPORT_NOTES,
                "agreed_actions": AGREED_ACTIONS,
            },
        )
        for page in PAGES.values():
            client.get(page(profile))
        client.force_login(UserFactory(roles=[Role.MANAGER]))
        for page in PAGES.values():
            client.get(page(profile))
    assert profile.check_ins.filter(notes=CHECKIN_NOTES).exists()
    assert profile.support_sessions.filter(notes=SUPPORT_NOTES).exists()
    return log_start


def test_the_audit_trail_never_holds_private_content(everything_private_done):
    rows = AuditEvent.objects.all()

    text = " ".join(f"{e.object_repr} {e.changes} {e.path}" for e in rows)

    assert rows.exists()
    assert leaks(text) == []


def test_no_log_record_holds_private_content(everything_private_done):
    lines = LOG.lines[everything_private_done:]

    assert lines, "the actions above should have logged something (the email being sent)"
    assert leaks(" ".join(text for _, text in lines)) == []


def test_the_debrief_email_holds_no_private_content(everything_private_done, supporter):
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    notification = Notification.objects.get(kind="debrief_requested")

    assert message.to == [supporter.email]
    assert leaks(message.subject + message.body + html + str(notification.context)) == []
    assert "Very low" not in message.body
    assert "Very low" not in html
