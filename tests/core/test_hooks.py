import pytest

from core import hooks
from core.checks import check_required_hooks


@pytest.fixture
def declare():
    """Declare hooks for one test only, so the system check never sees them afterwards."""
    before = list(hooks.DECLARED)
    yield hooks.hook
    hooks.DECLARED[:] = before


def test_fire_calls_each_listener_with_the_arguments_and_returns_their_results_in_order(declare):
    @declare()
    def counted(*, start: int, end: int) -> int:
        """A test hook."""

    counted.connect(lambda *, start, end: end - start)
    counted.connect(lambda *, start, end: start + end)

    assert counted.fire(start=2, end=5) == [3, 7]


def test_a_hook_without_listeners_returns_nothing(declare):
    @declare()
    def quiet(*, value: int) -> None:
        """A test hook."""

    assert quiet.fire(value=1) == []


def test_connecting_twice_calls_the_listener_once(declare):
    @declare()
    def once(*, calls: list) -> None:
        """A test hook."""

    def listener(*, calls: list) -> None:
        calls.append("called")

    once.connect(listener)
    once.connect(listener)
    calls: list[str] = []
    once.fire(calls=calls)

    assert calls == ["called"]


def test_connected_registers_a_listener_for_the_block_only(declare):
    @declare()
    def temporary(*, calls: list) -> None:
        """A test hook."""

    def listener(*, calls: list) -> None:
        calls.append("called")

    calls: list[str] = []
    with temporary.connected(listener):
        temporary.fire(calls=calls)
    temporary.fire(calls=calls)

    assert calls == ["called"]
    assert temporary.listeners == []


def test_connected_leaves_a_listener_that_was_already_there(declare):
    @declare()
    def kept(*, value: int) -> int:
        """A test hook."""

    def listener(*, value: int) -> int:
        return value

    kept.connect(listener)
    with kept.connected(listener):
        pass

    assert kept.fire(value=4) == [4]


def test_a_hook_keeps_its_declared_name_and_docstring(declare):
    @declare()
    def documented(*, value: int) -> None:
        """Fired by nobody; listened to by nobody."""

    assert documented.name.endswith("documented")
    assert documented.__doc__ == "Fired by nobody; listened to by nobody."


def test_the_check_fails_for_a_required_hook_nobody_listens_to(declare):
    @declare(required=True)
    def needed(*, value: int) -> int:
        """A test hook."""

    (error,) = check_required_hooks(None)

    assert error.id == "core.E001"
    assert needed.name in error.msg

    needed.connect(lambda *, value: value)
    assert check_required_hooks(None) == []


def test_the_check_passes_for_an_optional_hook_nobody_listens_to(declare):
    @declare()
    def optional(*, value: int) -> None:
        """A test hook."""

    assert check_required_hooks(None) == []
