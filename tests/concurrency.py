"""Running actions at the same instant, each on its own database connection (PostgreSQL)."""

import threading
from collections.abc import Callable

from django.db import connection


def run_together(actions: list[Callable]) -> tuple[list, list[Exception]]:
    """Call each action in its own thread, all released at once; their results and errors."""
    barrier = threading.Barrier(len(actions))
    results: list = []
    errors: list[Exception] = []

    def worker(action):
        try:
            barrier.wait()
            results.append(action())
        except Exception as error:  # collected, so the test says what went wrong
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(action,)) for action in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (a deadlock?)"
    return results, errors
