import pytest

from people.models import Role
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def coordinator(db):
    return UserFactory(email="coordinator@example.org", roles=[Role.COORDINATOR])


@pytest.fixture
def trainer(db):
    return UserFactory(email="trainer@example.org", roles=[Role.TRAINER])


@pytest.fixture
def other_trainer(db):
    return UserFactory(email="trainer.b@example.org", roles=[Role.TRAINER])


@pytest.fixture
def team_lead(db):
    return UserFactory(email="teamlead@example.org", roles=[Role.TEAM_LEAD])


@pytest.fixture
def manager(db):
    return UserFactory(email="manager@example.org", roles=[Role.MANAGER])


@pytest.fixture
def admin_user(db):
    return UserFactory(email="admin@example.org", is_superuser=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The lockout counters and rate limits live in the cache: each test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
