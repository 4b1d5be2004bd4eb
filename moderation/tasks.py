"""Celery tasks: each calls a service, and is safe to run twice or late."""

from celery import shared_task

from moderation import ban_notice, services


@shared_task
def lapse_claims() -> int:
    return services.lapse_claims()


@shared_task
def tell_of_refused_sign_in(member_id: int) -> None:
    ban_notice.tell_of_refused_sign_in(member_id=member_id)
