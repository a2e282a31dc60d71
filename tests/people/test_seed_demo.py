import io

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command

from people.demo import DEMO_PASSWORD
from people.models import Region, Role, Team, User
from people.services import user_roles_set
from sessions.models import TrainingSession
from trainers.models import Application, RoleDescription, Trainer

pytestmark = pytest.mark.django_db

DEMO_WORKFORCE = {
    ("Manchester", "Community Mental Health Team North"): 42,
    ("Manchester", "Inpatient Ward Team"): 35,
    ("London", "Early Intervention Team"): 28,
    ("London", "Crisis Resolution Team"): 31,
}


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Region.objects.count(),
        Team.objects.count(),
        Group.objects.count(),
    )


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        _seed()


def test_it_creates_nothing_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        _seed()

    assert not User.objects.exists()
    assert not Region.objects.exists()


def test_it_creates_manchester_and_london(debug_on):
    _seed()

    assert set(Region.objects.values_list("name", flat=True)) == {"Manchester", "London"}


def test_it_creates_the_demo_teams_with_their_headcounts(debug_on):
    _seed()

    teams = {
        (team.region.name, team.name): team.workforce_headcount
        for team in Team.objects.select_related("region")
    }
    assert teams == DEMO_WORKFORCE


@pytest.mark.parametrize(
    ("email", "roles"),
    [
        ("coordinator@example.org", {"coordinator"}),
        ("trainer@example.org", {"trainer"}),
        ("teamlead@example.org", {"team_lead"}),
        ("manager@example.org", {"manager"}),
        ("admin@example.org", set()),
    ],
)
def test_it_creates_one_login_per_role(debug_on, email, roles):
    _seed()

    user = User.objects.get(email=email)
    assert user.roles == roles
    assert user.check_password(DEMO_PASSWORD)


def test_the_admin_login_is_an_admin(debug_on):
    _seed()

    admin = User.objects.get(email="admin@example.org")
    assert (admin.is_superuser, admin.is_staff) == (True, True)


def test_only_the_admin_login_is_an_admin(debug_on):
    _seed()

    assert list(User.objects.filter(is_superuser=True).values_list("email", flat=True)) == [
        "admin@example.org"
    ]


def test_it_prints_the_logins(debug_on):
    output = _seed()

    for email in [
        "coordinator@example.org",
        "trainer@example.org",
        "teamlead@example.org",
        "manager@example.org",
        "admin@example.org",
    ]:
        line = next(line for line in output.splitlines() if email in line)
        assert DEMO_PASSWORD in line


def test_it_says_where_to_sign_in(debug_on):
    assert "/accounts/sign-in/" in _seed()


@pytest.mark.parametrize(
    ("email", "label"),
    [
        ("coordinator@example.org", "Coordinator"),
        ("trainer@example.org", "Trainer"),
        ("teamlead@example.org", "Team lead"),
        ("manager@example.org", "Manager"),
        ("admin@example.org", "admin"),
    ],
)
def test_it_labels_each_login_with_its_role(debug_on, email, label):
    output = _seed()

    line = next(line for line in output.splitlines() if email in line)
    assert line.split(email)[0].strip() == label


def test_running_it_twice_creates_nothing_new(debug_on):
    _seed()
    before = _counts()

    _seed()

    assert _counts() == before


def test_running_it_again_restores_the_demo_headcounts(debug_on):
    _seed()
    Team.objects.filter(name="Inpatient Ward Team").update(workforce_headcount=1)

    _seed()

    assert Team.objects.get(name="Inpatient Ward Team").workforce_headcount == 35


def test_running_it_again_restores_the_demo_roles(debug_on):
    _seed()
    user_roles_set(user=User.objects.get(email="trainer@example.org"), roles=[Role.MANAGER])

    _seed()

    assert User.objects.get(email="trainer@example.org").roles == {"trainer"}


def test_an_existing_demo_login_keeps_its_own_password(debug_on, coordinator, password):
    _seed()

    assert User.objects.filter(email__iexact="coordinator@example.org").count() == 1
    assert User.objects.get(pk=coordinator.pk).check_password(password)


def test_it_seeds_a_published_role_description_a_programme_and_the_demo_trainer(settings):
    settings.DEBUG = True

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    trainer = Trainer.objects.get(user__email="trainer@example.org")
    assert RoleDescription.objects.filter(status=RoleDescription.Status.PUBLISHED).count() == 1
    assert trainer.supporter.email == "coordinator@example.org"
    assert trainer.programme.requirements.count() == 4
    assert trainer.progress.count() == 1
    assert Application.objects.count() == 1


def test_it_seeds_a_course_a_venue_and_a_planned_session_without_emailing_anyone(settings):
    settings.DEBUG = True

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    session = TrainingSession.objects.get()
    assert session.status == TrainingSession.Status.PLANNED
    assert session.course_version.outcomes.count() == 2
    assert session.room.venue.name == "Friends Meeting House"
    assert mail.outbox == []
