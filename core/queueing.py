"""Celery tasks queued once the transaction that recorded their work commits."""

import logging

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def queue_after_commit(task: Task, *calls: tuple) -> None:
    """Queue `task` once for each tuple of arguments in `calls`, once the transaction commits.

    The work itself is already recorded in the committed rows, so a broker outage is logged
    rather than raised: the caller's request succeeds, the remaining calls are not tried (each
    would wait for the broker in vain), and the periodic sweeps queue the work again once the
    broker is back.
    """

    def send() -> None:
        for sent, args in enumerate(calls):
            try:
                task.delay(*args)
            except OperationalError as error:
                left = len(calls) - sent
                logger.warning("%s: %d calls left for the sweep: %s", task.name, left, error)
                return

    if calls:
        transaction.on_commit(send)
