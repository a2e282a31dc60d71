import importlib
import logging

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from people.models import APP_DEVICE, Role
from people.services import second_factor_required
from tests.log_secrets import KeepEverything, findings
from tests.people.factories import PASSWORD, UserFactory

LOG = KeepEverything()


@pytest.fixture(scope="session", autouse=True)
def _keep_every_log_record(django_test_environment):
    """Django's logging config is applied at setup; the keeper is added after it."""
    root = logging.getLogger()
    root.addHandler(LOG)
    yield
    root.removeHandler(LOG)


# Under pytest-xdist each worker keeps its own records: a worker hands its findings to the
# controller, which reports them with its own and fails the run.
LEAKS_FROM_WORKERS: list[str] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    LEAKS_FROM_WORKERS.extend(getattr(node, "workeroutput", {}).get("log_secrets", []))


def pytest_sessionfinish(session, exitstatus):
    leaks = findings(LOG.lines)
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker
        workeroutput["log_secrets"] = leaks
        return
    leaks += LEAKS_FROM_WORKERS
    if leaks:
        session.config.get_terminal_writer().line(
            "\nSECRETS IN THE APPLICATION LOGS:\n" + "\n".join(leaks[:50]), red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


class FullySignedInClient(Client):
    """force_login signs in completely: people who need a second factor have passed it too.
    Tests of the second-factor gate itself use a plain django.test.Client."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if second_factor_required(user):
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name=APP_DEVICE, defaults={"confirmed": True}
            )
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client() -> Client:
    return FullySignedInClient()


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


@pytest.fixture
def starting_mileage_rates(db):
    """The mileage rates the expenses migration seeds. A transactional test (a browser journey,
    say) empties every table when it ends, seeded rows too, so a test that needs them asks."""
    seed = importlib.import_module("expenses.migrations.0002_starting_mileage_rates")
    seed.rates_seed(django_apps, None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The lockout counters and rate limits live in the cache: each test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
