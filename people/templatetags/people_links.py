from django import template
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

register = template.Library()


@register.simple_tag
def password_reset_url(user) -> str:
    """A single-use link to set a new password, made at send time so no token is stored."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL + path


@register.simple_tag
def sign_in_code(device) -> str:
    """The emailed device's current code, computed as the email is sent (nothing stored)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{totp.token():0{device.digits}d}"
