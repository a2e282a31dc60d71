"""Race tests wait on PostgreSQL's own lock state, never on a guessed sleep."""

import threading
import time

import pytest
from django.db import connection

WAITING_ON_US = """
    SELECT EXISTS (
        SELECT FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))
    )
"""


def wait_until_it_waits_for_our_lock(thread: threading.Thread, *, timeout: float = 10) -> None:
    """Return once another connection waits for a lock this test's connection holds.

    Fails the test if `thread` ends first (it never waited, so the lock was not taken) or after
    `timeout` seconds. pg_locks is read afresh on every query, even inside the test's open
    transaction (pg_stat_activity would repeat its first answer until the transaction ends)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(WAITING_ON_US)
            if cursor.fetchone()[0]:
                return
            if not thread.is_alive():
                pytest.fail("The other transaction finished without waiting for our lock.")
            time.sleep(0.01)
    pytest.fail(f"Nothing waited for our lock within {timeout} s.")
