"""Celery tasks: each calls a service, and is safe to run twice or late."""

from celery import shared_task

from moderation import services


@shared_task
def lapse_claims() -> int:
    return services.lapse_claims()
