"""Celery tasks: each takes ids, calls a service, and is safe to run twice or late."""

from celery import shared_task

from incoming import services


@shared_task
def process_message(message_pk: int) -> None:
    services.process(message_pk=message_pk)


@shared_task
def process_waiting() -> None:
    services.process_waiting()
