from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property

# Role is defined in core, so lower layers can name roles; `from people.models import Role` works.
from core.roles import Role

# The names of a person's django-otp devices: both are TOTP devices, the emailed one with longer
# steps, so an emailed code is computed when it is sent and never stored to be sent.
APP_DEVICE = "Authenticator app"
EMAIL_DEVICE = "Emailed codes"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. The email address is the login; there is no username."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "staff status", default=False, help_text="Can sign in to the Django admin."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="people_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def roles(self) -> frozenset[str]:
        """The roles this person holds, read once per request."""
        labels = {role.label: role.value for role in Role}
        return frozenset(
            labels[name] for name in self.groups.values_list("name", flat=True) if name in labels
        )

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_coordinator(self) -> bool:
        return Role.COORDINATOR in self.roles

    @property
    def is_trainer(self) -> bool:
        return Role.TRAINER in self.roles

    @property
    def is_team_lead(self) -> bool:
        return Role.TEAM_LEAD in self.roles

    @property
    def is_manager(self) -> bool:
        return Role.MANAGER in self.roles


class Region(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A staff team; its headcount is the workforce the rollout's reach is measured against."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    workforce_headcount = models.PositiveIntegerField(
        default=0, help_text="Number of staff in the team."
    )

    class Meta:
        ordering = ["region__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="people_team_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.region})"


class ParticipantType(models.TextChoices):
    STAFF = "staff", "Staff"
    SERVICE_USER = "service_user", "Service user"
    OTHER = "other", "Other"


class Participant(models.Model):
    """A learner: one person across sessions, matched by email regardless of case."""

    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    participant_type = models.CharField(
        "type", max_length=20, choices=ParticipantType.choices, default=ParticipantType.STAFF
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="participants"
    )
    region = models.ForeignKey(
        Region, on_delete=models.SET_NULL, null=True, blank=True, related_name="participants"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="people_participant_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name
