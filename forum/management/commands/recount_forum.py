from django.core.management.base import BaseCommand

from forum import services


class Command(BaseCommand):
    help = "Rebuild the forum's denormalised counters (posts per thread, threads per category…)."

    def handle(self, *args, **options) -> None:
        services.recount()
        self.stdout.write(self.style.SUCCESS("Counters rebuilt."))
