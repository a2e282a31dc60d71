from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record
from notifications.selectors import notification_count_since
from notifications.services import notification_queue
from people.audit_actions import RoleAction, SecondFactorAction
from people.models import (
    APP_DEVICE,
    EMAIL_DEVICE,
    Participant,
    ParticipantType,
    Region,
    Role,
    Team,
    User,
)
from people.selectors import authenticator_pending

# What each role may do through Django's permission system. Later issues add their models here;
# object-level rules (whose claim, whose notes) live in selectors, not in these permissions.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.COORDINATOR: (
        "people.view_region",
        "people.add_region",
        "people.change_region",
        "people.view_team",
        "people.add_team",
        "people.change_team",
        "people.view_participant",
        "people.add_participant",
        "people.change_participant",
        "notifications.view_notification",
    ),
    Role.TRAINER: (),
    Role.TEAM_LEAD: ("people.view_team",),
    Role.MANAGER: ("people.view_region", "people.view_team"),
}


def role_groups_sync(*, using: str = "default") -> None:
    """Create the group for each role and give it exactly the permissions in ROLE_PERMISSIONS."""
    wanted = {code for codes in ROLE_PERMISSIONS.values() for code in codes}
    match = Q(pk__in=[])
    for code in wanted:
        app_label, codename = code.split(".")
        match |= Q(content_type__app_label=app_label, codename=codename)
    existing = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.using(using).filter(match).select_related("content_type")
    }
    for role in Role:
        group, _ = Group.objects.using(using).get_or_create(name=role.label)
        # Permissions of apps not migrated yet are picked up on their own post_migrate.
        group.permissions.set(
            [existing[code] for code in ROLE_PERMISSIONS[role] if code in existing]
        )


def _email_taken(email: str, *, model: type[User] | type[Participant], exclude_pk=None) -> bool:
    return model.objects.filter(email__iexact=email).exclude(pk=exclude_pk).exists()


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    password: str | None = None,
    roles: Iterable[str] = (),
    is_superuser: bool = False,
    by: User | None = None,
) -> User:
    """Create a person who can sign in, with the given roles (admin = superuser)."""
    email = User.objects.normalize_email(email.strip()).lower()
    if _email_taken(email, model=User):
        raise ValidationError({"email": "Someone already has an account with this email address."})
    user = User(email=email, full_name=full_name.strip(), is_superuser=is_superuser)
    user.is_staff = is_superuser
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user_roles_set(user=user, roles=roles, by=by)
    return user


@transaction.atomic
def user_roles_set(*, user: User, roles: Iterable[str], by: User | None = None) -> User:
    """Give a person exactly these roles, recording the change in the audit trail."""
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(f"Unknown role: {', '.join(sorted(unknown))}.")
    user.__dict__.pop("roles", None)
    before = sorted(user.roles)
    # Only role groups change: other groups an admin gave this person stay as they are.
    wanted = [Group.objects.get_or_create(name=Role(role).label)[0] for role in sorted(roles)]
    user.groups.remove(
        *Group.objects.filter(name__in=Role.labels).exclude(pk__in=[g.pk for g in wanted])
    )
    user.groups.add(*wanted)
    user.__dict__.pop("roles", None)
    after = sorted(Role(role).value for role in roles)
    if before != after:
        audit_record(
            action=RoleAction.ROLES_CHANGED, actor=by, obj=user, changes={"roles": (before, after)}
        )
    return user


@transaction.atomic
def team_upsert(*, region_name: str, team_name: str, headcount: int) -> Team:
    """Create or update a team and its workforce headcount, creating the region if new."""
    if headcount < 0:
        raise ValidationError({"headcount": "Headcount cannot be negative."})
    region_name, team_name = region_name.strip(), team_name.strip()
    if not region_name or not team_name:
        raise ValidationError("A team needs a region and a name.")
    region = Region.objects.filter(name__iexact=region_name).first()
    if region is None:
        region = Region.objects.create(name=region_name)
    team = Team.objects.filter(region=region, name__iexact=team_name).first()
    if team is None:
        return Team.objects.create(region=region, name=team_name, workforce_headcount=headcount)
    if team.workforce_headcount != headcount:
        team.workforce_headcount = headcount
        team.save(update_fields=["workforce_headcount"])
    return team


@transaction.atomic
def participant_get_or_create(
    *,
    email: str,
    full_name: str,
    participant_type: str = ParticipantType.STAFF,
    team: Team | None = None,
    region: Region | None = None,
) -> tuple[Participant, bool]:
    """Find the one participant with this email (any case), or record a new one."""
    email = email.strip()
    # The case-insensitive unique constraint stops two simultaneous first registrations from
    # creating the same person twice; the loser gets an IntegrityError and can retry.
    existing = Participant.objects.filter(email__iexact=email).first()
    if existing is not None:
        return existing, False
    participant = Participant(
        email=email,
        full_name=full_name.strip(),
        participant_type=participant_type,
        team=team,
        region=region or (team.region if team else None),
    )
    participant.full_clean()
    participant.save()
    return participant, True


PASSWORD_RESETS_PER_HOUR = 2


def password_reset_send(*, user: User) -> None:
    """Email a person a link to choose a new password (the link is made when the email is sent).

    At most two an hour per address: more would let anyone flood someone's inbox."""
    recent = notification_count_since(
        kind="password_reset",
        recipient_email=user.email,
        since=timezone.now() - timedelta(hours=1),
    )
    if recent >= PASSWORD_RESETS_PER_HOUR:
        return
    notification_queue(
        kind="password_reset",
        recipient_email=user.email,
        recipient_user=user,
        related=user,
        subject="Reset your Coproduce password",
        template="people/email/password_reset",
    )


def second_factor_required(user: User) -> bool:
    """Coordinators, managers and admins must use a second factor; others may choose to."""
    return user.is_superuser or user.has_role(Role.COORDINATOR, Role.MANAGER)


def second_factor_change_allowed(*, user: User, verified: bool) -> bool:
    """Whether this person may add or replace a second factor now.

    Someone who has a confirmed second factor must have passed it in this session (`verified`, from
    `request.user.is_verified()`): otherwise a password alone could swap the owner's authenticator
    for the attacker's. Someone with none yet may set up their first."""
    return verified or not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _second_factor_change_check(*, user: User, verified: bool) -> None:
    if not second_factor_change_allowed(user=user, verified=verified):
        raise PermissionDenied("Enter a code from your current second factor first.")


@transaction.atomic
def authenticator_start(*, user: User, verified: bool) -> TOTPDevice:
    """Begin setting up an authenticator app (replacing any set-up left unfinished)."""
    _second_factor_change_check(user=user, verified=verified)
    TOTPDevice.objects.filter(user=user, name=APP_DEVICE, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


@transaction.atomic
def authenticator_confirm(*, user: User, code: str, verified: bool) -> TOTPDevice:
    """Finish setting up the authenticator app with a first code from it.

    When the person already had a second factor, the old app is replaced and they are emailed, so
    a change they did not make does not go unnoticed."""
    # One change at a time per person: the check and the replacement see the same devices.
    User.objects.select_for_update().filter(pk=user.pk).first()
    _second_factor_change_check(user=user, verified=verified)
    device = authenticator_pending(user=user)
    if device is None or not device.verify_token(_clean_code(code)):
        raise ValidationError(
            {"code": "That code did not match. Enter the newest 6-digit code your app shows."}
        )
    had_one = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    replaced, _ = TOTPDevice.objects.filter(user=user, name=APP_DEVICE, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    action = (
        SecondFactorAction.SECOND_FACTOR_REPLACED
        if replaced
        else SecondFactorAction.SECOND_FACTOR_ADDED
    )
    audit_record(action=action, actor=user, obj=user, changes={"method": APP_DEVICE})
    if had_one:
        notification_queue(
            kind="authenticator_changed",
            recipient_email=user.email,
            recipient_user=user,
            related=user,
            subject="Your Coproduce authenticator was changed",
            template="people/email/authenticator_changed",
        )
    return device


@transaction.atomic
def second_factor_reset(*, user: User, by: User, request: HttpRequest | None = None) -> int:
    """An admin removes every second-factor device of a person who lost theirs; how many.

    The person sets one up again at their next sign-in, and is told by email."""
    if not by.is_superuser:
        raise PermissionDenied("Only an admin can reset someone's two-step sign-in.")
    User.objects.select_for_update().filter(pk=user.pk).first()
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    if not removed:
        return 0
    audit_record(
        action=SecondFactorAction.SECOND_FACTOR_RESET,
        actor=by,
        obj=user,
        changes={"devices": removed},
        request=request,
    )
    notification_queue(
        kind="second_factor_reset",
        recipient_email=user.email,
        recipient_user=user,
        related=user,
        subject="Your Coproduce two-step sign-in was reset",
        template="people/email/second_factor_reset",
    )
    return removed


SIGN_IN_CODES_PER_HOUR = 5


@transaction.atomic
def email_code_send(*, user: User) -> None:
    """Email a sign-in code. Asking again within the same minute sends nothing more, and at most
    five go in an hour: asking needs only the password, and more would let whoever knows it
    flood the owner's inbox (a code lasts 10 to 20 minutes, so five an hour is plenty)."""
    recent = notification_count_since(
        kind="sign_in_code",
        recipient_email=user.email,
        since=timezone.now() - timedelta(hours=1),
    )
    if recent >= SIGN_IN_CODES_PER_HOUR:
        return
    device, _ = TOTPDevice.objects.get_or_create(
        user=user,
        name=EMAIL_DEVICE,
        defaults={
            "confirmed": False,
            "step": settings.EMAIL_CODE_STEP_SECONDS,
            # The code of the step before still counts, so a code lasts 10 to 20 minutes.
            "tolerance": 1,
        },
    )
    notification_queue(
        kind="sign_in_code",
        recipient_email=user.email,
        recipient_user=user,
        related=device,
        subject="Your Coproduce sign-in code",
        template="people/email/sign_in_code",
        due_at=timezone.now().replace(second=0, microsecond=0),
    )


def second_factor_verify(*, user: User, code: str) -> TOTPDevice:
    """The device this code belongs to; an emailed code also makes email a confirmed method."""
    devices = TOTPDevice.objects.filter(user=user).filter(Q(confirmed=True) | Q(name=EMAIL_DEVICE))
    code = _clean_code(code)
    # django-otp doubles the wait after each wrong code, per device.
    open_devices = [device for device in devices if device.verify_is_allowed()[0]]
    if devices and not open_devices:
        raise ValidationError(
            {"code": "That was too soon after a wrong code. Wait a moment, then try again."}
        )
    for device in open_devices:
        if device.verify_token(code):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit_record(
                    action=SecondFactorAction.SECOND_FACTOR_ADDED,
                    actor=user,
                    obj=user,
                    changes={"method": EMAIL_DEVICE},
                )
            return device
    # Not in a transaction: the record of a wrong code must outlive the refusal.
    audit_record(action=SecondFactorAction.SECOND_FACTOR_FAILED, actor=user, obj=user)
    raise ValidationError({"code": "That code did not match. Check it and try again."})


def _clean_code(code: str) -> str:
    return "".join(code.split())
