"""Where each role starts and what the navigation offers a person with several roles."""

from django.http import HttpRequest
from django.urls import reverse

from people.models import Role, User

# In this order: a person with several roles starts at the first one they hold.
START_PAGES: list[tuple[str, str]] = [
    (Role.COORDINATOR, "Schedule"),
    (Role.MANAGER, "Dashboard"),
    (Role.TEAM_LEAD, "My action plans"),
    (Role.TRAINER, "My sessions"),
]


def start_url_for(user: User) -> str | None:
    for role, _label in START_PAGES:
        if user.has_role(role):
            return reverse("people:start", kwargs={"role": role})
    if user.is_superuser:
        return reverse("admin:index")
    return None


def navigation(request: HttpRequest) -> dict:
    """Template context: the start pages this person may open, for the site navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"label": label, "url": reverse("people:start", kwargs={"role": role})}
        for role, label in START_PAGES
        if user.has_role(role)
    ]
    if user.has_role(Role.COORDINATOR, Role.MANAGER):
        items.append({"label": "Audit trail", "url": reverse("audit:event-list")})
    if user.is_superuser:
        items.append({"label": "Admin", "url": reverse("admin:index")})
    return {"nav_items": items}
