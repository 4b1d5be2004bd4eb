from celery import shared_task

from charter import services


@shared_task
def run_deadlines() -> dict[str, int]:
    return services.run_deadlines()
