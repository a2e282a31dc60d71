"""Record sign-ins, sign-outs and failed or locked sign-ins from Django's and axes' signals.

What someone typed into the sign-in form is never stored: not the email address, not the
password. A failure is tied to an account only when the email belongs to an active one."""

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from audit.actions import AccessAction
from audit.services import audit_record

if TYPE_CHECKING:
    # AUTH_USER_MODEL for django-stubs; see audit.services.
    from django.contrib.auth.models import _User


def _account_for(username) -> "_User | AnonymousUser":
    """The active account with this email, or an anonymous user (so no actor is recorded)."""
    if isinstance(username, str) and username.strip():
        user = (
            get_user_model().objects.filter(email__iexact=username.strip(), is_active=True).first()
        )
        if user is not None:
            return user
    return AnonymousUser()


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    audit_record(action=AccessAction.SIGN_IN, actor=user, request=request)


def on_user_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action=AccessAction.SIGN_OUT, actor=user, request=request)


def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    audit_record(
        action=AccessAction.SIGN_IN_FAILED,
        actor=_account_for(credentials.get("username")),
        request=request,
    )


def on_user_locked_out(sender, request=None, username=None, **kwargs) -> None:
    audit_record(action=AccessAction.SIGN_IN_LOCKED, actor=_account_for(username), request=request)
