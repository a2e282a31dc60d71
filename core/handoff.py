"""Handing work to Celery from a request without letting a broker outage fail the request."""

import logging

from kombu.exceptions import KombuError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What publishing raises when the broker is away, slow or refuses: kombu wraps most of them in
# OperationalError; the rest come through as the redis client's or the socket's own errors.
PUBLISH_ERRORS = (KombuError, RedisError, OSError)


def task_hand_off(task, *args, **kwargs) -> bool:
    """Queue `task(*args, **kwargs)`; False (and a warning) when the broker cannot take it.

    Use it only for work whose state lives in the database and that a periodic sweep picks up
    again (a queued notification), so losing the hand-off delays the work but loses nothing.
    Publishing gives up after one quick retry (CELERY_TASK_PUBLISH_RETRY_POLICY and the
    broker's connection timeout), so a request never hangs long on a broker that is gone."""
    if task.app.conf.task_always_eager:
        # Inline (embedded mode, tests): no broker, and the task's own errors are its own.
        task.apply_async(args=args, kwargs=kwargs)
        return True
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except PUBLISH_ERRORS as exc:
        # The exception's text may name the broker's address (with a password): type only.
        logger.warning(
            "could not hand %s to the broker (%s); the periodic sweep will pick it up",
            task.name.rsplit(".", 1)[-1],
            type(exc).__name__,
        )
        return False
    return True
