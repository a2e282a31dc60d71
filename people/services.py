from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from notifications.services import notification_queue
from people.models import Participant, ParticipantType, Region, Role, Team, User

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
    user_roles_set(user=user, roles=roles)
    return user


@transaction.atomic
def user_roles_set(*, user: User, roles: Iterable[str]) -> User:
    """Give a person exactly these roles."""
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(f"Unknown role: {', '.join(sorted(unknown))}.")
    # Only role groups change: other groups an admin gave this person stay as they are.
    wanted = [Group.objects.get_or_create(name=Role(role).label)[0] for role in sorted(roles)]
    user.groups.remove(
        *Group.objects.filter(name__in=Role.labels).exclude(pk__in=[g.pk for g in wanted])
    )
    user.groups.add(*wanted)
    user.__dict__.pop("roles", None)
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


def password_reset_send(*, user: User) -> None:
    """Email a person a link to choose a new password (the link is made when the email is sent)."""
    notification_queue(
        kind="password_reset",
        recipient_email=user.email,
        recipient_user=user,
        related=user,
        subject="Reset your Coproduce password",
        template="people/email/password_reset",
    )
