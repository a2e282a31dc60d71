from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from people.services import password_reset_send


class SignInForm(AuthenticationForm):
    """Email and password. One message for every failure, so it never tells which accounts exist."""

    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": (
            "That email address and password did not match an account. "
            "Check them and try again, or reset your password."
        ),
        "inactive": (
            "That email address and password did not match an account. "
            "Check them and try again, or reset your password."
        ),
    }


class ResetRequestForm(PasswordResetForm):
    """Sends the reset link through the notification log; same answer for any address."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def save(self, *args, **kwargs) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_send(user=user)


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code",
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
