"""Celery tasks: each takes ids, calls a service, and is safe to run twice or late."""

from celery import shared_task

from forum import services


@shared_task
def announce_post(post_id: int) -> None:
    services.announce_post(post_id=post_id)


@shared_task
def announce_pending_posts() -> None:
    services.announce_pending_posts()


@shared_task
def remove_orphan_uploads() -> None:
    services.remove_orphans()
