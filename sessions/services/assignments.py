"""Trainers on sessions: invitations (with the override of a trainer's own limits, given with a
reason), answers, withdrawals and stepping off, taking a trainer who left off their sessions,
and the trainers' reminders."""

from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.dates import LONDON, uk_local, uk_weekday
from core.tokens import new_token
from notifications.services import notification_cancel_for, notification_queue
from people.models import User
from sessions.audit_actions import SessionAction
from sessions.display import session_label, session_when
from sessions.models import TrainerAssignment, TrainingSession
from sessions.selectors import (
    BOOKED_STATUSES,
    HOLDING_STATUSES,
    LEADING_ROLES,
    ROLE_INVOLVEMENT,
    assignment_clashes,
    session_bookings,
    session_is_service_user_led,
)
from sessions.services._common import _people_locked, _session_context, _session_locked, _subject
from trainers.models import Certification, Trainer

INVITED_KIND = "assignment_invited"
# What the coordinator is told, one kind each, so one message never stands for another.
ACCEPTED_KIND = "assignment_accepted"
DECLINED_KIND = "assignment_declined"
STEPPED_OFF_KIND = "assignment_stepped_off"
WITHDRAWN_KIND = "assignment_withdrawn"
TRAINER_REMINDER_KIND = "session_reminder_trainer"
JOINING_LINK_KIND = "joining_link_changed_trainer"
TRAINER_LEFT_KIND = "assignment_trainer_left"
# Trainer reminders go at 09:00 UK time, the trainer's own lead time (7 days unless they chose
# otherwise) and 1 day before the session.
TRAINER_REMINDER_AT = time(9, 0)
TRAINER_REMINDER_DAYS = (7, 1)


def _month_name(moment: datetime) -> str:
    return f"{uk_local(moment):%B %Y}"


def _invitation_limits(
    *, session: TrainingSession, user: User, trainer: Trainer | None, role: str
) -> list[str]:
    """Refuses what is never allowed; returns what only an override with a reason allows
    (going beyond the trainer's own monthly limit or involvement preferences)."""
    name = user.full_name or user.email
    if not user.is_active:
        raise ValidationError({"user": f"{name}’s account is switched off."})
    if trainer is None:
        if role != TrainerAssignment.Role.STAFF:
            raise ValidationError(
                {
                    "role": f"{name} is not a service-user trainer: invite them as a staff "
                    "co-facilitator."
                }
            )
        return []
    if role == TrainerAssignment.Role.STAFF:
        raise ValidationError(
            {
                "role": f"{name} is a service-user trainer: invite them as lead, co-trainer "
                "or shadowing."
            }
        )
    if trainer.status == Trainer.Status.STEPPING_BACK:
        # Coordinators are told only that the trainer is unavailable (docs/domain.md, Trainers
        # and recruitment, "Stepping back").
        raise ValidationError({"user": f"{name} is unavailable at the moment."})
    if trainer.status == Trainer.Status.LEFT:
        raise ValidationError({"user": f"{name} has left the programme."})
    day = uk_local(session.starts_at).date()
    certified = Certification.objects.filter(
        trainer=trainer, certified_on__lte=day, expires_on__gt=day
    ).exists()
    if role in LEADING_ROLES and not (certified and trainer.status == Trainer.Status.ACTIVE):
        raise ValidationError(
            {
                "role": f"{name} does not have a Train the Trainer certification valid on "
                f"{uk_weekday(session.starts_at)}, so they can only be invited to shadow."
            }
        )
    beyond = []
    booked = session_bookings(session.starts_at, session.ends_at).this_month.get(trainer.pk, 0)
    if booked >= trainer.max_sessions_per_month:
        beyond.append(
            f"{name} already has {booked} session{'' if booked == 1 else 's'} in "
            f"{_month_name(session.starts_at)}, and {trainer.max_sessions_per_month} a month "
            "is the most they asked for."
        )
    wanted = ROLE_INVOLVEMENT[TrainerAssignment.Role(role)]
    if wanted not in (trainer.involvement or []):
        beyond.append(f"{name} has not said they would like to “{wanted.label.lower()}”.")
    return beyond


@transaction.atomic
def assignment_invite(
    *,
    session: TrainingSession,
    user: User,
    role: str,
    by: User,
    override_reason: str = "",
) -> TrainerAssignment:
    """Invite a person to a session in a role and email them Accept and Decline links. Going
    beyond a trainer's own monthly limit or involvement preferences needs a reason, which is
    recorded with who gave it; a double booking, a trainer who is unavailable or has left, and
    an uncertified lead or co-trainer are never allowed."""
    session = _session_locked(session)
    _people_locked([user.pk])
    if role not in TrainerAssignment.Role.values:
        raise ValidationError({"role": "Choose one of the roles listed."})
    if session.status not in BOOKED_STATUSES:
        raise ValidationError(
            f"This session is {session.get_status_display().lower()}: nobody can be invited."
        )
    if session.starts_at <= timezone.now():
        raise ValidationError("This session has already started: nobody can be invited.")
    name = user.full_name or user.email
    existing = TrainerAssignment.objects.filter(session=session, user=user).first()
    if existing is not None and existing.status in HOLDING_STATUSES:
        raise ValidationError(
            {
                "user": f"{name} is already {existing.get_status_display().lower()} "
                f"({existing.get_role_display().lower()}) on this session."
            }
        )
    trainer = (
        Trainer.objects.filter(user=user)
        .only("pk", "status", "involvement", "max_sessions_per_month", "user_id")
        .first()
    )
    beyond = _invitation_limits(session=session, user=user, trainer=trainer, role=role)
    clashes = assignment_clashes(
        user_ids=[user.pk],
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        exclude_session_pk=session.pk,
    )
    if clashes:
        raise ValidationError(
            {"user": f"{name} is already on {session_label(clashes[0].session)}."}
        )
    override_reason = override_reason.strip()
    if beyond and not override_reason:
        raise ValidationError(
            {
                "override_reason": [
                    *beyond,
                    "To invite them anyway, give your reason: it is recorded with your name.",
                ]
            }
        )
    assignment = existing or TrainerAssignment(session=session, user=user)
    assignment.role = role
    assignment.status = TrainerAssignment.Status.INVITED
    # A new token for a new invitation: the links in an earlier email stop working.
    assignment.token = new_token()
    assignment.invited_at = timezone.now()
    assignment.responded_at = None
    assignment.override_reason = override_reason if beyond else ""
    assignment.overridden_by = by if beyond else None
    assignment.save()
    audit_record(
        action=SessionAction.ASSIGNMENT_INVITED,
        actor=by,
        obj=assignment,
        changes={"person": name, "role": assignment.get_role_display(), "session": session.code},
    )
    if beyond:
        audit_record(
            action=SessionAction.ASSIGNMENT_OVERRIDDEN,
            actor=by,
            obj=assignment,
            changes={"beyond": beyond, "override_reason": override_reason},
        )
    notification_queue(
        kind=INVITED_KIND,
        recipient_email=user.email,
        recipient_user=user,
        related=assignment,
        subject=_subject(
            f"Will you join {session.course_version.course} on {uk_weekday(session.starts_at)}?"
        ),
        template="sessions/email/assignment_invited",
        context=_session_context(session) | {"role": assignment.get_role_display()},
        due_at=assignment.invited_at,
    )
    return assignment


def _assignment_locked(assignment: TrainerAssignment) -> TrainerAssignment:
    """The assignment with its session, both locked until commit. Every service that locks a
    session and the people or assignments on it takes the locks in one order: the session's
    row, then the people's rows, then the assignments. Two services taking them in different
    orders (a trainer withdrawn while the session moves) deadlock under contention. Holding the
    session's row also means an answer cannot race the session being cancelled or moved."""
    session = _session_locked(TrainingSession(pk=assignment.session_id))
    _people_locked([assignment.user_id])
    locked = (
        TrainerAssignment.objects.select_for_update(of=("self",))
        .select_related("user__trainer")
        .get(pk=assignment.pk, session=session)
    )
    locked.session = session
    return locked


def _assignment_answerable(assignment: TrainerAssignment) -> None:
    session = assignment.session
    if assignment.status != TrainerAssignment.Status.INVITED:
        raise ValidationError(assignment_answered_already(assignment))
    if session.status not in BOOKED_STATUSES:
        raise ValidationError(
            f"This session is {session.get_status_display().lower()}, so there is nothing to "
            "answer."
        )
    if session.starts_at <= timezone.now():
        raise ValidationError("This session has already started, so there is nothing to answer.")


ACCEPT_REFUSED = {
    Trainer.Status.STEPPING_BACK: "You are stepping back at the moment, so you cannot accept a "
    "session. When you are ready, choose “I'm ready to come back” on My profile and accept it "
    "then, or decline it now.",
    Trainer.Status.LEFT: "You have left the programme, so you cannot accept a session. If you "
    "would like to come back, talk to a coordinator.",
}


def assignment_answered_already(assignment: TrainerAssignment) -> str:
    """What a person is told when an invitation can no longer be answered."""
    when = (
        f" on {uk_weekday(assignment.responded_at)}" if assignment.responded_at is not None else ""
    )
    answered: dict[str, str] = {
        TrainerAssignment.Status.ACCEPTED: f"You accepted this invitation{when}.",
        TrainerAssignment.Status.DECLINED: f"You declined this invitation{when}.",
        TrainerAssignment.Status.WITHDRAWN: "This invitation no longer stands: you are not on "
        "this session.",
    }
    return answered.get(assignment.status, "This invitation is still open.")


def _tell_coordinator(assignment: TrainerAssignment, *, what: str, kind: str) -> None:
    coordinator = assignment.session.coordinator
    if coordinator is None or not coordinator.is_active:
        return
    session = assignment.session
    notification_queue(
        kind=kind,
        recipient_email=coordinator.email,
        recipient_user=coordinator,
        related=assignment,
        subject=_subject(
            f"{assignment.user} {what}: {session.course_version.course}, "
            f"{uk_weekday(session.starts_at)}"
        ),
        template="sessions/email/assignment_answered",
        context=_session_context(session)
        | {
            "person": str(assignment.user),
            "what": what,
            "role": assignment.get_role_display(),
        },
    )


@transaction.atomic
def assignment_accept(*, assignment: TrainerAssignment) -> TrainerAssignment:
    """The invited person says yes: checked for double-booking again (under a lock on the
    person), then their reminders are queued and the coordinator is told."""
    assignment = _assignment_locked(assignment)
    _assignment_answerable(assignment)
    # An invitation sent before the trainer stepped back or left must not put them on a session.
    trainer = getattr(assignment.user, "trainer", None)
    if trainer is not None and trainer.status in ACCEPT_REFUSED:
        raise ValidationError(ACCEPT_REFUSED[trainer.status])
    session = assignment.session
    clashes = assignment_clashes(
        user_ids=[assignment.user_id],
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        exclude_session_pk=session.pk,
    )
    if clashes:
        raise ValidationError(
            f"You are already on {session_label(clashes[0].session)}, at the same time. "
            "Ask the coordinator if you would like to swap."
        )
    assignment.status = TrainerAssignment.Status.ACCEPTED
    assignment.responded_at = timezone.now()
    assignment.save(update_fields=["status", "responded_at"])
    _trainer_reminders_queue(assignment)
    _tell_coordinator(assignment, what="accepted", kind=ACCEPTED_KIND)
    audit_record(
        action=SessionAction.ASSIGNMENT_ANSWERED,
        actor=assignment.user,
        obj=assignment,
        changes={"status": (TrainerAssignment.Status.INVITED, assignment.status)},
    )
    return assignment


@transaction.atomic
def assignment_decline(*, assignment: TrainerAssignment) -> TrainerAssignment:
    """The invited person says no (no reason asked); the coordinator is told."""
    assignment = _assignment_locked(assignment)
    _assignment_answerable(assignment)
    assignment.status = TrainerAssignment.Status.DECLINED
    assignment.responded_at = timezone.now()
    assignment.save(update_fields=["status", "responded_at"])
    _tell_coordinator(assignment, what="declined", kind=DECLINED_KIND)
    audit_record(
        action=SessionAction.ASSIGNMENT_ANSWERED,
        actor=assignment.user,
        obj=assignment,
        changes={"status": (TrainerAssignment.Status.INVITED, assignment.status)},
    )
    return assignment


@transaction.atomic
def assignment_withdraw(*, assignment: TrainerAssignment, by: User) -> TrainerAssignment:
    """Take a person off a session (the coordinator), or step off it (the person themselves,
    no reason asked). Their reminders are cancelled and the other side is told; a confirmed
    session left without a service-user lead goes back to planned."""
    assignment = _assignment_locked(assignment)
    session = assignment.session
    if assignment.status not in HOLDING_STATUSES:
        raise ValidationError(assignment_answered_already(assignment))
    if session.status not in BOOKED_STATUSES:
        raise ValidationError(
            f"This session is {session.get_status_display().lower()}, so nobody can be taken "
            "off it."
        )
    if session.starts_at <= timezone.now():
        raise ValidationError("This session has already started, so nobody can be taken off it.")
    return _assignment_take_off(assignment, by=by)


def _assignment_take_off(
    assignment: TrainerAssignment, *, by: User | None, left: bool = False
) -> TrainerAssignment:
    """Withdraw a locked assignment: reminders and invitation cancelled, the other side told
    (the coordinator alone when the person has left the programme)."""
    session = assignment.session
    before = assignment.status
    assignment.status = TrainerAssignment.Status.WITHDRAWN
    assignment.responded_at = timezone.now()
    assignment.save(update_fields=["status", "responded_at"])
    notification_cancel_for(related=assignment, kind=TRAINER_REMINDER_KIND)
    notification_cancel_for(related=assignment, kind=INVITED_KIND)
    notification_cancel_for(related=assignment, kind=JOINING_LINK_KIND)
    if left:
        _tell_coordinator(
            assignment,
            what="has left the programme, so is no longer on the session",
            kind=TRAINER_LEFT_KIND,
        )
    elif by is not None and by.pk == assignment.user_id:
        _tell_coordinator(assignment, what="stepped off the session", kind=STEPPED_OFF_KIND)
    else:
        notification_queue(
            kind=WITHDRAWN_KIND,
            recipient_email=assignment.user.email,
            recipient_user=assignment.user,
            related=assignment,
            subject=_subject(
                f"You are no longer needed: {session.course_version.course}, "
                f"{uk_weekday(session.starts_at)}"
            ),
            template="sessions/email/assignment_withdrawn",
            context=_session_context(session) | {"was_accepted": before == "accepted"},
            due_at=assignment.responded_at,
        )
    changes: dict = {"status": (before, assignment.status)}
    if session.status == TrainingSession.Status.CONFIRMED and not session_is_service_user_led(
        session=session
    ):
        session.status = TrainingSession.Status.PLANNED
        session.save(update_fields=["status", "updated_at"])
        changes["session status"] = (
            TrainingSession.Status.CONFIRMED,
            TrainingSession.Status.PLANNED,
        )
    audit_record(
        action=SessionAction.ASSIGNMENT_WITHDRAWN, actor=by, obj=assignment, changes=changes
    )
    return assignment


def assignments_on_trainer_left(trainer: Trainer, by: User | None) -> None:
    """A trainer has left the programme: take them off every session still to come (open
    invitations and accepted places alike), stop their reminders and tell each coordinator; a
    confirmed session left without a service-user lead goes back to planned. For
    trainers.services.trainer_leave to call inside its transaction."""
    holding = list(
        TrainerAssignment.objects.filter(
            user_id=trainer.user_id,
            status__in=HOLDING_STATUSES,
            session__status__in=BOOKED_STATUSES,
            session__starts_at__gt=timezone.now(),
        ).order_by("session_id")
    )
    for assignment in holding:
        # Session first, then the person, then the assignment, like every other service.
        assignment = _assignment_locked(assignment)
        if (
            assignment.status in HOLDING_STATUSES
            and assignment.session.status in BOOKED_STATUSES
            and assignment.session.starts_at > timezone.now()
        ):
            _assignment_take_off(assignment, by=by, left=True)


def trainer_reminder_times(*, starts_at: datetime, lead_days: int = 7) -> list[datetime]:
    """When a person on a session is reminded: 09:00 UK time, `lead_days` and 1 day before."""
    day = uk_local(starts_at).date()
    days = sorted({lead_days, *TRAINER_REMINDER_DAYS[1:]}, reverse=True)
    return [
        datetime.combine(day - timedelta(days=n), TRAINER_REMINDER_AT, tzinfo=LONDON) for n in days
    ]


def _trainer_reminders_queue(assignment: TrainerAssignment) -> None:
    session = assignment.session
    trainer = getattr(assignment.user, "trainer", None)
    lead_days = trainer.reminder_lead_days if trainer is not None else TRAINER_REMINDER_DAYS[0]
    now = timezone.now()
    for due_at in trainer_reminder_times(starts_at=session.starts_at, lead_days=lead_days):
        if due_at <= now:
            continue  # a reminder whose time has passed would only arrive late
        days = (uk_local(session.starts_at).date() - due_at.date()).days
        notification_queue(
            kind=TRAINER_REMINDER_KIND,
            recipient_email=assignment.user.email,
            recipient_user=assignment.user,
            related=assignment,
            subject=_subject(
                f"Reminder: {session.course_version.course} "
                f"{'tomorrow' if days == 1 else f'in {days} days'}, {session_when(session)}"
            ),
            template="sessions/email/session_reminder_trainer",
            context=_session_context(session)
            | {"days": days, "role": assignment.get_role_display()},
            due_at=due_at,
        )
