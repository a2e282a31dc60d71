"""Role descriptions: coordinators write drafts and publish them as numbered versions; anyone can
read the published version and a PDF of any published or retired one."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from core.pdf import safe_url_fetcher
from tests.factories import (
    ApplicationFactory,
    RoleDescriptionFactory,
    published_role_description,
    trainers_in_bulk,
)
from tests.pdfs import pdf_inflated
from trainers.audit_actions import TrainerAction
from trainers.models import RoleDescription
from trainers.services import (
    role_description_create,
    role_description_draft_from,
    role_description_publish,
    role_description_update,
)

pytestmark = pytest.mark.django_db

PUBLIC = "/join/"
LIST = "/trainers/role-descriptions/"
NEW = "/trainers/role-descriptions/new/"
MAX_QUERIES = 12

TEXT = {
    "title": "Service-user trainer",
    "purpose": "Bring lived experience into staff training.",
    "involves": "Co-designing and co-delivering sessions.",
    "time_commitment": "Two sessions a month.",
    "support_offered": "A named supporter and debriefs.",
    "payment_policy": "A fee and expenses, or expenses only.",
}


def detail(role_description) -> str:
    return f"/trainers/role-descriptions/{role_description.pk}/"


def pdf_url(role_description) -> str:
    return f"/join/role-description/{role_description.version}/pdf/"


def published(**text) -> RoleDescription:
    return RoleDescriptionFactory(status=RoleDescription.Status.PUBLISHED, **text)


# drafts, versions and publishing


def test_a_new_draft_gets_the_next_version_number(coordinator):
    RoleDescriptionFactory(status=RoleDescription.Status.RETIRED, version=1)
    published(version=2)

    draft = role_description_create(**TEXT, by=coordinator)

    assert (draft.status, draft.version, draft.created_by) == ("draft", 3, coordinator)
    assert draft.published_at is None


def test_the_first_draft_is_version_1(coordinator):
    assert role_description_create(**TEXT, by=coordinator).version == 1


def test_there_is_only_one_draft_at_a_time(coordinator):
    role_description_create(**TEXT, by=coordinator)

    with pytest.raises(ValidationError, match="already a draft"):
        role_description_create(**TEXT, by=coordinator)

    assert RoleDescription.objects.count() == 1


@pytest.mark.parametrize("field", list(TEXT))
def test_every_part_of_a_role_description_is_needed(coordinator, field):
    with pytest.raises(ValidationError) as refused:
        role_description_create(**(TEXT | {field: "   "}), by=coordinator)

    assert field in refused.value.message_dict
    assert not RoleDescription.objects.exists()


def test_a_draft_can_be_changed(coordinator):
    draft = role_description_create(**TEXT, by=coordinator)

    role_description_update(
        role_description=draft,
        **(TEXT | {"title": "  Trainer with lived experience "}),
        by=coordinator,
    )

    draft.refresh_from_db()
    assert draft.title == "Trainer with lived experience"


@pytest.mark.parametrize(
    "status", [RoleDescription.Status.PUBLISHED, RoleDescription.Status.RETIRED]
)
def test_a_published_or_retired_version_is_never_changed(coordinator, status):
    version = RoleDescriptionFactory(status=status)

    with pytest.raises(ValidationError, match="cannot be changed"):
        role_description_update(
            role_description=version, **(TEXT | {"title": "Changed"}), by=coordinator
        )

    version.refresh_from_db()
    assert version.title == "Service-user trainer"


def test_publishing_retires_the_version_published_until_now(coordinator):
    old = published()
    draft = role_description_create(**TEXT, by=coordinator)

    role_description_publish(role_description=draft, by=coordinator)

    old.refresh_from_db()
    draft.refresh_from_db()
    assert old.status == RoleDescription.Status.RETIRED
    assert draft.status == RoleDescription.Status.PUBLISHED
    assert draft.version == old.version + 1
    assert draft.published_at is not None


def test_people_keep_the_version_they_applied_under(coordinator):
    old = published()
    application = ApplicationFactory(role_description=old)

    role_description_publish(
        role_description=role_description_draft_from(source=old, by=coordinator), by=coordinator
    )

    application.refresh_from_db()
    assert application.role_description == old
    assert RoleDescription.objects.get(pk=old.pk).purpose == old.purpose


def test_publishing_is_recorded_in_the_audit_trail(coordinator):
    old = published()
    draft = role_description_create(**TEXT, by=coordinator)

    role_description_publish(role_description=draft, by=coordinator)

    event = AuditEvent.objects.get(action=TrainerAction.ROLE_DESCRIPTION_PUBLISHED)
    assert event.actor == coordinator
    assert event.changes == {"version": draft.version, "retired_version": old.version}


@pytest.mark.parametrize(
    "status", [RoleDescription.Status.PUBLISHED, RoleDescription.Status.RETIRED]
)
def test_only_a_draft_can_be_published(coordinator, status):
    version = RoleDescriptionFactory(status=status)

    with pytest.raises(ValidationError, match="Only a draft can be published"):
        role_description_publish(role_description=version, by=coordinator)


def test_a_new_draft_can_start_from_an_old_version(coordinator):
    old = RoleDescriptionFactory(status=RoleDescription.Status.RETIRED, purpose="The old purpose.")
    published()

    draft = role_description_draft_from(source=old, by=coordinator)

    assert draft.status == RoleDescription.Status.DRAFT
    assert draft.purpose == "The old purpose."
    assert draft.pk != old.pk
    old.refresh_from_db()
    assert old.status == RoleDescription.Status.RETIRED


def test_a_new_draft_is_refused_while_another_draft_exists(coordinator):
    old = published()
    RoleDescriptionFactory()

    with pytest.raises(ValidationError, match="already a draft"):
        role_description_draft_from(source=old, by=coordinator)


# the public page and the PDF


def test_anyone_can_read_the_published_version_without_signing_in(client):
    RoleDescriptionFactory(status=RoleDescription.Status.RETIRED, title="The old role")
    published(title="Trainer with lived experience")
    RoleDescriptionFactory(title="A draft nobody should see")

    response = client.get(PUBLIC)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Trainer with lived experience" in page
    assert "The old role" not in page
    assert "A draft nobody should see" not in page
    assert 'href="/join/apply/"' in page


def test_the_public_page_says_so_when_nobody_is_being_recruited(client):
    RoleDescriptionFactory(title="A draft nobody should see")

    response = client.get(PUBLIC)

    assert response.status_code == 200
    assert "not recruiting" in response.content.decode()
    assert "A draft nobody should see" not in response.content.decode()


def test_text_in_a_role_description_is_shown_escaped(client):
    published(purpose="<script>alert('x')</script>")

    page = client.get(PUBLIC).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


@pytest.mark.parametrize(
    "status", [RoleDescription.Status.PUBLISHED, RoleDescription.Status.RETIRED]
)
def test_anyone_can_download_a_published_or_retired_version_as_a_pdf(client, status):
    version = RoleDescriptionFactory(status=status, title="Trainer role")

    response = client.get(pdf_url(version))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert f"version-{version.version}.pdf" in response["Content-Disposition"]
    # Headings become the PDF's bookmarks: the title and each part of the role description.
    assert b"/Title (Trainer role)" in pdf_inflated(response.content)
    assert b"/Title (Expenses and payment)" in pdf_inflated(response.content)


def test_a_draft_has_no_pdf(client, coordinator):
    draft = RoleDescriptionFactory()
    client.force_login(coordinator)

    assert client.get(pdf_url(draft)).status_code == 404


def test_the_pdf_is_styled_by_the_sites_own_print_stylesheet(client, monkeypatch):
    fetched = []

    def fetch(url):
        fetched.append(url)
        return safe_url_fetcher(url)

    monkeypatch.setattr("core.pdf.safe_url_fetcher", fetch)
    version = published()

    assert client.get(pdf_url(version)).status_code == 200
    assert fetched == ["http://testserver/static/css/pdf.css"]
    assert b"@page" in safe_url_fetcher(fetched[0]).read()


# coordinator pages


def test_a_coordinator_writes_a_draft_in_the_browser(client, coordinator):
    client.force_login(coordinator)

    response = client.post(NEW, TEXT)

    draft = RoleDescription.objects.get()
    assert response.status_code == 302
    assert response.url == detail(draft)
    assert draft.status == RoleDescription.Status.DRAFT


def test_a_draft_without_a_title_is_refused_at_the_field_keeping_what_was_typed(
    client, coordinator
):
    client.force_login(coordinator)

    response = client.post(NEW, TEXT | {"title": "", "purpose": "<b>My purpose</b>"})

    assert response.status_code == 200
    assert "Give the role description a title." in str(response.context["form"].errors["title"])
    assert "&lt;b&gt;My purpose&lt;/b&gt;" in response.content.decode()
    assert not RoleDescription.objects.exists()


def test_the_new_draft_page_leads_to_the_existing_draft(client, coordinator):
    draft = RoleDescriptionFactory()
    client.force_login(coordinator)

    response = client.get(NEW)

    assert response.url == f"{detail(draft)}edit/"


def test_a_coordinator_edits_a_draft(client, coordinator):
    draft = RoleDescriptionFactory()
    client.force_login(coordinator)

    form = client.get(f"{detail(draft)}edit/")
    response = client.post(f"{detail(draft)}edit/", TEXT | {"title": "New title"})

    assert form.context["form"].initial["title"] == "Service-user trainer"
    assert response.url == detail(draft)
    draft.refresh_from_db()
    assert draft.title == "New title"


@pytest.mark.parametrize(
    "status", [RoleDescription.Status.PUBLISHED, RoleDescription.Status.RETIRED]
)
def test_the_edit_page_of_a_published_version_offers_a_new_draft_instead(
    client, coordinator, status
):
    version = RoleDescriptionFactory(status=status)
    client.force_login(coordinator)

    shown = client.get(f"{detail(version)}edit/", follow=True)
    posted = client.post(f"{detail(version)}edit/", TEXT | {"title": "Changed"})

    assert "cannot be changed" in shown.content.decode()
    assert "Start a new draft from this version" in shown.content.decode()
    assert posted.status_code == 200
    assert "cannot be changed" in posted.content.decode()
    version.refresh_from_db()
    assert version.title == "Service-user trainer"


def test_a_coordinator_publishes_a_draft(client, coordinator):
    old = published()
    draft = RoleDescriptionFactory(title="The new role")
    client.force_login(coordinator)

    response = client.post(f"{detail(draft)}publish/", follow=True)

    assert "is published" in response.content.decode()
    assert "The new role" in client.get(PUBLIC).content.decode()
    old.refresh_from_db()
    assert old.status == RoleDescription.Status.RETIRED


def test_publishing_needs_a_post(client, coordinator):
    draft = RoleDescriptionFactory()
    client.force_login(coordinator)

    assert client.get(f"{detail(draft)}publish/").status_code == 405
    draft.refresh_from_db()
    assert draft.status == RoleDescription.Status.DRAFT


def test_publishing_a_published_version_again_is_refused_with_a_message(client, coordinator):
    version = published()
    client.force_login(coordinator)

    response = client.post(f"{detail(version)}publish/", follow=True)

    assert "Only a draft can be published" in response.content.decode()


def test_a_coordinator_starts_a_new_draft_from_the_published_version(client, coordinator):
    version = published(purpose="What we do.")
    client.force_login(coordinator)

    response = client.post(f"{detail(version)}new-draft/")

    draft = RoleDescription.objects.get(status=RoleDescription.Status.DRAFT)
    assert response.url == f"{detail(draft)}edit/"
    assert draft.purpose == "What we do."


def test_the_list_shows_every_version_and_how_many_applied_under_it(client, coordinator):
    old = RoleDescriptionFactory(status=RoleDescription.Status.RETIRED)
    ApplicationFactory.create_batch(2, role_description=old)
    published()
    RoleDescriptionFactory()
    client.force_login(coordinator)

    response = client.get(LIST)

    versions = list(response.context["role_descriptions"])
    assert [v.get_status_display() for v in versions] == ["Draft", "Published", "Retired"]
    assert versions[2].application_count == 2
    assert "Write a new draft" not in response.content.decode()


@pytest.mark.parametrize("url", [LIST, NEW])
@pytest.mark.parametrize("who", ["trainer", "team_lead", "manager", "admin_user"])
def test_other_roles_cannot_open_the_coordinator_pages(client, request, url, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [LIST, NEW])
def test_a_visitor_is_sent_to_sign_in_from_the_coordinator_pages(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/sign-in/")


def test_a_trainer_cannot_publish(client, trainer):
    draft = RoleDescriptionFactory()
    client.force_login(trainer)

    assert client.post(f"{detail(draft)}publish/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == RoleDescription.Status.DRAFT


# queries


def _applications(count: int) -> None:
    ApplicationFactory.create_batch(count, role_description=published_role_description())


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [PUBLIC, LIST])
def test_the_role_description_pages_run_the_same_queries_for_1_and_200_applications(
    client, coordinator, django_assert_max_num_queries, url
):
    client.force_login(coordinator)
    _applications(1)
    with django_assert_max_num_queries(MAX_QUERIES):
        one = _queries(client, url)

    _applications(199)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = _queries(client, url)

    assert one == many


def test_a_versions_pdf_is_made_once_and_kept(client, monkeypatch):
    made = []

    def render(template_name, context):
        made.append(template_name)
        return b"%PDF-1.7 made"

    monkeypatch.setattr("trainers.pdf.render_pdf", render)
    version = published()

    first = client.get(pdf_url(version))
    second = client.get(pdf_url(version))

    assert made == ["trainers/pdf/role_description.html"]
    assert first.content == second.content == b"%PDF-1.7 made"


def test_a_retired_versions_pdf_is_made_again_to_say_it_was_replaced(
    client, coordinator, monkeypatch
):
    made = []

    def render(template_name, context):
        made.append(context["role_description"].status)
        return b"%PDF-1.7"

    monkeypatch.setattr("trainers.pdf.render_pdf", render)
    version = published()
    client.get(pdf_url(version))
    role_description_publish(
        role_description=role_description_draft_from(source=version, by=coordinator),
        by=coordinator,
    )

    client.get(pdf_url(version))

    assert made == ["published", "retired"]


def test_the_pdf_of_a_retired_version_says_it_was_replaced():
    html = render_to_string(
        "trainers/pdf/role_description.html",
        {"role_description": RoleDescriptionFactory.build(status="retired", version=3)},
    )

    assert "since replaced by a newer version" in html


@pytest.mark.parametrize("url", [PUBLIC, LIST])
def test_the_role_description_pages_run_the_same_queries_for_1_and_500_trainers(
    client, coordinator, django_assert_max_num_queries, url
):
    client.force_login(coordinator)
    published_role_description()
    trainers_in_bulk(1)
    with django_assert_max_num_queries(MAX_QUERIES):
        one = _queries(client, url)

    trainers_in_bulk(499)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = _queries(client, url)

    assert one == many
