import calendar
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format

from audit.models import Action
from audit.services import audit_record
from notifications.models import Notification
from notifications.services import notification_cancel_for, notification_queue
from people.models import Region, Role, User
from people.services import user_create
from trainers.models import (
    Application,
    ApplicationNote,
    Certification,
    Involvement,
    RoleDescription,
    SupportSession,
    T3Programme,
    T3Progress,
    T3Requirement,
    Trainer,
    WellbeingCheckIn,
)
from trainers.selectors import checkin_debrief_recipient

# --- Role descriptions and recruitment ---
# A published or retired role description is never changed: people who applied under a version
# keep what they read. Changes go into a draft, and there is one draft at a time, so the draft
# always holds the next version number.

ROLE_DESCRIPTION_TEXT = (
    "title",
    "purpose",
    "involves",
    "time_commitment",
    "support_offered",
    "payment_policy",
)
ROLE_DESCRIPTION_MISSING = {
    "title": "Give the role description a title.",
    "purpose": "Say what the role is for.",
    "involves": "Say what the role involves.",
    "time_commitment": "Say how much time the role takes.",
    "support_offered": "Say what support trainers get.",
    "payment_policy": "Say how expenses and payment work.",
}


def _role_description_texts(values: dict[str, str]) -> dict[str, str]:
    texts = {name: (values.get(name) or "").strip() for name in ROLE_DESCRIPTION_TEXT}
    missing = {name: ROLE_DESCRIPTION_MISSING[name] for name, text in texts.items() if not text}
    if missing:
        raise ValidationError(missing)
    return texts


def _role_description_new_draft(*, texts: dict[str, str], by: User | None) -> RoleDescription:
    # Lock every version (a handful of rows) so two coordinators cannot both start a draft or
    # take the same number; the unique version constraint backs this up.
    versions = list(RoleDescription.objects.select_for_update().values_list("version", "status"))
    draft = next((v for v, status in versions if status == RoleDescription.Status.DRAFT), None)
    if draft is not None:
        raise ValidationError(
            f"There is already a draft (version {draft}). Carry on with that one, or publish it "
            "first."
        )
    role_description = RoleDescription(
        **texts, version=max((v for v, _ in versions), default=0) + 1, created_by=by
    )
    role_description.full_clean()
    role_description.save()
    return role_description


@transaction.atomic
def role_description_create(
    *,
    title: str,
    purpose: str,
    involves: str,
    time_commitment: str,
    support_offered: str,
    payment_policy: str,
    by: User,
) -> RoleDescription:
    """Start a new draft role description, numbered as the next version."""
    texts = _role_description_texts(
        {
            "title": title,
            "purpose": purpose,
            "involves": involves,
            "time_commitment": time_commitment,
            "support_offered": support_offered,
            "payment_policy": payment_policy,
        }
    )
    return _role_description_new_draft(texts=texts, by=by)


@transaction.atomic
def role_description_draft_from(*, source: RoleDescription, by: User) -> RoleDescription:
    """Start a new draft copied from a published or retired version (which stays as it is)."""
    return _role_description_new_draft(
        texts={name: getattr(source, name) for name in ROLE_DESCRIPTION_TEXT}, by=by
    )


def _role_description_locked(role_description: RoleDescription) -> RoleDescription:
    return RoleDescription.objects.select_for_update().get(pk=role_description.pk)


@transaction.atomic
def role_description_update(
    *,
    role_description: RoleDescription,
    title: str,
    purpose: str,
    involves: str,
    time_commitment: str,
    support_offered: str,
    payment_policy: str,
    by: User,
) -> RoleDescription:
    """Change the text of a draft. Published and retired versions are never changed."""
    role_description = _role_description_locked(role_description)
    if role_description.status != RoleDescription.Status.DRAFT:
        raise ValidationError(
            f"Version {role_description.version} is {role_description.get_status_display().lower()}"
            " and cannot be changed. Start a new draft from it instead."
        )
    texts = _role_description_texts(
        {
            "title": title,
            "purpose": purpose,
            "involves": involves,
            "time_commitment": time_commitment,
            "support_offered": support_offered,
            "payment_policy": payment_policy,
        }
    )
    for name, text in texts.items():
        setattr(role_description, name, text)
    role_description.full_clean()
    role_description.save(update_fields=list(texts))
    return role_description


@transaction.atomic
def role_description_publish(*, role_description: RoleDescription, by: User) -> RoleDescription:
    """Publish a draft as the next version; the version published until now is retired."""
    role_description = _role_description_locked(role_description)
    if role_description.status != RoleDescription.Status.DRAFT:
        raise ValidationError(
            f"Version {role_description.version} is already "
            f"{role_description.get_status_display().lower()}. Only a draft can be published."
        )
    _role_description_texts({n: getattr(role_description, n) for n in ROLE_DESCRIPTION_TEXT})
    others = RoleDescription.objects.select_for_update().exclude(pk=role_description.pk)
    previous = others.filter(status=RoleDescription.Status.PUBLISHED).first()
    if previous is not None:
        previous.status = RoleDescription.Status.RETIRED
        previous.save(update_fields=["status"])
    # The draft already holds the next number (one draft at a time); this keeps it so.
    role_description.version = max(others.values_list("version", flat=True), default=0) + 1
    role_description.status = RoleDescription.Status.PUBLISHED
    role_description.published_at = timezone.now()
    role_description.save(update_fields=["version", "status", "published_at"])
    audit_record(
        action=Action.ROLE_DESCRIPTION_PUBLISHED,
        actor=by,
        obj=role_description,
        changes={
            "version": role_description.version,
            "retired_version": previous.version if previous else None,
        },
    )
    return role_description


# Where an application may go from each step. Conversation booked → conversation booked moves the
# conversation to another time. Accepted, declined and withdrawn are the end of the road.
APPLICATION_NEXT_STEPS: dict[str, tuple[str, ...]] = {
    Application.Status.RECEIVED: (
        Application.Status.CONVERSATION_BOOKED,
        Application.Status.DECLINED,
        Application.Status.WITHDRAWN,
    ),
    Application.Status.CONVERSATION_BOOKED: (
        Application.Status.CONVERSATION_BOOKED,
        Application.Status.OFFERED,
        Application.Status.DECLINED,
        Application.Status.WITHDRAWN,
    ),
    Application.Status.OFFERED: (
        Application.Status.ACCEPTED,
        Application.Status.DECLINED,
        Application.Status.WITHDRAWN,
    ),
    Application.Status.ACCEPTED: (),
    Application.Status.DECLINED: (),
    Application.Status.WITHDRAWN: (),
}
CLOSED_APPLICATION_STATUSES = (Application.Status.DECLINED, Application.Status.WITHDRAWN)
# Promised on the application form: closed applications are deleted 12 months after they close.
CLOSED_APPLICATION_KEPT_FOR = timedelta(days=365)


@transaction.atomic
def application_submit(
    *,
    role_description: RoleDescription,
    full_name: str,
    email: str,
    region: Region,
    involvement: list[str],
    consent: bool,
    phone: str = "",
    about_involvement: str = "",
    access_needs: str = "",
) -> Application:
    """Record someone's expression of interest in becoming a trainer, under the published
    role description. Someone with an application still open gets no second one: the answers
    first given are kept (knowing an email must not let anyone overwrite them) and a note tells
    the coordinator the form came again. The form thanks them the same either way."""
    if role_description.status != RoleDescription.Status.PUBLISHED:
        raise ValidationError(
            "The role description has changed since you opened this page. Please read the "
            "current one and send the form again."
        )
    full_name, email = full_name.strip(), email.strip()
    errors = {}
    if not full_name:
        errors["full_name"] = "Enter your name."
    if not involvement:
        errors["involvement"] = "Choose at least one way you would like to be involved."
    elif not set(involvement) <= set(Involvement.values):
        errors["involvement"] = "Choose from the ways of being involved listed."
    if not consent:
        errors["consent"] = (
            "Tick the box to say we may keep these details. Without it we cannot take your "
            "application."
        )
    if errors:
        raise ValidationError(errors)
    application = Application(
        role_description=role_description,
        full_name=full_name,
        email=email,
        phone=phone.strip(),
        region=region,
        involvement=[value for value in Involvement.values if value in involvement],
        about_involvement=about_involvement.strip(),
        access_needs=access_needs.strip(),
        consent_given_at=timezone.now(),
    )
    # The one open application per email is checked here, under a row lock, not by full_clean.
    application.full_clean(validate_constraints=False)
    open_one = _application_open_for(email)
    if open_one is not None:
        return _application_sent_again(open_one)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        # The same person's other submission was saved a moment ago (one_open_application...).
        return _application_sent_again(_application_open_for(email))
    ApplicationNote.objects.create(
        application=application, status=Application.Status.RECEIVED, at=application.submitted_at
    )
    return application


OPEN_APPLICATION_STATUSES = (
    Application.Status.RECEIVED,
    Application.Status.CONVERSATION_BOOKED,
    Application.Status.OFFERED,
)


def _application_open_for(email: str) -> Application | None:
    return (
        Application.objects.select_for_update()
        .filter(email__iexact=email, status__in=OPEN_APPLICATION_STATUSES)
        .first()
    )


def _application_sent_again(application: Application) -> Application:
    ApplicationNote.objects.create(
        application=application,
        text="They sent the form again; the answers first given are kept. Ask them if anything "
        "has changed.",
    )
    return application


def _application_locked(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _application_step_check(application: Application, status: str) -> None:
    if status not in APPLICATION_NEXT_STEPS[application.status]:
        current = application.get_status_display()
        wanted = Application.Status(status).label
        if not APPLICATION_NEXT_STEPS[application.status]:
            message = f"This application is “{current}”: it cannot move on any more."
        else:
            message = f"An application that is “{current}” cannot move to “{wanted}”."
        raise ValidationError({"status": message})


def _application_status_set(
    application: Application, *, status: str, by: User, note: str, changes: dict
) -> None:
    before = application.status
    application.status = status
    application.save()
    ApplicationNote.objects.create(application=application, status=status, text=note, by=by)
    audit_record(
        action=Action.APPLICATION_STATUS_CHANGED,
        actor=by,
        obj=application,
        changes={"status": (before, status), **changes},
    )


@transaction.atomic
def application_move(
    *,
    application: Application,
    status: str | None,
    by: User,
    note: str = "",
    conversation_at: datetime | None = None,
) -> Application:
    """Move an application to its next step with an optional note, or (with no status) just add
    a note. Accepting creates the trainer's account (see application_accept)."""
    application = _application_locked(application)
    note = note.strip()
    if not status:
        if not note:
            raise ValidationError({"note": "Write a note, or choose what happens next."})
        ApplicationNote.objects.create(application=application, text=note, by=by)
        return application
    if status not in Application.Status.values:
        raise ValidationError({"status": "Choose one of the steps listed."})
    _application_step_check(application, status)
    if status == Application.Status.ACCEPTED:
        return application_accept(application=application, by=by, note=note)
    changes = {}
    if status == Application.Status.CONVERSATION_BOOKED:
        if conversation_at is None:
            raise ValidationError(
                {"conversation_at": "Enter the date and time of the conversation."}
            )
        if conversation_at <= timezone.now():
            raise ValidationError(
                {"conversation_at": "The conversation must be booked for a time in the future."}
            )
        application.conversation_at = conversation_at
        changes["conversation_at"] = conversation_at
    _application_status_set(application, status=status, by=by, note=note, changes=changes)
    return application


@transaction.atomic
def application_accept(*, application: Application, by: User, note: str = "") -> Application:
    """Accept an offered application: create the trainer's account and profile, and email them
    a link to choose a password (after commit). Nothing changes if the email has an account."""
    application = _application_locked(application)
    _application_step_check(application, Application.Status.ACCEPTED)
    if User.objects.filter(email__iexact=application.email).exists():
        raise ValidationError(
            f"There is already an account with the email address {application.email}, so no "
            "new account was made and the application has not changed. If this person already "
            "has an account, ask an admin to give it the trainer role."
        )
    user = user_create(
        email=application.email, full_name=application.full_name, roles=[Role.TRAINER], by=by
    )
    trainer = Trainer(
        user=user,
        region=application.region,
        involvement=list(application.involvement),
        role_description=application.role_description,
        status=Trainer.Status.IN_TRAINING,
    )
    trainer.full_clean()
    trainer.save()
    application.trainer = trainer
    _application_status_set(
        application, status=Application.Status.ACCEPTED, by=by, note=note, changes={}
    )
    audit_record(
        action=Action.TRAINER_ACCOUNT_CREATED,
        actor=by,
        obj=trainer,
        changes={"application": application.pk},
    )
    _trainer_welcome_queue(trainer=trainer)
    return application


def _trainer_welcome_queue(*, trainer: Trainer) -> Notification:
    # The set-password link is made when the email is sent (people_links); no token is stored.
    return notification_queue(
        kind="trainer_welcome",
        recipient_email=trainer.user.email,
        recipient_user=trainer.user,
        related=trainer,
        subject="Welcome to Coproduce: choose your password",
        template="trainers/email/welcome",
    )


@transaction.atomic
def application_welcome_resend(*, application: Application, by: User) -> Notification:
    """Email a new trainer a fresh set-password link, for when the first one ran out."""
    application = _application_locked(application)
    trainer = application.trainer
    if application.status != Application.Status.ACCEPTED or trainer is None:
        raise ValidationError("Only an accepted application has a trainer to email.")
    if trainer.user.has_usable_password():
        raise ValidationError(
            "This trainer has already chosen a password. If they have forgotten it, they can use "
            "“Forgotten your password?” on the sign-in page."
        )
    if not trainer.user.is_active:
        raise ValidationError("This trainer's account is switched off, so no email was sent.")
    ApplicationNote.objects.create(
        application=application, text="Set-password email sent again.", by=by
    )
    return _trainer_welcome_queue(trainer=trainer)


@transaction.atomic
def application_delete(*, application: Application, by: User) -> None:
    """Delete an application and its history, for example when the person asks us to."""
    application = _application_locked(application)
    # The audit event names no one: the point is that the person's details are gone.
    audit_record(
        action=Action.APPLICATION_DELETED,
        actor=by,
        changes={"application": application.pk, "status": application.status},
    )
    application.delete()


@transaction.atomic
def application_purge_closed(*, now: datetime | None = None) -> int:
    """Delete declined and withdrawn applications 12 months after their last change; returns
    how many went."""
    cutoff = (now or timezone.now()) - CLOSED_APPLICATION_KEPT_FOR
    expired = (
        Application.objects.filter(status__in=CLOSED_APPLICATION_STATUSES)
        .annotate(last_change=Coalesce(Max("notes__at"), "submitted_at"))
        .filter(last_change__lt=cutoff)
    )
    ids = list(expired.values_list("pk", flat=True))
    if ids:
        Application.objects.filter(pk__in=ids).delete()
        audit_record(action=Action.APPLICATION_DELETED, changes={"closed_applications": len(ids)})
    return len(ids)


# --- Trainer profiles and Train the Trainer ---


# Certification is counted in calendar months; its renewal reminder goes 30 days before it ends,
# at 09:00 UK time.
RENEWAL_KIND = "certification_renewal"
RENEWAL_REMINDER_DAYS = 30
RENEWAL_REMINDER_AT = time(9, 0)
LONDON = ZoneInfo("Europe/London")
# Apps above trainers register here what must follow a corrected expiry date, inside the same
# transaction (sessions re-checks the sessions the trainer leads): called with the
# certification and who changed it.
CERTIFICATION_CHANGED: list[Callable[[Certification, User], None]] = []
# What must also happen, inside the same transaction, when a trainer leaves the programme (the
# sessions app takes them off sessions still to come). Called with the trainer and who did it.
TRAINER_LEFT: list[Callable[[Trainer, User | None], None]] = []


def months_after(day: date, months: int) -> date:
    """The same day `months` calendar months later, or that month's last day if it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _check_range(errors: dict, field: str, value: int, low: int, high: int, what: str) -> None:
    if value is None or not low <= value <= high:
        errors[field] = f"Choose {what} from {low} to {high}."


PROFILE_FIELDS = (
    "involvement",
    "topics_will_speak_about",
    "topics_will_not_speak_about",
    "story_sharing",
    "lived_experience_notes",
    "max_sessions_per_month",
    "reasonable_adjustments",
    "reminder_lead_days",
    "payment_choice",
    "yearly_earnings_limit",
)


@transaction.atomic
def trainer_profile_update(
    *,
    trainer: Trainer,
    region: Region,
    involvement: Iterable[str],
    max_sessions_per_month: int,
    reminder_lead_days: int,
    payment_choice: str,
    topics_will_speak_about: str = "",
    topics_will_not_speak_about: str = "",
    story_sharing: str = "",
    lived_experience_notes: str = "",
    reasonable_adjustments: str = "",
    yearly_earnings_limit: Decimal | None = None,
) -> Trainer:
    """Save the preferences, boundaries and payment choice a trainer keeps on their own profile."""
    involvement = set(involvement)
    errors: dict[str, str] = {}
    if involvement - set(Involvement.values):
        errors["involvement"] = "Choose only from the ways of being involved listed."
    _check_range(errors, "max_sessions_per_month", max_sessions_per_month, 1, 20, "a number")
    _check_range(errors, "reminder_lead_days", reminder_lead_days, 1, 28, "a number of days")
    if payment_choice not in Trainer.Payment.values:
        errors["payment_choice"] = "Choose how you would like to be paid."
    if yearly_earnings_limit is not None and yearly_earnings_limit < 0:
        errors["yearly_earnings_limit"] = "The limit cannot be less than £0."
    if errors:
        raise ValidationError(errors)
    trainer.region = region
    # Kept in the order of the choices, so lists read the same everywhere.
    trainer.involvement = [value for value in Involvement.values if value in involvement]
    trainer.topics_will_speak_about = topics_will_speak_about.strip()
    trainer.topics_will_not_speak_about = topics_will_not_speak_about.strip()
    trainer.story_sharing = story_sharing.strip()
    trainer.lived_experience_notes = lived_experience_notes.strip()
    trainer.max_sessions_per_month = max_sessions_per_month
    trainer.reasonable_adjustments = reasonable_adjustments.strip()
    trainer.reminder_lead_days = reminder_lead_days
    trainer.payment_choice = payment_choice
    trainer.yearly_earnings_limit = yearly_earnings_limit
    trainer.full_clean(validate_unique=False)
    trainer.save(update_fields=[*PROFILE_FIELDS, "region"])
    return trainer


@transaction.atomic
def trainer_step_back(*, trainer: Trainer) -> Trainer:
    """Mark a trainer as stepping back: no reason is asked and no new invitations go out."""
    # Neither this nor coming back is written to the audit trail: the trail is read by
    # coordinators and managers, who are only to see that the trainer is unavailable.
    if trainer.status == Trainer.Status.LEFT:
        raise ValidationError("You have left the programme, so there is nothing to step back from.")
    Trainer.objects.filter(pk=trainer.pk).exclude(status=Trainer.Status.LEFT).update(
        status=Trainer.Status.STEPPING_BACK
    )
    trainer.refresh_from_db(fields=["status"])
    return trainer


@transaction.atomic
def trainer_return(*, trainer: Trainer) -> Trainer:
    """Bring a trainer back from stepping back: active if certified today, else in training."""
    today = timezone.localdate()
    certified = trainer.certifications.filter(
        certified_on__lte=today, expires_on__gt=today
    ).exists()
    status = Trainer.Status.ACTIVE if certified else Trainer.Status.IN_TRAINING
    # Conditional: a second click (or a trainer who was never stepping back) changes nothing.
    Trainer.objects.filter(pk=trainer.pk, status=Trainer.Status.STEPPING_BACK).update(status=status)
    trainer.refresh_from_db(fields=["status"])
    return trainer


@transaction.atomic
def trainer_leave(*, trainer: Trainer, by: User | None) -> Trainer:
    """Record that a trainer has left the programme: their pending certification-renewal
    reminders are cancelled, and registered hooks take them off every session still to come."""
    # The trainer's row first, then (in the hooks) sessions, people and assignments: nothing
    # locks a session and then a trainer's row, so this order cannot deadlock.
    trainer = Trainer.objects.select_for_update(of=("self",)).get(pk=trainer.pk)
    if trainer.status == Trainer.Status.LEFT:
        return trainer
    trainer.status = Trainer.Status.LEFT
    trainer.save(update_fields=["status"])
    for certification in trainer.certifications.all():
        notification_cancel_for(related=certification, kind=RENEWAL_KIND)
    for hook in TRAINER_LEFT:
        hook(trainer, by)
    return trainer


@transaction.atomic
def trainer_assign(
    *, trainer: Trainer, supporter: User | None, programme: T3Programme | None, by: User
) -> Trainer:
    """Name a trainer's supporter (who may read their private notes) and their T3 programme."""
    trainer = (
        Trainer.objects.select_for_update(of=("self",))
        .select_related("user", "supporter", "programme")
        .get(pk=trainer.pk)
    )
    if supporter is not None and not supporter.is_active:
        raise ValidationError({"supporter": f"{supporter}’s account is switched off."})
    if supporter is not None and supporter.pk == trainer.user_id:
        raise ValidationError({"supporter": "A trainer cannot be their own supporter."})
    changes = {}
    if trainer.supporter_id != (supporter.pk if supporter else None):
        changes["supporter"] = (_name(trainer.supporter), _name(supporter))
    if trainer.programme_id != (programme.pk if programme else None):
        changes["programme"] = (_name(trainer.programme), _name(programme))
    if not changes:
        return trainer
    trainer.supporter, trainer.programme = supporter, programme
    trainer.save(update_fields=["supporter", "programme"])
    audit_record(action=Action.TRAINER_ASSIGNED, actor=by, obj=trainer, changes=changes)
    return trainer


def _name(obj) -> str | None:
    return None if obj is None else str(obj)


def _programme_fields_check(*, name: str, certification_months: int, exclude_pk=None) -> str:
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = "Give the programme a name."
    elif T3Programme.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = f"There is already a programme called “{name}”."
    _check_range(errors, "certification_months", certification_months, 1, 120, "a number of months")
    if errors:
        raise ValidationError(errors)
    return name


@transaction.atomic
def t3_programme_create(
    *, name: str, description: str = "", certification_months: int = 24
) -> T3Programme:
    """Create a Train the Trainer programme (its requirements are added after)."""
    name = _programme_fields_check(name=name, certification_months=certification_months)
    programme = T3Programme(
        name=name, description=description.strip(), certification_months=certification_months
    )
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def t3_programme_update(
    *, programme: T3Programme, name: str, description: str, certification_months: int
) -> T3Programme:
    """Change a programme's name, description or how long its certification lasts (for
    certifications given from now on; earlier ones keep their expiry date)."""
    programme.name = _programme_fields_check(
        name=name, certification_months=certification_months, exclude_pk=programme.pk
    )
    programme.description = description.strip()
    programme.certification_months = certification_months
    programme.full_clean()
    programme.save()
    return programme


def _requirement_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the requirement a title."})
    return title


@transaction.atomic
def t3_requirement_add(
    *, programme: T3Programme, title: str, description: str = ""
) -> T3Requirement:
    """Add a requirement at the end of a programme."""
    title = _requirement_title(title)
    # The programme row is locked so two requirements added at once get different places.
    T3Programme.objects.select_for_update().get(pk=programme.pk)
    last = programme.requirements.aggregate(last=Max("order"))["last"] or 0
    requirement = T3Requirement(
        programme=programme, title=title, description=description.strip(), order=last + 1
    )
    requirement.full_clean()
    requirement.save()
    return requirement


@transaction.atomic
def t3_requirement_update(
    *, requirement: T3Requirement, title: str, description: str = ""
) -> T3Requirement:
    """Change a requirement's title or description."""
    requirement.title = _requirement_title(title)
    requirement.description = description.strip()
    requirement.full_clean()
    requirement.save(update_fields=["title", "description"])
    return requirement


@transaction.atomic
def t3_requirement_move(*, requirement: T3Requirement, up: bool) -> T3Requirement:
    """Move a requirement one place earlier (up) or later in its programme."""
    T3Programme.objects.select_for_update().get(pk=requirement.programme_id)
    requirements = list(
        T3Requirement.objects.filter(programme_id=requirement.programme_id).order_by("order", "pk")
    )
    index = next(i for i, item in enumerate(requirements) if item.pk == requirement.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(requirements):
        requirements[index], requirements[other] = requirements[other], requirements[index]
    # Numbered afresh from 1, so earlier gaps or ties cannot make the order ambiguous.
    for number, item in enumerate(requirements, start=1):
        item.order = number
    T3Requirement.objects.bulk_update(requirements, ["order"])
    return next(item for item in requirements if item.pk == requirement.pk)


@transaction.atomic
def t3_progress_record(
    *,
    trainer: Trainer,
    requirement: T3Requirement,
    completed_on: date,
    evidence: str = "",
    by: User,
) -> T3Progress:
    """Record that a trainer met a requirement; meeting the last one certifies them at once."""
    # The trainer's row is locked so two requirements recorded at once certify them only once.
    trainer = (
        Trainer.objects.select_for_update(of=("self",))
        .select_related("user", "programme")
        .get(pk=trainer.pk)
    )
    if trainer.programme is None:
        raise ValidationError(
            {"requirement": f"{trainer} has no Train the Trainer programme yet. Choose it first."}
        )
    if requirement.programme_id != trainer.programme_id:
        raise ValidationError(
            {
                "requirement": f"“{requirement}” is not part of {trainer}’s programme, "
                f"{trainer.programme}."
            }
        )
    if completed_on > timezone.localdate():
        raise ValidationError(
            {"completed_on": "This date is in the future. Record a requirement once it is met."}
        )
    earlier = T3Progress.objects.filter(trainer=trainer, requirement=requirement).first()
    if earlier is not None:
        raise ValidationError(
            {
                "requirement": f"“{requirement}” was already recorded as met on "
                f"{_day(earlier.completed_on)}."
            }
        )
    progress = T3Progress(
        trainer=trainer,
        requirement=requirement,
        completed_on=completed_on,
        evidence=evidence.strip(),
        recorded_by=by,
    )
    progress.full_clean(validate_constraints=False)
    progress.save()
    # The evidence notes are not copied to the audit trail: they may say anything about a person.
    audit_record(
        action=Action.T3_PROGRESS_RECORDED,
        actor=by,
        obj=trainer,
        changes={"requirement": requirement.title, "completed_on": completed_on},
    )
    met = T3Progress.objects.filter(trainer=trainer, requirement__programme=trainer.programme)
    if met.count() == trainer.programme.requirements.count():
        _certify(trainer=trainer, certified_on=met.aggregate(on=Max("completed_on"))["on"], by=by)
    return progress


def _certify(*, trainer: Trainer, certified_on: date, by: User) -> Certification:
    programme = trainer.programme
    certification = Certification.objects.create(
        trainer=trainer,
        programme=programme,
        certified_on=certified_on,
        expires_on=months_after(certified_on, programme.certification_months),
    )
    # Someone stepping back stays stepping back, and someone who has left stays left.
    if trainer.status == Trainer.Status.IN_TRAINING and certification.is_valid_on(
        timezone.localdate()
    ):
        trainer.status = Trainer.Status.ACTIVE
        trainer.save(update_fields=["status"])
    audit_record(
        action=Action.CERTIFIED,
        actor=by,
        obj=certification,
        changes={
            "programme": programme.name,
            "certified_on": certification.certified_on,
            "expires_on": certification.expires_on,
        },
    )
    _renewal_reminder_queue(certification=certification)
    return certification


@transaction.atomic
def certification_expiry_update(
    *, certification: Certification, expires_on: date, by: User
) -> Certification:
    """Correct a certification's expiry date; its pending renewal reminder moves with it."""
    certification = (
        Certification.objects.select_for_update(of=("self",))
        .select_related("trainer__user", "programme")
        .get(pk=certification.pk)
    )
    if expires_on <= certification.certified_on:
        raise ValidationError(
            {
                "expires_on": "The expiry date must be after the date of certification, "
                f"{_day(certification.certified_on)}."
            }
        )
    if expires_on == certification.expires_on:
        return certification
    before = certification.expires_on
    certification.expires_on = expires_on
    certification.save(update_fields=["expires_on"])
    audit_record(
        action=Action.CERTIFICATION_CHANGED,
        actor=by,
        obj=certification,
        changes={"expires_on": (before, expires_on)},
    )
    notification_cancel_for(related=certification, kind=RENEWAL_KIND)
    _renewal_reminder_queue(certification=certification)
    for hook in CERTIFICATION_CHANGED:
        hook(certification, by)
    return certification


def renewal_reminder_due_at(expires_on: date) -> datetime:
    """When the renewal reminder goes: 30 days before expiry, 09:00 UK time."""
    day = expires_on - timedelta(days=RENEWAL_REMINDER_DAYS)
    return datetime.combine(day, RENEWAL_REMINDER_AT, tzinfo=LONDON)


def _renewal_reminder_queue(*, certification: Certification):
    # A certification that has already ended (recorded late) has nothing left to remind about.
    if certification.expires_on <= timezone.localdate():
        return None
    user = certification.trainer.user
    # The row is written in this transaction, so it exists only if the change does;
    # notification_queue sends after commit when the time has already come (expiry within
    # 30 days), otherwise beat sends it when it is due.
    return notification_queue(
        kind=RENEWAL_KIND,
        recipient_email=user.email,
        recipient_user=user,
        related=certification,
        subject=f"Your Train the Trainer certification ends on {_day(certification.expires_on)}",
        template="trainers/email/certification_renewal",
        context={
            "programme": certification.programme.name,
            "certified_on": _day(certification.certified_on),
            "expires_on": _day(certification.expires_on),
        },
        due_at=renewal_reminder_due_at(certification.expires_on),
    )


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# --- Support, wellbeing and privacy ---
# What a trainer writes here is private to them and their named supporter (DESIGN.md §4). Email is
# less safe than the app, so a debrief email says who asked and when, never how they feel or what
# they wrote; the audit trail and the logs get none of it either.


@transaction.atomic
def support_session_record(
    *,
    trainer: Trainer,
    by: User,
    held_on: date,
    kind: str = SupportSession.Kind.ONE_TO_ONE,
    notes: str = "",
    agreed_actions: str = "",
    next_on: date | None = None,
) -> SupportSession:
    """Record a support or supervision session a trainer's named supporter has held with them."""
    if trainer.supporter_id is None or trainer.supporter_id != by.pk:
        raise ValidationError(
            "Only the trainer's named supporter can record their support sessions."
        )
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = (
            "The session date is in the future. Record a session once it has been held, and put "
            "a planned session in “next session”."
        )
    if next_on is not None and next_on < held_on:
        errors["next_on"] = "The next session can’t be before this one."
    if errors:
        raise ValidationError(errors)
    session = SupportSession(
        trainer=trainer,
        supporter=by,
        kind=kind,
        held_on=held_on,
        notes=notes.strip(),
        agreed_actions=agreed_actions.strip(),
        next_on=next_on,
    )
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def checkin_record(
    *,
    trainer: Trainer,
    by: User,
    moment: str,
    feeling: int,
    notes: str = "",
    wants_debrief: bool = False,
) -> WellbeingCheckIn:
    """Record how a trainer feels before or after delivering; a debrief request emails their
    supporter at once (after commit). Saved even when there is nobody to tell."""
    if trainer.user_id != by.pk:
        raise ValidationError("Only the trainer can record their own wellbeing check-in.")
    check_in = WellbeingCheckIn(
        trainer=trainer,
        moment=moment,
        feeling=feeling,
        notes=notes.strip(),
        wants_debrief=wants_debrief,
    )
    check_in.full_clean()
    check_in.save()
    supporter = checkin_debrief_recipient(trainer=trainer)
    if wants_debrief and supporter is not None:
        asked_at = timezone.localtime(check_in.recorded_at)
        notification_queue(
            kind="debrief_requested",
            recipient_email=supporter.email,
            recipient_user=supporter,
            related=check_in,
            subject="A trainer you support would like a debrief",
            template="trainers/email/debrief_requested",
            # Who and when only: never the feeling or the notes.
            context={
                "trainer_name": str(trainer.user),
                "asked_at": date_format(asked_at, "l j F Y \\a\\t H:i"),
            },
        )
    return check_in
