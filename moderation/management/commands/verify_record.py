from django.core.management.base import BaseCommand, CommandError

from moderation import record


class Command(BaseCommand):
    help = (
        "Recompute the record's hash chains, the charter's ratified versions and the moderation "
        "journal, from the database. Prints ok and the digest of each chain's latest entry, or "
        "names the first entry that does not match and exits with status 1."
    )

    def handle(self, *args, **options) -> None:
        checks = record.check_record()
        if all(check.ok for check in checks):
            self.stdout.write("ok")
        for check in checks:
            if check.ok:
                verification = check.verification
                self.stdout.write(
                    f"{check.name}: {verification.rows} entries, head {verification.head}"
                )
            else:
                self.stdout.write(f"{check.name}: does not match at {check.mismatch}")
        if not all(check.ok for check in checks):
            raise CommandError("The record does not match its digests.")
