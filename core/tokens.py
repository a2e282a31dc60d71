"""Unguessable tokens for links that act without a sign-in (invitations, registrations,
evaluation links, calendar feeds). Whoever holds one can use it, so each is 24 random bytes."""

import secrets


def new_token() -> str:
    """An unguessable token for links sent by email or shown as QR codes (32 URL-safe
    characters)."""
    return secrets.token_urlsafe(24)
