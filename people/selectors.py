from django_otp.plugins.otp_totp.models import TOTPDevice

from people.models import APP_DEVICE, User


def authenticator_pending(*, user: User) -> TOTPDevice | None:
    """The authenticator app this person has started but not finished setting up."""
    return TOTPDevice.objects.filter(user=user, name=APP_DEVICE, confirmed=False).last()


def authenticator_in_use(*, user: User) -> bool:
    """Whether this person already signs in with an authenticator app (a new one replaces it)."""
    return TOTPDevice.objects.filter(user=user, name=APP_DEVICE, confirmed=True).exists()


def second_factor_methods(*, user: User) -> list[str]:
    """The names of the second factors this person has confirmed, for people to read."""
    return list(
        TOTPDevice.objects.filter(user=user, confirmed=True)
        .order_by("name")
        .values_list("name", flat=True)
    )
