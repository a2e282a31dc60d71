"""Role descriptions and recruitment: the versioned role description people apply under, and an
application's way from the public form to a trainer's account."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.services import audit_record
from notifications.models import Notification
from notifications.services import notification_queue
from people.models import Region, Role, User
from people.services import user_create
from trainers.audit_actions import TrainerAction
from trainers.models import Application, ApplicationNote, Involvement, RoleDescription, Trainer

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
        action=TrainerAction.ROLE_DESCRIPTION_PUBLISHED,
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
        open_one = _application_open_for(email)
        if open_one is None:
            raise  # Not the one open application per email: nothing to add the note to.
        return _application_sent_again(open_one)
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
        action=TrainerAction.APPLICATION_STATUS_CHANGED,
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
        action=TrainerAction.TRAINER_ACCOUNT_CREATED,
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
        action=TrainerAction.APPLICATION_DELETED,
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
        audit_record(
            action=TrainerAction.APPLICATION_DELETED, changes={"closed_applications": len(ids)}
        )
    return len(ids)
