"""Train the Trainer: programmes and their ordered requirements, progress with dates and
evidence, certification when the last requirement is met, its expiry and renewal reminder, the
trainer's own progress page and the coordinators' pipeline."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from notifications.models import Notification
from notifications.tasks import send_due_notifications
from tests.factories import (
    CertificationFactory,
    T3ProgrammeFactory,
    T3RequirementFactory,
    TrainerFactory,
    UserFactory,
)
from trainers.audit_actions import TrainerAction
from trainers.models import Certification, T3Programme, T3Progress, T3Requirement, Trainer
from trainers.selectors import t3_pipeline
from trainers.services import (
    certification_expiry_update,
    months_after,
    renewal_reminder_due_at,
    t3_programme_create,
    t3_programme_update,
    t3_progress_record,
    t3_requirement_add,
    t3_requirement_move,
    t3_requirement_update,
)

pytestmark = pytest.mark.django_db

# A summer day: the UK is on BST (UTC+1).
TODAY = date(2025, 6, 16)


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel(datetime(2025, 6, 16, 11, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def programme() -> T3Programme:
    programme = T3ProgrammeFactory(name="Train the Trainer 2025", certification_months=24)
    for order, title in enumerate(["Attend the T3 course", "Shadow a session", "Co-deliver"], 1):
        T3RequirementFactory(programme=programme, title=title, order=order)
    return programme


@pytest.fixture
def trainee(programme) -> Trainer:
    return TrainerFactory(programme=programme, user__full_name="Alex Trainee")


def requirements(programme: T3Programme) -> list[T3Requirement]:
    return list(programme.requirements.order_by("order"))


def record_all(trainee: Trainer, by, days=(10, 5, 3)):
    assert trainee.programme, "the trainee is on no programme"
    for requirement, ago in zip(requirements(trainee.programme), days, strict=True):
        t3_progress_record(
            trainer=trainee,
            requirement=requirement,
            completed_on=TODAY - timedelta(days=ago),
            evidence="Signed off",
            by=by,
        )


# Calendar months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 15), 1, date(2025, 2, 15)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),
        (date(2024, 2, 29), 24, date(2026, 2, 28)),
        (date(2025, 6, 16), 120, date(2035, 6, 16)),
    ],
)
def test_months_are_calendar_months(day, months, expected):
    assert months_after(day, months) == expected


# Recording progress


def test_recording_a_requirement_keeps_its_date_evidence_and_who(trainee, coordinator):
    first = requirements(trainee.programme)[0]

    progress = t3_progress_record(
        trainer=trainee,
        requirement=first,
        completed_on=TODAY,
        evidence="  Attended all three days  ",
        by=coordinator,
    )

    assert progress.completed_on == TODAY
    assert progress.evidence == "Attended all three days"
    assert progress.recorded_by == coordinator
    event = AuditEvent.objects.get(action=TrainerAction.T3_PROGRESS_RECORDED)
    assert event.changes == {"requirement": first.title, "completed_on": TODAY.isoformat()}


def test_a_requirement_from_another_programme_is_refused(trainee, coordinator):
    elsewhere = T3RequirementFactory(title="Something else")

    with pytest.raises(ValidationError) as error:
        t3_progress_record(
            trainer=trainee, requirement=elsewhere, completed_on=TODAY, by=coordinator
        )

    assert "is not part of Alex Trainee’s programme" in error.value.message_dict["requirement"][0]
    assert not T3Progress.objects.exists()


def test_a_trainer_without_a_programme_cannot_have_progress_recorded(coordinator, programme):
    trainer = TrainerFactory()

    with pytest.raises(ValidationError) as error:
        t3_progress_record(
            trainer=trainer,
            requirement=requirements(programme)[0],
            completed_on=TODAY,
            by=coordinator,
        )

    assert "requirement" in error.value.message_dict


def test_a_date_in_the_future_is_refused(trainee, coordinator):
    with pytest.raises(ValidationError) as error:
        t3_progress_record(
            trainer=trainee,
            requirement=requirements(trainee.programme)[0],
            completed_on=TODAY + timedelta(days=1),
            by=coordinator,
        )

    assert "future" in error.value.message_dict["completed_on"][0]


def test_today_in_the_uk_is_not_the_future_late_in_the_evening(trainee, coordinator):
    # 23:30 on 16 June in London is 22:30 UTC: still the 16th.
    with time_machine.travel(datetime(2025, 6, 16, 22, 30, tzinfo=UTC), tick=False):
        t3_progress_record(
            trainer=trainee,
            requirement=requirements(trainee.programme)[0],
            completed_on=TODAY,
            by=coordinator,
        )

    assert T3Progress.objects.count() == 1


def test_recording_the_same_requirement_twice_is_refused(trainee, coordinator):
    first = requirements(trainee.programme)[0]
    t3_progress_record(trainer=trainee, requirement=first, completed_on=TODAY, by=coordinator)

    with pytest.raises(ValidationError) as error:
        t3_progress_record(trainer=trainee, requirement=first, completed_on=TODAY, by=coordinator)

    assert "already recorded as met on 16 June 2025" in error.value.message_dict["requirement"][0]
    assert T3Progress.objects.count() == 1


def test_meeting_some_requirements_does_not_certify(trainee, coordinator):
    first, second, _ = requirements(trainee.programme)
    for requirement in (first, second):
        t3_progress_record(
            trainer=trainee, requirement=requirement, completed_on=TODAY, by=coordinator
        )

    trainee.refresh_from_db()
    assert not Certification.objects.exists()
    assert trainee.status == Trainer.Status.IN_TRAINING


# Certification


def test_meeting_the_last_requirement_certifies_at_once(trainee, coordinator):
    record_all(trainee, coordinator, days=(40, 3, 20))

    certification = Certification.objects.get(trainer=trainee)
    assert certification.programme == trainee.programme
    assert certification.certified_on == TODAY - timedelta(days=3)
    assert certification.expires_on == date(2027, 6, 13)
    trainee.refresh_from_db()
    assert trainee.status == Trainer.Status.ACTIVE
    event = AuditEvent.objects.get(action=TrainerAction.CERTIFIED)
    assert event.actor == coordinator
    assert event.changes["expires_on"] == "2027-06-13"


def test_certification_lasts_the_programmes_number_of_months(trainee, coordinator):
    T3Programme.objects.filter(pk=trainee.programme_id).update(certification_months=6)
    trainee.refresh_from_db()

    record_all(trainee, coordinator, days=(0, 0, 0))

    assert Certification.objects.get().expires_on == date(2025, 12, 16)


def test_a_trainer_stepping_back_is_certified_but_stays_stepping_back(trainee, coordinator):
    trainee.status = Trainer.Status.STEPPING_BACK
    trainee.save()

    record_all(trainee, coordinator)

    trainee.refresh_from_db()
    assert Certification.objects.filter(trainer=trainee).exists()
    assert trainee.status == Trainer.Status.STEPPING_BACK


def test_certification_queues_a_renewal_reminder_30_days_before_at_9_uk_time(trainee, coordinator):
    record_all(trainee, coordinator, days=(10, 5, 3))
    certification = Certification.objects.get()

    reminder = Notification.objects.get(kind="certification_renewal")

    # Expires 13 June 2027; 30 days before is 14 May 2027, 09:00 BST = 08:00 UTC.
    assert reminder.due_at == datetime(2027, 5, 14, 8, 0, tzinfo=UTC)
    assert reminder.related == certification
    assert reminder.recipient_user == trainee.user
    assert reminder.recipient_email == trainee.user.email
    assert reminder.status == Notification.Status.QUEUED
    assert reminder.template == "trainers/email/certification_renewal"


def test_in_winter_the_reminder_is_9_uk_time_which_is_9_utc():
    assert renewal_reminder_due_at(date(2027, 1, 31)) == datetime(2027, 1, 1, 9, 0, tzinfo=UTC)


def test_the_renewal_reminder_is_not_sent_before_its_time_and_then_is(
    trainee, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record_all(trainee, coordinator)
    assert mail.outbox == []

    with time_machine.travel(datetime(2027, 5, 14, 8, 1, tzinfo=UTC)):
        send_due_notifications()

    message = mail.outbox[0]
    assert message.to == [trainee.user.email]
    assert message.subject == "Your Train the Trainer certification ends on 13 June 2027"
    assert "Train the Trainer 2025" in message.body
    assert "13 June 2027" in message.body
    assert "/me/training/" in message.body


def test_a_certification_ending_within_30_days_is_reminded_straight_away(
    trainee, coordinator, django_capture_on_commit_callbacks
):
    T3Programme.objects.filter(pk=trainee.programme_id).update(certification_months=1)
    trainee.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        record_all(trainee, coordinator, days=(20, 20, 20))

    assert len(mail.outbox) == 1
    assert "ends on 27 June 2025" in mail.outbox[0].subject


def test_a_certification_recorded_after_it_ended_sends_no_reminder_and_does_not_activate(
    trainee, coordinator
):
    T3Programme.objects.filter(pk=trainee.programme_id).update(certification_months=1)
    trainee.refresh_from_db()

    record_all(trainee, coordinator, days=(60, 60, 60))

    trainee.refresh_from_db()
    assert Certification.objects.filter(trainer=trainee).exists()
    assert trainee.status == Trainer.Status.IN_TRAINING
    assert not Notification.objects.exists()


# Correcting the expiry date


def test_a_coordinator_corrects_the_expiry_and_the_reminder_moves(trainee, coordinator):
    record_all(trainee, coordinator)
    certification = Certification.objects.get()
    old = Notification.objects.get()

    certification_expiry_update(
        certification=certification, expires_on=date(2026, 12, 31), by=coordinator
    )

    certification.refresh_from_db()
    old.refresh_from_db()
    assert certification.expires_on == date(2026, 12, 31)
    assert old.status == Notification.Status.CANCELLED
    new = Notification.objects.get(status=Notification.Status.QUEUED)
    assert new.due_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert "31 December 2026" in new.subject
    event = AuditEvent.objects.get(action=TrainerAction.CERTIFICATION_CHANGED)
    assert event.changes == {"expires_on": ["2027-06-13", "2026-12-31"]}


def test_moving_the_expiry_away_and_back_queues_the_first_reminder_again(trainee, coordinator):
    record_all(trainee, coordinator)
    certification = Certification.objects.get()
    first = certification.expires_on

    certification_expiry_update(
        certification=certification, expires_on=date(2026, 12, 31), by=coordinator
    )
    certification_expiry_update(certification=certification, expires_on=first, by=coordinator)

    queued = Notification.objects.filter(status=Notification.Status.QUEUED)
    assert [n.due_at for n in queued] == [renewal_reminder_due_at(first)]
    assert Notification.objects.filter(status=Notification.Status.CANCELLED).count() == 1


def test_an_already_sent_reminder_stays_sent_when_the_expiry_moves(trainee, coordinator):
    record_all(trainee, coordinator)
    certification = Certification.objects.get()
    Notification.objects.update(status=Notification.Status.SENT)

    certification_expiry_update(
        certification=certification, expires_on=date(2028, 1, 31), by=coordinator
    )

    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 1
    assert Notification.objects.filter(status=Notification.Status.QUEUED).count() == 1


@pytest.mark.parametrize("days_after", [0, -1])
def test_an_expiry_on_or_before_the_certification_date_is_refused(coordinator, days_after):
    certification = CertificationFactory()

    with pytest.raises(ValidationError) as error:
        certification_expiry_update(
            certification=certification,
            expires_on=certification.certified_on + timedelta(days=days_after),
            by=coordinator,
        )

    assert "must be after the date of certification" in error.value.message_dict["expires_on"][0]


def test_the_same_expiry_again_changes_nothing(coordinator):
    certification = CertificationFactory()

    certification_expiry_update(
        certification=certification, expires_on=certification.expires_on, by=coordinator
    )

    assert not AuditEvent.objects.filter(action=TrainerAction.CERTIFICATION_CHANGED).exists()


# Through the coordinators' trainer page


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def progress_url(trainer: Trainer) -> str:
    return reverse("trainers:trainer-progress-record", args=[trainer.pk])


def test_a_coordinator_records_progress_on_the_trainer_page(coordinator_client, trainee):
    first = requirements(trainee.programme)[0]

    response = coordinator_client.post(
        progress_url(trainee),
        {"requirement": first.pk, "completed_on": "14/06/2025", "evidence": "Attended"},
    )

    assert response.status_code == 302
    progress = T3Progress.objects.get()
    assert progress.completed_on == date(2025, 6, 14)
    page = coordinator_client.get(response.url).content.decode()
    assert "1 of 3 requirements met" in page
    assert "14 Jun 2025" in page


def test_a_coordinator_certifies_a_trainer_by_recording_the_last_requirement(
    coordinator_client, trainee, coordinator
):
    first, second, last = requirements(trainee.programme)
    for requirement in (first, second):
        t3_progress_record(
            trainer=trainee, requirement=requirement, completed_on=TODAY, by=coordinator
        )

    coordinator_client.post(
        progress_url(trainee), {"requirement": last.pk, "completed_on": "16/06/2025"}
    )

    page = coordinator_client.get(reverse("trainers:trainer-detail", args=[trainee.pk]))
    assert "lasts until" in page.content.decode()
    assert "16 June 2027" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"completed_on": "17/06/2025"}, "completed_on", "This date is in the future."),
        ({"completed_on": "31/02/2025"}, "completed_on", "Enter a real date, like 31/01/2025."),
        ({"completed_on": ""}, "completed_on", "Enter the date."),
        ({"requirement": ""}, "requirement", "Choose the requirement that was met."),
        ({"requirement": "999999"}, "requirement", "Choose one of this trainer's requirements"),
    ],
)
def test_bad_progress_is_refused_at_the_field_and_keeps_what_was_typed(
    coordinator_client, trainee, data, field, message
):
    first = requirements(trainee.programme)[0]
    posted = {"requirement": first.pk, "completed_on": "14/06/2025", "evidence": "Typed notes"}

    response = coordinator_client.post(progress_url(trainee), posted | data)

    assert response.status_code == 200
    assert message in " ".join(response.context["progress_form"].errors[field])
    assert "Typed notes" in response.content.decode()
    assert not T3Progress.objects.exists()


def test_a_duplicate_posted_to_the_page_is_refused_at_the_field(
    coordinator_client, trainee, coordinator
):
    first = requirements(trainee.programme)[0]
    t3_progress_record(trainer=trainee, requirement=first, completed_on=TODAY, by=coordinator)

    response = coordinator_client.post(
        progress_url(trainee), {"requirement": first.pk, "completed_on": "16/06/2025"}
    )

    assert "already recorded" in response.context["progress_form"].errors["requirement"][0]


def test_html_in_evidence_is_shown_escaped(coordinator_client, trainee):
    first = requirements(trainee.programme)[0]
    coordinator_client.post(
        progress_url(trainee),
        {"requirement": first.pk, "completed_on": "16/06/2025", "evidence": "<b>bold</b>"},
    )

    page = coordinator_client.get(reverse("trainers:trainer-detail", args=[trainee.pk]))

    assert "&lt;b&gt;bold&lt;/b&gt;" in page.content.decode()
    assert "<b>bold</b>" not in page.content.decode()


def test_an_expiry_before_the_certification_is_refused_at_the_field(coordinator_client):
    certification = CertificationFactory(certified_on=date(2025, 5, 1))
    prefix = f"certification-{certification.pk}"

    response = coordinator_client.post(
        reverse("trainers:certification-expiry", args=[certification.pk]),
        {f"{prefix}-expires_on": "30/04/2025"},
    )

    assert response.status_code == 200
    assert response.context["expiry_form"].errors["expires_on"] == [
        "The expiry date must be after the date of certification, 1 May 2025."
    ]
    assert 'value="30/04/2025"' in response.content.decode()
    certification.refresh_from_db()
    assert certification.expires_on != date(2025, 4, 30)


def test_a_coordinator_corrects_the_expiry_on_the_trainer_page(coordinator_client):
    certification = CertificationFactory()
    prefix = f"certification-{certification.pk}"

    response = coordinator_client.post(
        reverse("trainers:certification-expiry", args=[certification.pk]),
        {f"{prefix}-expires_on": "01/09/2026"},
    )

    assert response.status_code == 302
    certification.refresh_from_db()
    assert certification.expires_on == date(2026, 9, 1)


def test_the_database_refuses_an_expiry_before_the_certification():
    from django.db import IntegrityError, transaction

    certification = CertificationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Certification.objects.filter(pk=certification.pk).update(
            expires_on=certification.certified_on
        )


# The trainer's own progress


def test_a_trainer_sees_their_own_progress_and_certification(client, trainee, coordinator):
    first = requirements(trainee.programme)[0]
    t3_progress_record(
        trainer=trainee,
        requirement=first,
        completed_on=date(2025, 6, 2),
        evidence="Attended",
        by=coordinator,
    )
    client.force_login(trainee.user)

    page = client.get(reverse("trainers:my-training")).content.decode()

    assert "1 of 3 requirements met" in page
    assert "Attend the T3 course" in page
    assert "2 Jun 2025" in page
    assert page.count("Not yet") == 2
    assert "You are not certified yet" in page


def test_a_certified_trainer_sees_when_their_certification_ends(client, trainee, coordinator):
    record_all(trainee, coordinator)
    client.force_login(trainee.user)

    page = client.get(reverse("trainers:my-training")).content.decode()

    assert "Done" in page
    assert "Your certification lasts until <strong>13 June 2027</strong>" in page


def test_a_trainer_without_a_programme_is_told_one_is_coming(client):
    trainer = TrainerFactory()
    client.force_login(trainer.user)

    page = client.get(reverse("trainers:my-training")).content.decode()

    assert "You have not been given a Train the Trainer programme yet" in page


def test_a_trainer_only_ever_sees_their_own_progress(client, trainee, coordinator):
    other = TrainerFactory(programme=trainee.programme)
    t3_progress_record(
        trainer=other,
        requirement=requirements(trainee.programme)[0],
        completed_on=TODAY,
        evidence="OTHER-TRAINERS-EVIDENCE",
        by=coordinator,
    )
    client.force_login(trainee.user)

    page = client.get(reverse("trainers:my-training")).content.decode()

    assert "OTHER-TRAINERS-EVIDENCE" not in page
    assert "0 of 3 requirements met" in page


# Programmes and requirements


def test_a_coordinator_creates_a_programme(coordinator_client):
    response = coordinator_client.post(
        reverse("trainers:t3-programme-create"),
        {"name": "T3 North", "description": "For the north", "certification_months": "18"},
    )

    programme = T3Programme.objects.get(name="T3 North")
    assert response.url == reverse("trainers:t3-programme-edit", args=[programme.pk])
    assert programme.certification_months == 18


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Give the programme a name."),
        ({"name": "train the trainer 2025"}, "name", "There is already a programme called"),
        ({"certification_months": "0"}, "certification_months", "from 1 to 120"),
        ({"certification_months": "121"}, "certification_months", "from 1 to 120"),
    ],
)
def test_a_bad_programme_is_refused_at_the_field(
    coordinator_client, programme, data, field, message
):
    posted = {"name": "T3 North", "description": "<i>typed</i>", "certification_months": "24"}

    response = coordinator_client.post(reverse("trainers:t3-programme-create"), posted | data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert "&lt;i&gt;typed&lt;/i&gt;" in response.content.decode()
    assert T3Programme.objects.count() == 1


def test_a_coordinator_edits_a_programme(coordinator_client, programme):
    coordinator_client.post(
        reverse("trainers:t3-programme-edit", args=[programme.pk]),
        {"name": "Renamed", "description": "", "certification_months": "36"},
    )

    programme.refresh_from_db()
    assert programme.name == "Renamed"
    assert programme.certification_months == 36


def test_a_programme_keeps_its_own_name_when_edited(programme):
    t3_programme_update(
        programme=programme,
        name="TRAIN THE TRAINER 2025",
        description="",
        certification_months=12,
    )

    assert programme.name == "TRAIN THE TRAINER 2025"


def test_the_service_refuses_a_duplicate_programme_name(programme):
    with pytest.raises(ValidationError) as error:
        t3_programme_create(name="  Train the Trainer 2025 ")

    assert "name" in error.value.message_dict


def test_a_requirement_is_added_at_the_end(coordinator_client, programme):
    response = coordinator_client.post(
        reverse("trainers:t3-requirement-create", args=[programme.pk]),
        {"title": "Sign-off by supporter", "description": ""},
    )

    assert response.status_code == 302
    assert [r.title for r in requirements(programme)][-1] == "Sign-off by supporter"


def test_a_requirement_needs_a_title(coordinator_client, programme):
    response = coordinator_client.post(
        reverse("trainers:t3-requirement-create", args=[programme.pk]),
        {"title": "", "description": "<b>kept</b>"},
    )

    assert response.context["form"].errors["title"] == ["Give the requirement a title."]
    assert "&lt;b&gt;kept&lt;/b&gt;" in response.content.decode()


def test_the_service_refuses_a_blank_requirement_title(programme):
    with pytest.raises(ValidationError):
        t3_requirement_add(programme=programme, title="   ")


def test_a_requirement_is_edited(coordinator_client, programme):
    first = requirements(programme)[0]

    coordinator_client.post(
        reverse("trainers:t3-requirement-edit", args=[first.pk]),
        {"title": "Attend the two-day course", "description": "In person"},
    )

    first.refresh_from_db()
    assert first.title == "Attend the two-day course"
    assert first.description == "In person"


def test_the_service_refuses_editing_a_requirement_to_a_blank_title(programme):
    first = requirements(programme)[0]

    with pytest.raises(ValidationError):
        t3_requirement_update(requirement=first, title="")


def test_requirements_move_up_and_down(coordinator_client, programme):
    first, second, third = requirements(programme)

    coordinator_client.post(
        reverse("trainers:t3-requirement-move", args=[third.pk]), {"direction": "up"}
    )
    assert requirements(programme) == [first, third, second]

    coordinator_client.post(
        reverse("trainers:t3-requirement-move", args=[first.pk]), {"direction": "down"}
    )
    assert requirements(programme) == [third, first, second]


def test_moving_the_first_requirement_up_keeps_the_order(programme):
    first, second, third = requirements(programme)

    t3_requirement_move(requirement=first, up=True)

    assert requirements(programme) == [first, second, third]


def test_the_programme_page_lists_requirements_in_order(coordinator_client, programme):
    page = coordinator_client.get(reverse("trainers:t3-programme-edit", args=[programme.pk]))

    text = page.content.decode()
    assert text.index("Attend the T3 course") < text.index("Shadow a session")
    assert text.index("Shadow a session") < text.index("Co-deliver")


def test_the_programme_list_counts_requirements_and_trainers(coordinator_client, trainee):
    response = coordinator_client.get(reverse("trainers:t3-programme-list"))

    programme = response.context["programmes"][0]
    assert programme.requirement_count == 3
    assert programme.trainer_count == 1


# The pipeline


def make_trainee(programme, *, met: int, joined_days_ago: int, last_days_ago=None, **fields):
    trainer = TrainerFactory(programme=programme, **fields)
    Trainer.objects.filter(pk=trainer.pk).update(
        created_at=timezone.now() - timedelta(days=joined_days_ago)
    )
    for requirement in requirements(programme)[:met]:
        T3Progress.objects.create(
            trainer=trainer,
            requirement=requirement,
            completed_on=TODAY - timedelta(days=last_days_ago or 0),
        )
    return trainer


def test_the_pipeline_counts_trainers_at_each_step(programme):
    make_trainee(programme, met=0, joined_days_ago=1)
    make_trainee(programme, met=1, joined_days_ago=1)
    make_trainee(programme, met=1, joined_days_ago=1)
    make_trainee(programme, met=2, joined_days_ago=1)
    make_trainee(programme, met=2, joined_days_ago=1, status=Trainer.Status.STEPPING_BACK)

    pipeline = t3_pipeline().programmes[0]

    assert pipeline.steps == [(0, 1), (1, 2), (2, 1)]
    assert pipeline.in_training == 4


def test_progress_in_an_old_programme_does_not_count_towards_a_new_one(programme):
    trainer = make_trainee(programme, met=2, joined_days_ago=1)
    trainer.programme = T3RequirementFactory().programme
    trainer.save()

    pipelines = {p.programme: p for p in t3_pipeline().programmes}

    assert pipelines[trainer.programme].steps == [(0, 1)]
    assert pipelines[programme].in_training == 0


def test_the_pipeline_counts_certified_trainers_and_those_ending_within_60_days(programme):
    CertificationFactory(programme=programme, expires_on=TODAY + timedelta(days=60))
    CertificationFactory(programme=programme, expires_on=TODAY + timedelta(days=61))
    CertificationFactory(programme=programme, expires_on=TODAY)  # ended today
    CertificationFactory(programme=programme, trainer__status=Trainer.Status.LEFT)

    result = t3_pipeline()

    assert result.programmes[0].certified == 2
    assert result.programmes[0].expiring == 1
    assert [person.days for person in result.expiring] == [60]


def test_a_trainer_in_training_with_nothing_for_more_than_90_days_is_stuck(programme):
    stuck = make_trainee(programme, met=1, joined_days_ago=200, last_days_ago=91)
    make_trainee(programme, met=1, joined_days_ago=200, last_days_ago=90)

    result = t3_pipeline()

    assert [(person.pk, person.days) for person in result.stuck] == [(stuck.pk, 91)]


def test_a_trainer_with_no_progress_is_stuck_90_days_after_joining(programme):
    stuck = make_trainee(programme, met=0, joined_days_ago=91)
    make_trainee(programme, met=0, joined_days_ago=89)

    assert [person.pk for person in t3_pipeline().stuck] == [stuck.pk]


def test_someone_stepping_back_or_certified_is_never_called_stuck(programme):
    make_trainee(programme, met=0, joined_days_ago=300, status=Trainer.Status.STEPPING_BACK)
    make_trainee(programme, met=0, joined_days_ago=300, status=Trainer.Status.ACTIVE)

    assert t3_pipeline().stuck == []


def test_a_trainer_in_training_without_a_programme_is_counted_and_can_be_stuck():
    trainer = TrainerFactory()
    Trainer.objects.filter(pk=trainer.pk).update(created_at=timezone.now() - timedelta(days=100))

    result = t3_pipeline()

    assert result.without_programme == 1
    assert [person.pk for person in result.stuck] == [trainer.pk]


def test_the_pipeline_page_shows_steps_stuck_and_expiring(coordinator_client, programme):
    make_trainee(
        programme, met=1, joined_days_ago=200, last_days_ago=100, user__full_name="Sue Stuck"
    )
    CertificationFactory(
        programme=programme,
        expires_on=TODAY + timedelta(days=10),
        trainer__user__full_name="Eve Expiring",
    )

    page = coordinator_client.get(reverse("trainers:t3-pipeline")).content.decode()

    assert "1 of 3" in page
    assert "Sue Stuck" in page
    assert "Eve Expiring" in page
    assert "1 certified now" in page


def test_a_pipeline_with_no_programmes_invites_creating_one(coordinator_client):
    page = coordinator_client.get(reverse("trainers:t3-pipeline")).content.decode()

    assert "There are no Train the Trainer programmes yet" in page


def test_a_coordinator_page_for_a_programme_that_does_not_exist_is_not_found(coordinator_client):
    assert (
        coordinator_client.get(reverse("trainers:t3-programme-edit", args=[999])).status_code == 404
    )
    assert (
        coordinator_client.get(reverse("trainers:t3-requirement-edit", args=[999])).status_code
        == 404
    )


def test_other_roles_cannot_open_the_t3_pages(client):
    client.force_login(UserFactory(roles=["manager"]))

    for name in ("t3-pipeline", "t3-programme-list", "t3-programme-create", "trainer-list"):
        assert client.get(reverse(f"trainers:{name}")).status_code == 403
