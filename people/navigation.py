"""Where each role starts and what the site menu offers a person with several roles.

People own the roles, so they own the order in which a person's roles are tried and the
placeholder start pages. The pages belong to the apps above, which register them in their
`AppConfig.ready()` (where they also connect their demo seeders to people.hooks.demo_seed), so
this layer never names them:

    start_page_register(role=Role.TRAINER, label="My sessions", url_name="sessions:my-sessions")
    menu_register(
        MenuEntry("Courses", "sessions:course-list", roles=(Role.COORDINATOR,), position=100),
    )

The audit trail and notifications sit below people and cannot import this module: people's own
`ready()` registers their pages. A role whose start page no app has registered yet starts at a
placeholder page. A menu entry's `position` orders a role's entries (smaller first), so the order
of INSTALLED_APPS decides nothing.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from people.models import Role, User

# In this order: a person with several roles starts at the first one they hold, and their menu
# lists each role's pages in turn.
ROLE_ORDER: list[str] = [Role.COORDINATOR, Role.MANAGER, Role.TEAM_LEAD, Role.TRAINER]
# Roles that start at a placeholder, with its heading, until an app registers the real page.
PLACEHOLDERS: dict[str, str] = {Role.MANAGER: "Dashboard", Role.TEAM_LEAD: "My action plans"}


@dataclass(frozen=True)
class StartPage:
    role: str
    label: str
    url_name: str


@dataclass(frozen=True)
class MenuEntry:
    """A page in the menu of people holding one of `roles`; `position` orders a role's entries."""

    label: str
    url_name: str
    roles: tuple[str, ...]
    position: int


START_PAGES: dict[str, StartPage] = {}
MENU: list[MenuEntry] = []


def start_page_register(*, role: str, label: str, url_name: str) -> None:
    """Make `url_name` the start page of `role` (one per role; again is harmless)."""
    if role not in ROLE_ORDER:
        raise ValueError(f"{role!r} is not a role.")
    page = StartPage(role=role, label=label, url_name=url_name)
    if START_PAGES.setdefault(role, page) != page:
        raise ValueError(f"The {role} start page is already {START_PAGES[role].url_name}.")
    PLACEHOLDERS.pop(role, None)


def menu_register(*entries: MenuEntry) -> None:
    """Offer these pages in the menu (again is harmless)."""
    for entry in entries:
        if entry not in MENU:
            MENU.append(entry)


def _start_label(role: str) -> str:
    page = START_PAGES.get(role)
    return page.label if page else PLACEHOLDERS.get(role, Role(role).label)


def start_url(role: str) -> str:
    """The start page of one role."""
    if role not in ROLE_ORDER:
        raise ValueError(f"{role!r} is not a role.")
    page = START_PAGES.get(role)
    return reverse(page.url_name) if page else reverse("people:start", kwargs={"role": role})


def menu_entries(role: str) -> list[MenuEntry]:
    """What a role's menu offers after the start pages, in position order."""
    return sorted(
        (entry for entry in MENU if role in entry.roles), key=lambda entry: entry.position
    )


def start_url_for(user: User) -> str | None:
    for role in ROLE_ORDER:
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
    held = [role for role in ROLE_ORDER if user.has_role(role)]
    entries = [(_start_label(role), start_url(role)) for role in held]
    entries += [
        (entry.label, reverse(entry.url_name)) for role in held for entry in menu_entries(role)
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
