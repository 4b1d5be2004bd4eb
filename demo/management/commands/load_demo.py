from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import get_language_info

from demo import elections, services
from demo.logins import LOGINS
from members.models import Member


class Command(BaseCommand):
    help = "Load the demo community (once: running it again changes nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--trustee-keys",
            type=Path,
            default=elections.default_key_directory(),
            metavar="DIR",
            help="Where to write the key files of the open ballot's trustees "
            "(default: var/demo-trustees).",
        )

    def handle(self, *args, **options) -> None:
        key_directory = options["trustee_keys"].resolve()
        if services.demo_is_loaded():
            self.stdout.write("The demo community is already loaded.")
        else:
            services.load_demo_community(key_directory=key_directory)
            self.stdout.write(self.style.SUCCESS("Demo community loaded."))
        self._print_logins()
        self._print_trustees(key_directory)

    def _print_logins(self) -> None:
        """Every demo login, with its role, the language the site speaks to it, and what to
        try with it (demo.logins)."""
        languages = dict(Member.objects.values_list("username", "language"))
        lines = [
            f"\nSign in at {settings.SITE_URL}/accounts/login/ with any of these logins.\n"
            "The site speaks to each in their profile's language; the Language menu at the foot "
            "of every page changes it."
        ]
        for login in LOGINS:
            language = languages[login.username]
            speaks = get_language_info(language)["name"] if language else "your browser's language"
            lines.append(f"  {login.username} / {login.password}  ({login.role}, site in {speaks})")
            lines.append(f"      {login.to_try}")
        self.stdout.write("\n".join(lines))

    def _print_trustees(self, key_directory: Path) -> None:
        """Where each trustee of the open ballot finds their key file, to decrypt its count."""
        ballot = elections.demo_ballot()
        if ballot is None:
            return
        threshold = ballot.election.threshold
        lines = [
            f"\nThe open ballot is a Belenios election. Its trustees' key files (the site never "
            f"keeps them) are in {key_directory}/:"
        ]
        for key_file in elections.key_files(ballot, key_directory):
            missing = "" if key_file.exists else "  (missing: written where the demo was loaded)"
            lines.append(
                f"  trustee {key_file.position}  {key_file.username} / "
                f"{services.MEMBER_PASSWORD}: {key_file.path}{missing}"
            )
        closes = f" on {ballot.closes_at:%Y-%m-%d %H:%M} UTC" if ballot.closes_at else ""
        lines.append(
            f"When it closes{closes}, sign in as {threshold} of them and decrypt the count "
            f"on its page ({settings.SITE_URL}{ballot.get_absolute_url()}) with their key file.\n"
        )
        self.stdout.write("\n".join(lines))
