from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def invitation_url(assignment, answer: str) -> str:
    """The Accept or Decline link of an invitation, made as the email is sent: the token is
    never stored in the notification log."""
    if assignment is None:
        return ""
    return settings.SITE_URL + reverse(
        f"sessions:invitation-{answer}", kwargs={"token": assignment.token}
    )
