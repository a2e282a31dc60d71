"""The hooks the sessions app fires: lists of functions that other parts of the project append to,
which the sessions services call inside their transaction when a session is cancelled, moved,
given a new joining link or delivered."""

from collections.abc import Callable

from sessions.models import TrainingSession

# Other parts of the app register here what must also happen, inside the same transaction, when
# a session is cancelled (its learners told, their reminders cancelled) or moved (their
# reminders re-timed). During the call `session.cancellation_reason` holds the reason given.
SESSION_CANCELLED: list[Callable[[TrainingSession], None]] = []
SESSION_MOVED: list[Callable[[TrainingSession], None]] = []
# ... and when only an online session's joining link changed (its learners get the new link).
SESSION_LINK_CHANGED: list[Callable[[TrainingSession], None]] = []
# ... and when a session becomes delivered, or its attendance is corrected after that (so the
# hooks must be safe to run more than once).
SESSION_DELIVERED: list[Callable[[TrainingSession], None]] = []
