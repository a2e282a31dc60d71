import textwrap
from base64 import b32encode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from django_otp import login as otp_login

from core.permissions import RoleRequiredMixin
from core.qr import qr_svg
from people.forms import SecondFactorCodeForm
from people.http import AuthenticatedHttpRequest
from people.models import Role
from people.navigation import PLACEHOLDERS, start_url_for
from people.selectors import authenticator_in_use, authenticator_pending
from people.services import (
    authenticator_confirm,
    authenticator_start,
    email_code_send,
    second_factor_change_allowed,
    second_factor_required,
    second_factor_verify,
)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send each person to the start page of their main role."""
    url = start_url_for(request.user)
    if url is None:
        return render(request, "people/no_role.html")
    return redirect(url)


class StartPageView(RoleRequiredMixin, TemplateView):
    """A role's start page; each later feature fills its own."""

    template_name = "people/start_page.html"

    def dispatch(self, request, *args, **kwargs):
        role = kwargs["role"]
        if role not in PLACEHOLDERS:
            raise Http404
        self.roles = (role,)
        self.extra_context = {"role": Role(role), "heading": PLACEHOLDERS[role]}
        return super().dispatch(request, *args, **kwargs)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


class SecondFactorSetupView(LoginRequiredMixin, FormView):
    """Set up an authenticator app: scan the code, then prove it works with a first code.

    Replacing one needs the second factor passed in this session; on a password alone this page
    only sends the person to enter a code (the services refuse it too, for a crafted request)."""

    template_name = "registration/two_factor_setup.html"
    form_class = SecondFactorCodeForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not second_factor_change_allowed(
            user=user, verified=user.is_verified()
        ):
            next_url = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('two-factor-verify')}?{next_url}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.device = authenticator_start(user=request.user, verified=request.user.is_verified())
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        user = self.request.user
        try:
            device = authenticator_confirm(
                user=user, code=form.cleaned_data["code"], verified=user.is_verified()
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        otp_login(self.request, device)
        messages.success(self.request, "Two-step sign-in is on. You will need a code each time.")
        return redirect(_next_url(self.request))

    def get_context_data(self, **kwargs):
        device = getattr(self, "device", None) or authenticator_pending(user=self.request.user)
        context = super().get_context_data(**kwargs)
        if device is not None:
            context["qr_code"] = mark_safe(  # noqa: S308 (SVG made by the qrcode library)
                qr_svg(device.config_url, title="QR code for your authenticator app")
            )
            context["setup_key"] = " ".join(textwrap.wrap(b32encode(device.bin_key).decode(), 4))
        context["next"] = _next_url(self.request)
        context["required"] = second_factor_required(self.request.user)
        context["replacing"] = authenticator_in_use(user=self.request.user)
        return context


class SecondFactorVerifyView(LoginRequiredMixin, FormView):
    """Enter a code from the authenticator app or from an email to finish signing in."""

    template_name = "registration/two_factor_verify.html"
    form_class = SecondFactorCodeForm

    def form_valid(self, form):
        try:
            device = second_factor_verify(user=self.request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        otp_login(self.request, device)
        return redirect(_next_url(self.request))

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=_next_url(self.request), **kwargs)


@login_required
@require_POST
def second_factor_email(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Email a sign-in code, for when the authenticator app is not to hand."""
    email_code_send(user=request.user)
    messages.info(request, "We have emailed you a code. It works for 10 minutes.")
    return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': _next_url(request)})}")
