"""Each course version has a training handbook PDF: a cover, the aims, the outcomes with their
activities, the support guidance and the trainer role description. Coordinators and trainers
download it."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sessions.models import CourseVersion
from sessions.pdf import HANDBOOK_TEMPLATE, handbook_context, render_handbook_pdf
from sessions.selectors import course_version_get
from tests.factories import (
    ActivityFactory,
    CourseVersionFactory,
    LearningOutcomeFactory,
    RoleDescriptionFactory,
    TrainerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def version() -> CourseVersion:
    version = CourseVersionFactory(
        course__title="Hearing Voices",
        aims="Understand voice-hearing from the inside.",
        support_guidance="Every trainer gets a debrief within two days.",
        role_description=RoleDescriptionFactory(
            status="published", purpose="To bring lived experience into staff training."
        ),
        outcome=None,
    )
    first = LearningOutcomeFactory(
        version=version, text="Describe what hearing voices can be like.", order=1, activity=None
    )
    ActivityFactory(
        outcome=first,
        title="Distracting voices exercise",
        duration_minutes=25,
        materials="Headphones and a recording.",
        instructions="Pairs hold a conversation while one listens to the recording.",
        trainer_notes="Some learners find this upsetting: offer to stop at any time.",
    )
    version.co_designers.add(TrainerFactory(user=UserFactory(full_name="Alex Rivera")))
    return version


def handbook_html(version: CourseVersion) -> str:
    return render_to_string(HANDBOOK_TEMPLATE, handbook_context(course_version_get(pk=version.pk)))


def handbook_url(version: CourseVersion) -> str:
    return reverse("sessions:course-version-handbook", kwargs={"pk": version.pk})


def test_the_handbook_is_a_real_pdf(version):
    pdf = render_handbook_pdf(course_version_get(pk=version.pk))

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_the_cover_shows_title_version_status_and_date(version):
    html = handbook_html(version)

    cover = html[html.index('class="cover"') : html.index("<main>")]
    assert "Hearing Voices" in cover
    assert "Version 1 · Published" in cover
    assert f"Published {timezone.localtime(version.published_at):%-d %B %Y}" in cover
    assert "Co-designed with Alex Rivera." in cover


def test_the_handbook_has_aims_outcomes_activities_guidance_and_role_description(version):
    html = handbook_html(version)

    for text in [
        "Understand voice-hearing from the inside.",
        "Describe what hearing voices can be like.",
        "Distracting voices exercise",
        "25 minutes",
        "Headphones and a recording.",
        "Pairs hold a conversation while one listens to the recording.",
        "Some learners find this upsetting: offer to stop at any time.",
        "Every trainer gets a debrief within two days.",
        "To bring lived experience into staff training.",
    ]:
        assert text in html, text
    assert html.index("Learning aims") < html.index("Distracting voices exercise")
    assert html.index("Distracting voices exercise") < html.index("Support guidance")
    assert html.index("Support guidance") < html.index("The trainer role")


def test_outcomes_and_activities_are_printed_in_their_order(version):
    later = LearningOutcomeFactory(version=version, text="Later outcome", order=2, activity=None)
    ActivityFactory(outcome=later, title="Second choice", order=2)
    ActivityFactory(outcome=later, title="First choice", order=1)

    html = handbook_html(version)

    assert html.index("Describe what hearing voices") < html.index("Later outcome")
    assert html.index("First choice") < html.index("Second choice")


def test_a_drafts_handbook_says_it_is_not_for_delivery():
    draft = CourseVersionFactory(status=CourseVersion.Status.DRAFT)

    html = handbook_html(draft)

    assert "Draft: still being written, not for delivery." in html


def test_a_handbook_without_a_role_description_says_so():
    html = handbook_html(CourseVersionFactory())

    assert "No role description is attached to this version." in html


def test_text_in_the_handbook_is_escaped(version):
    version.aims = "<img src='file:///etc/passwd'>"
    version.save()

    html = handbook_html(version)

    assert "<img src='file:///etc/passwd'>" not in html
    assert "&lt;img" in html


@pytest.mark.parametrize("who", ["coordinator", "trainer"])
def test_coordinators_and_trainers_download_the_handbook(client, request, version, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(handbook_url(version))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="handbook-hearing-voices-version-1.pdf"'
    )
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("who", ["team_lead", "manager", "admin_user"])
def test_other_roles_may_not_download_the_handbook(client, request, version, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(handbook_url(version)).status_code == 403


def test_visitors_sign_in_before_downloading_the_handbook(client, version):
    response = client.get(handbook_url(version))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_version_page_links_to_its_handbook(client, coordinator, version):
    client.force_login(coordinator)

    page = client.get(reverse("sessions:course-version-detail", kwargs={"pk": version.pk}))

    assert f'href="{handbook_url(version)}"' in page.content.decode()
