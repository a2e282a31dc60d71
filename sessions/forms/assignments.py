"""The form with which a coordinator invites a trainer or a staff co-facilitator onto a
session."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError

from people.models import User
from sessions.models import TrainerAssignment


class _InviteeField(forms.ChoiceField):
    """People in two groups, trainers and staff, chosen by id."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit()


class AssignmentInviteForm(forms.Form):
    user = _InviteeField(
        label="Person",
        error_messages={"required": "Choose who to invite."},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose a role"), *TrainerAssignment.Role.choices],
        error_messages={
            "required": "Choose the role.",
            "invalid_choice": "Choose one of the roles listed.",
        },
    )
    override_reason = forms.CharField(
        label="Reason, if this goes beyond what the trainer asked for (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only to invite a trainer past their own monthly limit or outside how "
        "they like to be involved. It is recorded with your name.",
        error_messages={"max_length": "Keep the reason to 2000 characters or fewer."},
    )

    def __init__(self, *args, trainers: list[User], staff: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        cast(_InviteeField, self.fields["user"]).choices = [
            ("", "Choose a person"),
            ("Service-user trainers", [(u.pk, u.full_name or u.email) for u in trainers]),
            ("Staff co-facilitators", [(u.pk, u.full_name or u.email) for u in staff]),
        ]

    def clean_user(self) -> User:
        user = User.objects.filter(pk=self.cleaned_data["user"], is_active=True).first()
        if user is None:
            raise ValidationError("Choose one of the people listed.")
        return user
