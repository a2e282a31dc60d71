"""Where each role starts and what the navigation offers a person with several roles."""

from django.http import HttpRequest
from django.urls import reverse

from people.models import Role, User

# In this order: a person with several roles starts at the first one they hold. A role whose
# own page has not been built yet starts at a placeholder (URL name None).
START_PAGES: list[tuple[str, str, str | None]] = [
    (Role.COORDINATOR, "Schedule", "sessions:schedule"),
    (Role.MANAGER, "Dashboard", None),
    (Role.TEAM_LEAD, "My action plans", None),
    (Role.TRAINER, "My sessions", "sessions:my-sessions"),
]
PLACEHOLDERS = {role: label for role, label, name in START_PAGES if name is None}


def start_url(role: str) -> str:
    """The start page of one role."""
    name = next(name for r, _label, name in START_PAGES if r == role)
    return reverse(name) if name else reverse("people:start", kwargs={"role": role})


# What else each role's navigation offers, after the start pages (label, URL name).
ROLE_PAGES: dict[str, list[tuple[str, str]]] = {
    Role.COORDINATOR: [
        ("Courses", "sessions:course-list"),
        ("Venues", "sessions:venue-list"),
        ("Trainers", "trainers:trainer-list"),
        ("Applications", "trainers:application-list"),
        ("Train the Trainer", "trainers:t3-pipeline"),
        ("Role description", "trainers:role-list"),
        ("People I support", "trainers:supporting-list"),
        ("Evaluation form", "evaluations:form-list"),
        ("Results", "evaluations:results-overview"),
        ("Import", "sessions:import"),
        ("My calendar", "sessions:my-calendar"),
        ("Audit trail", "audit:event-list"),
        ("Failed email", "notifications:failed-list"),
    ],
    Role.MANAGER: [
        ("Results", "evaluations:results-overview"),
        ("Audit trail", "audit:event-list"),
    ],
    Role.TEAM_LEAD: [("People I support", "trainers:supporting-list")],
    Role.TRAINER: [
        ("My profile", "trainers:my-profile"),
        ("My training", "trainers:my-training"),
        ("Check-ins", "trainers:checkin-list-mine"),
        ("Support", "trainers:support-list-mine"),
        ("My calendar", "sessions:my-calendar"),
    ],
}


def start_url_for(user: User) -> str | None:
    for role, _label, _name in START_PAGES:
        if user.has_role(role):
            return start_url(role)
    if user.is_superuser:
        return reverse("admin:index")
    return None


def navigation(request: HttpRequest) -> dict:
    """Template context: the pages this person's roles open, each once, for the site menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    held = [(role, label) for role, label, _name in START_PAGES if user.has_role(role)]
    entries = [(label, start_url(role)) for role, label in held]
    entries += [
        (label, reverse(name)) for role, _label in held for label, name in ROLE_PAGES.get(role, [])
    ]
    if user.is_superuser:
        entries.append(("Admin", reverse("admin:index")))
    seen: set[str] = set()
    items = []
    for label, url in entries:
        if url not in seen:
            seen.add(url)
            items.append({"label": label, "url": url})
    return {"nav_items": items}
