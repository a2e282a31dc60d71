"""Coordinators invite trainers to sessions; trainers accept or decline from the emailed links
or from "My sessions"; a session is confirmed only when it is service-user-led
(docs/domain.md#sessions-and-scheduling)."""

import re
import threading
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from people.models import Role
from sessions.audit_actions import SessionAction
from sessions.models import TrainerAssignment, TrainingSession
from sessions.selectors import session_bookings
from sessions.services import (
    TRAINER_REMINDER_KIND,
    assignment_accept,
    assignment_decline,
    assignment_invite,
    assignment_withdraw,
    session_cancel,
    session_confirm,
    session_create,
    trainer_reminder_times,
)
from tests.factories import (
    CertificationFactory,
    CourseVersionFactory,
    RegionFactory,
    RoomFactory,
    TrainerAssignmentFactory,
    TrainerFactory,
    TrainingSessionFactory,
    UserFactory,
)
from tests.locks import wait_until_it_waits_for_our_lock
from trainers.hooks import bookings as bookings_hook
from trainers.models import Involvement, Trainer
from trainers.selectors import trainers_available

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Tuesday 1 December 2026, 10:00 in London.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
DAY = date(2026, 12, 14)
MINE = reverse("sessions:my-sessions")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def region():
    return RegionFactory(name="Manchester")


@pytest.fixture
def session(region, coordinator) -> TrainingSession:
    return TrainingSessionFactory(
        code="S-2026-0001",
        course_version__course__title="Hearing voices",
        region=region,
        starts_at=at(DAY, 10),
        coordinator=coordinator,
    )


def trainer_in(region, name="Taylor Trainer", **fields) -> Trainer:
    return TrainerFactory(certified=True, region=region, user__full_name=name, **fields)


def invite(session, user, by, role="lead", reason="") -> TrainerAssignment:
    return assignment_invite(session=session, user=user, role=role, by=by, override_reason=reason)


def refusal(call) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value


# The bookings hook


def test_the_sessions_app_registers_its_bookings_with_the_trainers_app():
    assert session_bookings in bookings_hook.listeners


def test_a_trainer_invited_to_or_on_an_overlapping_session_is_busy(session, region):
    invited, accepted, declined, later = (trainer_in(region, f"T{n}") for n in range(4))
    TrainerAssignmentFactory(session=session, user=invited.user)
    TrainerAssignmentFactory(session=session, user=accepted.user, status="accepted")
    TrainerAssignmentFactory(session=session, user=declined.user, status="declined")
    TrainerAssignmentFactory(user=later.user, session__starts_at=at(DAY, 13))

    counts = session_bookings(at(DAY, 12), at(DAY, 13))

    assert counts.busy == {invited.pk, accepted.pk}


def test_cancelled_sessions_keep_nobody_busy_or_count_in_the_month(session, region):
    trainer = trainer_in(region)
    TrainerAssignmentFactory(session=session, user=trainer.user, status="accepted")
    session.status = TrainingSession.Status.CANCELLED
    session.save()

    counts = session_bookings(at(DAY, 10), at(DAY, 12))

    assert counts.busy == frozenset()
    assert counts.this_month == {}


def test_sessions_are_counted_in_the_uk_calendar_month(region):
    trainer = trainer_in(region)
    # 00:30 on 1 June in London is still 31 May in UTC; 23:30 on 30 June is 22:30 UTC.
    for starts in [
        datetime(2027, 5, 31, 23, 30, tzinfo=UTC),
        at(date(2027, 6, 30), 23, 30),
        at(date(2027, 5, 31), 10),
        at(date(2027, 7, 1), 0, 30),
    ]:
        TrainerAssignmentFactory(user=trainer.user, session__starts_at=starts)
    TrainerAssignmentFactory(
        user=trainer.user,
        status="accepted",
        session__status="delivered",
        session__starts_at=at(date(2027, 6, 2), 10),
    )

    counts = session_bookings(at(date(2027, 6, 15), 10), at(date(2027, 6, 15), 12))

    assert counts.this_month == {trainer.pk: 3}


def test_trainers_available_leaves_out_busy_trainers_and_those_at_their_limit(session, region):
    busy = trainer_in(region, "Busy")
    full = trainer_in(region, "Full", max_sessions_per_month=1)
    free = trainer_in(region, "Free")
    TrainerAssignmentFactory(session=session, user=busy.user)
    TrainerAssignmentFactory(user=full.user, session__starts_at=at(date(2026, 12, 20), 10))

    found = trainers_available(starts_at=at(DAY, 11), ends_at=at(DAY, 12), region=region)

    assert list(found) == [free]


# Inviting


def test_a_trainer_is_invited_and_emailed_links_to_accept_or_decline(
    session, region, coordinator, django_capture_on_commit_callbacks
):
    trainer = trainer_in(region)

    with django_capture_on_commit_callbacks(execute=True):
        assignment = invite(session, trainer.user, coordinator)

    assert assignment.status == TrainerAssignment.Status.INVITED
    assert assignment.role == TrainerAssignment.Role.LEAD
    [message] = mail.outbox
    assert message.to == [trainer.user.email]
    assert message.subject == "Will you join Hearing voices on Monday 14 December 2026?"
    accept = reverse("sessions:invitation-accept", args=[assignment.token])
    decline = reverse("sessions:invitation-decline", args=[assignment.token])
    assert f"http://testserver{accept}" in message.body
    assert f"http://testserver{decline}" in message.body
    assert f'href="http://testserver{accept}"' in message.alternatives[0][0]
    notification = Notification.objects.get(kind="assignment_invited")
    assert assignment.token not in str(notification.context)
    assert AuditEvent.objects.filter(
        action=SessionAction.ASSIGNMENT_INVITED, actor=coordinator
    ).exists()


def test_a_staff_co_facilitator_is_any_active_person_without_a_trainer_profile(
    session, coordinator
):
    staff = UserFactory(full_name="Sam Staff", roles=[Role.TEAM_LEAD])

    assignment = invite(session, staff, coordinator, role="staff")

    assert assignment.role == TrainerAssignment.Role.STAFF


def test_staff_are_invited_only_as_co_facilitators_and_trainers_never_as_staff(
    session, region, coordinator
):
    staff = UserFactory(full_name="Sam Staff")
    trainer = trainer_in(region)

    as_lead = refusal(lambda: invite(session, staff, coordinator, role="lead"))
    as_staff = refusal(lambda: invite(session, trainer.user, coordinator, role="staff"))

    assert as_lead.message_dict["role"] == [
        "Sam Staff is not a service-user trainer: invite them as a staff co-facilitator."
    ]
    assert "Taylor Trainer is a service-user trainer" in as_staff.message_dict["role"][0]


def test_a_trainer_stepping_back_is_never_invited_and_coordinators_see_only_unavailable(
    session, region, coordinator
):
    trainer = trainer_in(region, status=Trainer.Status.STEPPING_BACK)

    refused = refusal(lambda: invite(session, trainer.user, coordinator, reason="We need them"))

    assert refused.message_dict["user"] == ["Taylor Trainer is unavailable at the moment."]
    assert "stepping" not in str(refused.messages).lower()
    assert not TrainerAssignment.objects.exists()


def test_a_trainer_who_has_left_is_never_invited(session, region, coordinator):
    trainer = trainer_in(region, status=Trainer.Status.LEFT)

    refused = refusal(lambda: invite(session, trainer.user, coordinator, reason="Please"))

    assert refused.message_dict["user"] == ["Taylor Trainer has left the programme."]


@pytest.mark.parametrize("role", ["lead", "co_trainer"])
def test_an_uncertified_trainer_cannot_lead_or_co_train_even_with_a_reason(
    session, region, coordinator, role
):
    trainer = TrainerFactory(region=region, status="in_training", user__full_name="Tia Trainee")

    refused = refusal(lambda: invite(session, trainer.user, coordinator, role=role, reason="Ok"))

    assert refused.message_dict["role"] == [
        "Tia Trainee does not have a Train the Trainer certification valid on Monday 14 "
        "December 2026, so they can only be invited to shadow."
    ]


def test_a_certification_ending_before_the_session_does_not_count(session, region, coordinator):
    trainer = TrainerFactory(region=region, status="active")
    CertificationFactory(trainer=trainer, expires_on=DAY)

    refused = refusal(lambda: invite(session, trainer.user, coordinator))

    assert "can only be invited to shadow" in refused.message_dict["role"][0]


def test_a_trainee_can_shadow_without_an_override(session, region, coordinator):
    trainee = TrainerFactory(region=region, status="in_training")

    assignment = invite(session, trainee.user, coordinator, role="shadowing")

    assert assignment.override_reason == ""


def test_going_over_a_trainers_monthly_limit_needs_a_reason(session, region, coordinator):
    trainer = trainer_in(region, max_sessions_per_month=2)
    for day in (3, 22):
        TrainerAssignmentFactory(user=trainer.user, session__starts_at=at(date(2026, 12, day), 10))

    refused = refusal(lambda: invite(session, trainer.user, coordinator))

    assert refused.message_dict["override_reason"] == [
        "Taylor Trainer already has 2 sessions in December 2026, and 2 a month is the most "
        "they asked for.",
        "To invite them anyway, give your reason: it is recorded with your name.",
    ]
    assert not TrainerAssignment.objects.filter(session=session).exists()


def test_an_override_is_recorded_with_its_reason_and_who_gave_it(session, region, coordinator):
    trainer = trainer_in(region, max_sessions_per_month=1)
    TrainerAssignmentFactory(user=trainer.user, session__starts_at=at(date(2026, 12, 3), 10))

    assignment = invite(
        session, trainer.user, coordinator, reason="She asked to do this one on the phone"
    )

    assert assignment.override_reason == "She asked to do this one on the phone"
    assert assignment.overridden_by == coordinator
    event = AuditEvent.objects.get(action=SessionAction.ASSIGNMENT_OVERRIDDEN)
    assert event.actor == coordinator
    assert event.changes["override_reason"] == "She asked to do this one on the phone"
    assert "1 session in December 2026" in event.changes["beyond"][0]


@pytest.mark.parametrize(
    ("involvement", "role", "wanted"),
    [
        ([Involvement.CO_DELIVER], "lead", "lead sessions"),
        ([Involvement.LEAD], "co_trainer", "co-deliver sessions"),
        ([Involvement.CO_DESIGN], "shadowing", "co-deliver sessions"),
    ],
)
def test_a_role_outside_how_the_trainer_likes_to_be_involved_needs_a_reason(
    session, region, coordinator, involvement, role, wanted
):
    trainer = trainer_in(region, involvement=involvement)

    refused = refusal(lambda: invite(session, trainer.user, coordinator, role=role))
    assignment = invite(session, trainer.user, coordinator, role=role, reason="Agreed with them")

    assert (
        f"Taylor Trainer has not said they would like to “{wanted}”."
        in (refused.message_dict["override_reason"])
    )
    assert assignment.override_reason == "Agreed with them"


def test_a_reason_is_not_kept_when_no_override_is_needed(session, region, coordinator):
    trainer = trainer_in(region)

    assignment = invite(session, trainer.user, coordinator, reason="Just in case")

    assert assignment.override_reason == ""
    assert assignment.overridden_by is None


def test_a_trainer_is_never_double_booked_even_with_a_reason(session, region, coordinator):
    trainer = trainer_in(region)
    TrainerAssignmentFactory(
        user=trainer.user,
        session__code="S-2026-0002",
        session__course_version__course__title="Recovery stories",
        session__starts_at=at(DAY, 12),
    )

    refused = refusal(lambda: invite(session, trainer.user, coordinator, reason="Really"))

    assert refused.message_dict["user"] == [
        "Taylor Trainer is already on “Recovery stories” 12:00–15:00 on Monday 14 December "
        "2026 (S-2026-0002)."
    ]


def test_someone_already_invited_is_not_invited_twice(session, region, coordinator):
    trainer = trainer_in(region)
    invite(session, trainer.user, coordinator)

    refused = refusal(lambda: invite(session, trainer.user, coordinator, role="co_trainer"))

    assert refused.message_dict["user"] == [
        "Taylor Trainer is already invited (lead trainer) on this session."
    ]


def test_someone_who_declined_can_be_invited_again_with_new_links(session, region, coordinator):
    trainer = trainer_in(region)
    first = invite(session, trainer.user, coordinator)
    old_token = first.token
    assignment_decline(assignment=first)

    again = invite(session, trainer.user, coordinator, role="co_trainer")

    assert again.pk == first.pk
    assert again.status == TrainerAssignment.Status.INVITED
    assert again.token != old_token


def test_a_course_title_of_200_characters_still_makes_a_subject_that_fits(region, coordinator):
    session = TrainingSessionFactory(region=region, course_version__course__title="H" * 200)

    invite(session, trainer_in(region).user, coordinator)

    assert len(Notification.objects.get(kind="assignment_invited").subject) == 200


@pytest.mark.parametrize("status", ["cancelled", "delivered"])
def test_nobody_is_invited_to_a_cancelled_or_delivered_session(
    session, region, coordinator, status
):
    session.status = status
    session.save()

    refused = refusal(lambda: invite(session, trainer_in(region).user, coordinator))

    assert f"This session is {status}: nobody can be invited." in refused.messages


# Answering from the emailed links


@pytest.fixture
def invitation(session, region, coordinator) -> TrainerAssignment:
    return invite(session, trainer_in(region).user, coordinator)


def link(assignment, answer="accept") -> str:
    return reverse(f"sessions:invitation-{answer}", args=[assignment.token])


def test_opening_the_accept_link_only_asks_for_confirmation(client, invitation):
    response = client.get(link(invitation))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Accept this invitation?" in page
    assert "Yes, I accept" in page
    assert "Hearing voices" in page
    assert 'method="post"' in page
    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.INVITED


def test_accepting_from_the_link_works_without_signing_in(
    client, invitation, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link(invitation))

    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.ACCEPTED
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "You accepted this invitation on Tuesday 1 December 2026." in page
    told = [m for m in mail.outbox if m.to == [coordinator.email]]
    assert told[0].subject.startswith("Taylor Trainer accepted: Hearing voices")
    event = AuditEvent.objects.get(action=SessionAction.ASSIGNMENT_ANSWERED)
    assert event.actor == invitation.user


def test_declining_from_the_link_needs_no_reason(client, invitation):
    page = client.get(link(invitation, "decline")).content.decode()
    client.post(link(invitation, "decline"))

    invitation.refresh_from_db()
    assert "You do not need to give a reason." in page
    assert invitation.status == TrainerAssignment.Status.DECLINED


def test_a_used_link_shows_what_was_answered_and_changes_nothing(client, invitation):
    assignment_decline(assignment=invitation)

    page = client.get(link(invitation, "accept")).content.decode()
    client.post(link(invitation, "accept"))

    assert "You declined this invitation on Tuesday 1 December 2026." in page
    assert "Yes, I accept" not in page
    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.DECLINED


def test_an_unknown_link_gets_a_clear_page(client):
    response = client.get(reverse("sessions:invitation-accept", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert client.post(reverse("sessions:invitation-accept", args=["nope"])).status_code == 404


def test_an_earlier_emails_link_stops_working_when_invited_again(client, invitation, coordinator):
    old = link(invitation)
    assignment_decline(assignment=invitation)
    invite(invitation.session, invitation.user, coordinator)

    assert client.get(old).status_code == 404


def test_a_cancelled_sessions_invitation_cannot_be_accepted(client, invitation, coordinator):
    session_cancel(session=invitation.session, reason="Snow", by=coordinator)

    page = client.get(link(invitation)).content.decode()
    response = client.post(link(invitation))

    assert "This session has been cancelled, so there is nothing to answer." in page
    assert "This session is cancelled" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.INVITED


def test_accepting_checks_double_booking_again(client, invitation):
    # Another session at the same time was accepted meanwhile (say, by a move elsewhere).
    TrainerAssignmentFactory(
        user=invitation.user,
        status="accepted",
        session__code="S-2026-0077",
        session__course_version__course__title="Recovery stories",
        session__starts_at=at(DAY, 11),
    )

    response = client.post(link(invitation))

    assert "You are already on “Recovery stories” 11:00–14:00" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.INVITED


# Reminders


def test_reminders_are_at_nine_uk_time_seven_days_and_one_day_before_across_the_clock_change():
    times = trainer_reminder_times(starts_at=at(date(2027, 3, 29), 10))

    assert times == [at(date(2027, 3, 22), 9), at(date(2027, 3, 28), 9)]
    assert [t.astimezone(UTC).hour for t in times] == [9, 8]


def test_accepting_queues_the_trainers_reminders(invitation):
    assignment_accept(assignment=invitation)

    reminders = Notification.objects.filter(kind=TRAINER_REMINDER_KIND).order_by("due_at")
    assert [r.due_at for r in reminders] == [at(date(2026, 12, 7), 9), at(date(2026, 12, 13), 9)]
    assert all(r.recipient_email == invitation.user.email for r in reminders)
    assert all(r.related == invitation for r in reminders)


def test_a_reminder_whose_time_has_passed_is_skipped(region, coordinator):
    soon = TrainingSessionFactory(region=region, starts_at=at(date(2026, 12, 4), 10))
    assignment = invite(soon, trainer_in(region).user, coordinator)

    assignment_accept(assignment=assignment)

    reminders = Notification.objects.filter(kind=TRAINER_REMINDER_KIND)
    assert [r.due_at for r in reminders] == [at(date(2026, 12, 3), 9)]


def test_the_first_reminder_follows_the_trainers_own_lead_time(session, region, coordinator):
    assignment = invite(session, trainer_in(region, reminder_lead_days=3).user, coordinator)

    assignment_accept(assignment=assignment)

    reminders = Notification.objects.filter(kind=TRAINER_REMINDER_KIND).order_by("due_at")
    assert [r.due_at for r in reminders] == [at(date(2026, 12, 11), 9), at(date(2026, 12, 13), 9)]


def test_a_reminder_when_sent_says_when_and_where(invitation, django_capture_on_commit_callbacks):
    assignment_accept(assignment=invitation)
    mail.outbox.clear()

    with time_machine.travel(at(date(2026, 12, 13), 9, 1), tick=False):
        from notifications.services import notification_due_ids, notification_send

        for pk in notification_due_ids():
            notification_send(notification_id=pk)

    subjects = [m.subject for m in mail.outbox]
    assert "Reminder: Hearing voices tomorrow, Monday 14 December 2026, 10:00 to 13:00" in subjects


def test_withdrawing_cancels_the_reminders_and_tells_the_person(
    invitation, coordinator, django_capture_on_commit_callbacks
):
    assignment_accept(assignment=invitation)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assignment_withdraw(assignment=invitation, by=coordinator)

    assert not Notification.objects.filter(
        kind=TRAINER_REMINDER_KIND, status=Notification.Status.QUEUED
    ).exists()
    [message] = mail.outbox
    assert message.to == [invitation.user.email]
    assert message.subject.startswith("You are no longer needed")


def test_a_trainer_stepping_off_tells_the_coordinator(
    invitation, coordinator, django_capture_on_commit_callbacks
):
    assignment_accept(assignment=invitation)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assignment_withdraw(assignment=invitation, by=invitation.user)

    [message] = mail.outbox
    assert message.to == [coordinator.email]
    assert "stepped off the session" in message.subject


def test_cancelling_the_session_cancels_the_reminders(invitation, coordinator):
    assignment_accept(assignment=invitation)

    session_cancel(session=invitation.session, reason="Snow", by=coordinator)

    assert set(
        Notification.objects.filter(kind=TRAINER_REMINDER_KIND).values_list("status", flat=True)
    ) == {Notification.Status.CANCELLED}


# Confirming: the service-user-led rule


def test_a_session_without_an_accepted_certified_trainer_cannot_be_confirmed(session, coordinator):
    refused = refusal(lambda: session_confirm(session=session, by=coordinator))

    assert refused.messages == [
        "Sessions are service-user-led: a session can be confirmed only when a service-user "
        "trainer whose Train the Trainer certification is valid on Monday 14 December 2026 has "
        "accepted as lead trainer or co-trainer. Nobody like that has accepted yet."
    ]
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED


@pytest.mark.parametrize(
    ("role", "status"),
    [("lead", "invited"), ("lead", "declined"), ("shadowing", "accepted")],
)
def test_invited_declined_or_shadowing_trainers_do_not_make_it_service_user_led(
    session, coordinator, role, status
):
    TrainerAssignmentFactory(session=session, role=role, status=status)

    refusal(lambda: session_confirm(session=session, by=coordinator))


def test_an_accepted_staff_co_facilitator_does_not_make_it_service_user_led(session, coordinator):
    TrainerAssignmentFactory(session=session, user=UserFactory(), role="staff", status="accepted")

    refusal(lambda: session_confirm(session=session, by=coordinator))


def test_a_certification_that_ends_before_the_session_does_not_count(session, coordinator):
    trainer = TrainerFactory(status="active")
    CertificationFactory(trainer=trainer, expires_on=date(2026, 12, 10))
    TrainerAssignmentFactory(session=session, user=trainer.user, status="accepted")

    refusal(lambda: session_confirm(session=session, by=coordinator))


@pytest.mark.parametrize("role", ["lead", "co_trainer"])
def test_an_accepted_certified_lead_or_co_trainer_lets_the_session_be_confirmed(
    session, coordinator, role
):
    TrainerAssignmentFactory(session=session, role=role, status="accepted")

    session_confirm(session=session, by=coordinator)

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CONFIRMED
    assert AuditEvent.objects.filter(action=SessionAction.SESSION_CONFIRMED).exists()


def test_a_confirmed_session_left_without_its_service_user_trainer_is_planned_again(
    session, coordinator
):
    assignment = TrainerAssignmentFactory(session=session, status="accepted")
    session_confirm(session=session, by=coordinator)

    assignment_withdraw(assignment=assignment, by=coordinator)

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.PLANNED


def test_a_confirmed_session_can_still_be_cancelled(session, coordinator):
    TrainerAssignmentFactory(session=session, status="accepted")
    session_confirm(session=session, by=coordinator)

    session_cancel(session=session, reason="Snow", by=coordinator)

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CANCELLED


# The session page: suitable trainers and the invite form


def detail(session) -> str:
    return reverse("sessions:session-detail", args=[session.pk])


def invite_url(session) -> str:
    return reverse("sessions:assignment-invite", args=[session.pk])


def test_the_session_page_lists_suitable_trainers_in_the_roles_they_like(
    client, coordinator, session, region
):
    lead_only = trainer_in(region, "Lee Lead", involvement=[Involvement.LEAD])
    trainer_in(region, "Dee Designer", involvement=[Involvement.CO_DESIGN])
    trainer_in(RegionFactory(), "Far Away")
    busy = trainer_in(region, "Bea Busy")
    TrainerAssignmentFactory(user=busy.user, session__starts_at=at(DAY, 9))
    client.force_login(coordinator)

    response = client.get(detail(session))

    candidates = response.context["candidates"]
    assert [c.trainer for c in candidates] == [lead_only]
    assert candidates[0].roles == [("lead", "Lead trainer")]


def test_the_invite_form_offers_trainers_and_staff_but_not_unavailable_trainers(
    client, coordinator, session, region
):
    trainer_in(region, "Una Unavailable", status=Trainer.Status.STEPPING_BACK)
    trainer_in(region, "Tia Trainee", status=Trainer.Status.IN_TRAINING)
    UserFactory(full_name="Sam Staff")
    client.force_login(coordinator)

    page = client.get(detail(session)).content.decode()

    assert '<optgroup label="Service-user trainers">' in page
    assert "Tia Trainee" in page
    assert "Sam Staff" in page
    assert "Una Unavailable" not in page


def test_a_coordinator_invites_from_the_suitable_list(client, coordinator, session, region):
    trainer = trainer_in(region)
    client.force_login(coordinator)

    response = client.post(invite_url(session), {"user": trainer.user_id, "role": "co_trainer"})

    assert response.status_code == 302
    assignment = TrainerAssignment.objects.get()
    assert assignment.role == TrainerAssignment.Role.CO_TRAINER
    assert (
        "Taylor Trainer is invited as co-trainer." in client.get(detail(session)).content.decode()
    )


def test_an_override_without_a_reason_is_asked_for_at_the_field_keeping_the_choice(
    client, coordinator, session, region
):
    trainer = trainer_in(region, involvement=[Involvement.CO_DELIVER])
    client.force_login(coordinator)

    response = client.post(invite_url(session), {"user": trainer.user_id, "role": "lead"})

    form = response.context["invite_form"]
    assert "has not said they would like to “lead sessions”" in " ".join(
        form.errors["override_reason"]
    )
    page = response.content.decode()
    assert f'<option value="{trainer.user_id}" selected>' in page
    assert '<option value="lead" selected>' in page
    assert not TrainerAssignment.objects.exists()


def test_a_typed_reason_is_kept_when_the_invitation_is_refused(
    client, coordinator, session, region
):
    trainer = trainer_in(region, status=Trainer.Status.STEPPING_BACK)
    client.force_login(coordinator)

    response = client.post(
        invite_url(session), {"user": trainer.user_id, "role": "lead", "override_reason": "Because"}
    )

    assert response.context["invite_form"].errors["user"] == [
        "Taylor Trainer is unavailable at the moment."
    ]
    assert "Because</textarea>" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"role": "lead"}, "user", "Choose who to invite."),
        ({"user": "999999", "role": "lead"}, "user", "Choose one of the people listed."),
        ({"user": "abc", "role": "lead"}, "user", "Select a valid choice"),
        ({"role": ""}, "role", "Choose the role."),
        ({"role": "boss"}, "role", "Choose one of the roles listed."),
    ],
)
def test_bad_invite_input_is_refused_at_the_field(
    client, coordinator, session, data, field, message
):
    client.force_login(coordinator)

    response = client.post(invite_url(session), data)

    assert message in " ".join(response.context["invite_form"].errors[field])
    assert not TrainerAssignment.objects.exists()


def test_an_override_reason_is_shown_on_the_session_page(client, coordinator, session, region):
    trainer = trainer_in(region, involvement=[Involvement.CO_DELIVER])
    invite(session, trainer.user, coordinator, reason="Agreed on the phone")
    client.force_login(coordinator)

    page = client.get(detail(session)).content.decode()

    assert "Agreed on the phone" in page


def test_the_coordinator_takes_someone_off_a_session(client, coordinator, invitation):
    client.force_login(coordinator)

    response = client.post(reverse("sessions:assignment-withdraw", args=[invitation.pk]))

    assert response.url == detail(invitation.session)
    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.WITHDRAWN


def test_the_session_page_runs_a_bounded_number_of_queries(
    client, coordinator, session, region, django_assert_max_num_queries
):
    for n in range(3):
        TrainerAssignmentFactory(session=session, user=trainer_in(region, f"On {n}").user)
        trainer_in(region, f"Free {n}")
        UserFactory()
    client.force_login(coordinator)
    client.get(detail(session))

    with django_assert_max_num_queries(25) as few:
        client.get(detail(session))
    for n in range(20):
        TrainerAssignmentFactory(session=session, user=trainer_in(region, f"More {n}").user)
        trainer_in(region, f"Spare {n}")
    with django_assert_max_num_queries(len(few)):
        client.get(detail(session))


# My sessions


def test_my_sessions_shows_invitations_to_answer_and_sessions_i_am_on(client, region, coordinator):
    trainer = trainer_in(region)
    invited = TrainerAssignmentFactory(
        user=trainer.user, session__course_version__course__title="Invited one"
    )
    on = TrainerAssignmentFactory(
        user=trainer.user,
        status="accepted",
        session__course_version__course__title="Accepted one",
        session__starts_at=at(date(2026, 12, 20), 10),
    )
    colleague = TrainerAssignmentFactory(session=on.session, role="co_trainer", status="accepted")
    TrainerAssignmentFactory(
        user=trainer.user,
        status="accepted",
        session__course_version__course__title="Long gone",
        session__starts_at=at(date(2026, 11, 1), 10),
    )
    TrainerAssignmentFactory(session__course_version__course__title="Not mine")
    client.force_login(trainer.user)

    response = client.get(MINE)

    mine = response.context["mine"]
    assert mine.invitations == [invited]
    assert mine.upcoming == [on]
    page = response.content.decode()
    assert "Not mine" not in page
    assert "Long gone" not in page
    assert f"With: {colleague.user.full_name} (co-trainer)" in page


def test_a_trainer_accepts_from_my_sessions(client, invitation):
    client.force_login(invitation.user)

    response = client.post(reverse("sessions:my-assignment-accept", args=[invitation.pk]))

    assert response.url == MINE
    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.ACCEPTED


def test_a_trainer_declines_from_my_sessions(client, invitation):
    client.force_login(invitation.user)

    client.post(reverse("sessions:my-assignment-decline", args=[invitation.pk]))

    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.DECLINED


def test_a_trainer_steps_off_a_session_from_my_sessions(client, invitation):
    assignment_accept(assignment=invitation)
    client.force_login(invitation.user)

    client.post(reverse("sessions:my-assignment-withdraw", args=[invitation.pk]))

    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.WITHDRAWN


@pytest.mark.parametrize("answer", ["accept", "decline", "withdraw"])
def test_nobody_answers_someone_elses_invitation(client, invitation, other_trainer, answer):
    client.force_login(other_trainer)

    response = client.post(reverse(f"sessions:my-assignment-{answer}", args=[invitation.pk]))

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == TrainerAssignment.Status.INVITED


def test_an_error_answering_from_my_sessions_is_explained(client, invitation):
    assignment_decline(assignment=invitation)
    client.force_login(invitation.user)

    response = client.post(
        reverse("sessions:my-assignment-accept", args=[invitation.pk]), follow=True
    )

    assert "You declined this invitation on Tuesday 1 December 2026." in response.content.decode()


@pytest.mark.parametrize("role", ["trainer", "team_lead", "coordinator", "manager", "admin_user"])
def test_everyone_signed_in_has_a_my_sessions_page(client, request, role):
    client.force_login(request.getfixturevalue(role))

    assert client.get(MINE).status_code == 200


def test_visitors_are_sent_to_sign_in_for_my_sessions(client):
    assert client.get(MINE).url.startswith(reverse("login"))


def test_my_sessions_runs_a_bounded_number_of_queries(
    client, region, django_assert_max_num_queries
):
    trainer = trainer_in(region)
    TrainerAssignmentFactory(user=trainer.user)
    client.force_login(trainer.user)
    client.get(MINE)

    with django_assert_max_num_queries(20) as few:
        client.get(MINE)
    for n in range(10):
        on = TrainerAssignmentFactory(
            user=trainer.user, status="accepted", session__starts_at=at(date(2026, 12, 15 + n), 10)
        )
        TrainerAssignmentFactory(session=on.session, role="co_trainer", status="accepted")
        TrainerAssignmentFactory(
            user=trainer.user, session__starts_at=at(date(2026, 12, 15 + n), 15)
        )
    with django_assert_max_num_queries(len(few)):
        page = client.get(MINE).content.decode()

    assert len(re.findall(r'<article class="card', page)) == 21


# Two coordinators at once


def _in_a_thread(call, outcome: dict) -> threading.Thread:
    def run():
        try:
            call()
            outcome["result"] = "done"
        except ValidationError as error:
            outcome["result"] = " ".join(error.messages)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks (SQLite locks the whole file)"
)
def test_two_coordinators_inviting_one_trainer_to_overlapping_sessions_cannot_both_succeed(
    region, coordinator
):
    trainer = trainer_in(region)
    first = TrainingSessionFactory(region=region, starts_at=at(DAY, 10))
    second = TrainingSessionFactory(region=region, starts_at=at(DAY, 11))
    outcome = {}

    with transaction.atomic():
        invite(first, trainer.user, coordinator)
        other = _in_a_thread(lambda: invite(second, trainer.user, coordinator), outcome)
        wait_until_it_waits_for_our_lock(other)
        # The second invitation waits for the lock on the trainer, held until this commits.
        assert other.is_alive()
    other.join(timeout=10)

    assert "is already on" in outcome["result"]
    assert TrainerAssignment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks (SQLite locks the whole file)"
)
def test_two_coordinators_booking_one_room_at_once_cannot_both_succeed(region, coordinator):
    room = RoomFactory(venue__region=region)
    version = CourseVersionFactory()

    def book(hour):
        return session_create(
            course_version=version,
            starts_at=at(DAY, hour),
            ends_at=at(DAY, hour + 2),
            capacity=10,
            room=room,
            by=coordinator,
        )

    outcome = {}
    with transaction.atomic():
        book(10)
        other = _in_a_thread(lambda: book(11), outcome)
        wait_until_it_waits_for_our_lock(other)
        assert other.is_alive()
    other.join(timeout=10)

    assert "is already booked for" in outcome["result"]
    assert TrainingSession.objects.count() == 1
