"""What every signed-in request passes through: session limits, the second factor, no caching."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp import user_has_device

from people.services import second_factor_required

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"


class SessionLimitsMiddleware:
    """Sign a person out after 30 minutes without activity, or 12 hours after they signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now()
            if SIGNED_IN_AT not in request.session:
                session_clock_start(request)
            signed_in_at = _read_time(request.session[SIGNED_IN_AT])
            last_seen = _read_time(request.session[LAST_SEEN])
            if (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT
            ):
                logout(request)
                messages.info(request, "For your safety you were signed out. Please sign in again.")
                return redirect_to_login(request.get_full_path())
            # Written at most once a minute, so a page view does not always cost a session save.
            if now - last_seen > timedelta(minutes=1):
                request.session[LAST_SEEN] = now.isoformat()
        return self.get_response(request)


def session_clock_start(request) -> None:
    """Called at sign-in: both limits count from now."""
    now = timezone.now().isoformat()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


def _read_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


class SecondFactorMiddleware:
    """Until the second factor is checked, a person reaches only the second-factor pages.

    Coordinators, managers and admins must set one up; anyone who has one must use it. Someone
    who has one never reaches the set-up page on a password alone: that would let whoever knows the
    password replace the owner's authenticator with their own (the view and the services refuse
    it too)."""

    # Someone with a confirmed second factor who has not passed it in this session.
    OPEN_VIEWS = frozenset({"two-factor-verify", "two-factor-email", "logout"})
    # Someone with no second factor yet: they may set up an app, or use emailed codes instead.
    FIRST_SET_UP_VIEWS = OPEN_VIEWS | {"two-factor-setup"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        name = request.resolver_match.url_name
        if user_has_device(user, confirmed=True):
            if name in self.OPEN_VIEWS:
                return None
            target = reverse("two-factor-verify")
        elif name in self.FIRST_SET_UP_VIEWS or not second_factor_required(user):
            return None
        else:
            target = reverse("two-factor-setup")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class NoStoreMiddleware:
    """Pages for signed-in people, and the password pages, are never kept by browsers or proxies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith("/accounts/"):
            response["Cache-Control"] = "no-store"
        return response
