"""Hooks: how a lower app lets higher apps react without importing them.

A hook is declared once, in the firing app's `hooks.py`, as a function signature with a docstring
saying who fires it, when, and who listens:

    @hook()
    def session_delivered(*, session: TrainingSession) -> None:
        '''Fired by sessions.services.delivery_report_submit in its transaction. Listeners: ...'''

The declaration's body never runs. The app that fires it calls
`session_delivered.fire(session=session)`, which calls every listener with exactly those
arguments and returns their results in the order they were connected. Higher apps connect
their listeners in `AppConfig.ready()`; a listener's signature is checked against the
declaration by mypy. A hook declared with `required=True` must have a listener, or
`manage.py check` fails (core.E001): an empty hook would otherwise silently mean "nothing to
do". Effects within one app are plain calls, not hooks.
See docs/architecture.md#hooks for every hook.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    """One declared hook and the listeners connected to it."""

    def __init__(self, spec: Callable[P, R], *, required: bool) -> None:
        self.spec = spec
        self.name = f"{spec.__module__}.{spec.__qualname__}"
        self.required = required
        self.listeners: list[Callable[P, R]] = []
        self.__doc__ = spec.__doc__
        DECLARED.append(self)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self.listeners)} listener(s)>"

    def connect(self, listener: Callable[P, R]) -> Callable[P, R]:
        """Add a listener (once, however often `ready()` runs); usable as a decorator."""
        if listener not in self.listeners:
            self.listeners.append(listener)
        return listener

    def fire(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        """Call every listener with these arguments; their results, in connection order."""
        return [listener(*args, **kwargs) for listener in list(self.listeners)]

    @contextmanager
    def connected(self, listener: Callable[P, R]) -> Iterator[Callable[P, R]]:
        """For tests: `listener` is connected inside the block only."""
        already = listener in self.listeners
        self.connect(listener)
        try:
            yield listener
        finally:
            if not already:
                self.listeners.remove(listener)


DECLARED: list[Hook] = []  # every hook declared so far, for the system check


def hook(*, required: bool = False) -> Callable[[Callable[P, R]], Hook[P, R]]:
    """Declare a hook from a function signature (its body never runs); see the module docstring."""

    def declare(spec: Callable[P, R]) -> Hook[P, R]:
        return Hook(spec, required=required)

    return declare
