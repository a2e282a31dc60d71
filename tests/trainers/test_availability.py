"""Who can deliver a session at a given time: `trainers_available`, and the bookings hook the
sessions app registers so that trainers need not import it."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from core.checks import check_required_hooks
from tests.factories import CertificationFactory, RegionFactory, TrainerFactory
from trainers.hooks import BookingCounts
from trainers.hooks import bookings as bookings_hook
from trainers.models import Certification, Trainer
from trainers.selectors import trainers_available

pytestmark = pytest.mark.django_db

# Tuesday 1 July 2025, 10:00 to 12:00 UK time (BST, so 09:00 to 11:00 UTC).
STARTS = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)
ENDS = STARTS + timedelta(hours=2)


@pytest.fixture(autouse=True)
def _frozen_day():
    with time_machine.travel(datetime(2025, 6, 16, 11, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def _only_the_hooks_a_test_registers(monkeypatch):
    """The sessions app connects its own listener at start-up; these tests connect their own."""
    monkeypatch.setattr(bookings_hook, "listeners", [])


@pytest.fixture
def bookings():
    """Connect a bookings listener as the sessions app would, and take it away afterwards."""
    calls = []
    answer = BookingCounts()

    def hook(starts_at, ends_at):
        calls.append((starts_at, ends_at))
        return hook.answer

    hook.answer = answer
    hook.calls = calls
    with bookings_hook.connected(hook):
        yield hook


def available(**kwargs) -> list[Trainer]:
    return list(trainers_available(starts_at=STARTS, ends_at=ENDS, **kwargs))


def certified(**fields) -> Trainer:
    return TrainerFactory(certified=True, **fields)


def test_an_active_certified_trainer_is_available_when_nothing_is_registered():
    trainer = certified()

    assert bookings_hook.listeners == []
    assert available() == [trainer]


@pytest.mark.parametrize(
    "status",
    [Trainer.Status.STEPPING_BACK, Trainer.Status.LEFT, Trainer.Status.IN_TRAINING],
)
def test_only_active_trainers_are_available(status):
    certified(status=status)

    assert available() == []


def test_a_trainer_without_a_certification_is_not_available():
    TrainerFactory(status=Trainer.Status.ACTIVE)

    assert available() == []


def test_a_certification_that_ends_before_the_session_day_does_not_count():
    trainer = certified()
    Certification.objects.filter(trainer=trainer).update(expires_on=date(2025, 7, 1))

    assert available() == []


def test_a_certification_valid_on_the_session_day_counts_even_if_it_ends_the_next_day():
    trainer = certified()
    Certification.objects.filter(trainer=trainer).update(expires_on=date(2025, 7, 2))

    assert available() == [trainer]


def test_a_certification_that_starts_after_the_session_day_does_not_count():
    trainer = certified()
    Certification.objects.filter(trainer=trainer).update(
        certified_on=date(2025, 7, 2), expires_on=date(2027, 7, 2)
    )

    assert available() == []


def test_the_session_day_is_the_day_in_the_uk():
    trainer = certified()
    Certification.objects.filter(trainer=trainer).update(
        certified_on=date(2025, 7, 1), expires_on=date(2027, 7, 1)
    )
    # 00:30 on 1 July in London is 23:30 on 30 June in UTC.
    starts = datetime(2025, 6, 30, 23, 30, tzinfo=UTC)

    found = trainers_available(starts_at=starts, ends_at=starts + timedelta(hours=1))

    assert list(found) == [trainer]


def test_one_valid_certification_is_enough_when_an_older_one_has_ended():
    trainer = certified()
    Certification.objects.create(
        trainer=trainer,
        programme=Certification.objects.get(trainer=trainer).programme,
        certified_on=date(2020, 1, 1),
        expires_on=date(2022, 1, 1),
    )

    assert available() == [trainer]


def test_involvement_must_be_among_the_trainers_preferences():
    leads = certified(involvement=["lead", "co_deliver"])
    certified(involvement=["co_design"])
    certified(involvement=[])

    assert available(involvement="lead") == [leads]


def test_without_an_involvement_every_preference_fits():
    trainers = {certified(involvement=["co_design"]), certified(involvement=[])}

    assert set(available()) == trainers


def test_the_region_filter_keeps_trainers_of_that_region():
    london = RegionFactory(name="London")
    here = certified(region=london)
    certified(region=RegionFactory(name="Manchester"))

    assert available(region=london) == [here]
    assert available(region=london.pk) == [here]


def test_a_booked_trainer_is_not_available(bookings):
    busy = certified()
    free = certified()
    bookings.answer = BookingCounts(busy=frozenset({busy.pk}))

    assert available() == [free]


def test_the_hook_is_asked_about_the_sessions_own_times(bookings):
    certified()

    available()

    assert bookings.calls == [(STARTS, ENDS)]


def test_a_trainer_at_their_monthly_limit_is_not_available(bookings):
    full = certified(max_sessions_per_month=2)
    room = certified(max_sessions_per_month=3)
    bookings.answer = BookingCounts(this_month={full.pk: 2, room.pk: 2})

    assert available() == [room]


def test_sessions_from_several_hooks_add_up(bookings):
    trainer = certified(max_sessions_per_month=2)
    bookings.answer = BookingCounts(this_month={trainer.pk: 1})

    def another_hook(starts_at, ends_at):
        return BookingCounts(this_month={trainer.pk: 1})

    with bookings_hook.connected(another_hook):
        assert available() == []


def test_busy_trainers_from_any_hook_are_left_out(bookings):
    first, second = certified(), certified()
    bookings.answer = BookingCounts(busy=frozenset({first.pk}))

    def another_hook(starts_at, ends_at):
        return BookingCounts(busy=frozenset({second.pk}))

    with bookings_hook.connected(another_hook):
        assert available() == []


def test_a_session_that_ends_before_it_starts_is_a_mistake():
    with pytest.raises(ValueError, match="end after it starts"):
        trainers_available(starts_at=STARTS, ends_at=STARTS)


def test_the_result_is_a_queryset_with_no_private_answers_loaded():
    certified(lived_experience_notes="PRIVATE")

    found = trainers_available(starts_at=STARTS, ends_at=ENDS)

    assert set(found.query.deferred_loading[0]) == set(Trainer.PRIVATE_FIELDS)
    assert found.get().user.email


def test_the_number_of_queries_does_not_grow_with_the_number_of_trainers(
    django_assert_num_queries,
):
    CertificationFactory.create_batch(3)

    with django_assert_num_queries(2):
        trainers = list(trainers_available(starts_at=STARTS, ends_at=ENDS))
        [trainer.user.email for trainer in trainers]
        [trainer.region.name for trainer in trainers]


def test_the_check_refuses_to_run_when_nobody_answers_for_bookings():
    assert bookings_hook.listeners == []

    [error] = check_required_hooks(None)

    assert error.id == "core.E001"
    assert "trainers.hooks.bookings" in error.msg


def test_the_check_passes_once_a_listener_answers_for_bookings(bookings):
    assert check_required_hooks(None) == []
