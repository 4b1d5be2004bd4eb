from pathlib import Path

from django.core.management.base import BaseCommand

from demo import elections, services
from demo.moderation_content import SECOND_MODERATOR


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
        newest = min(services.content.MEMBERS, key=lambda spec: spec["days_ago_joined"])
        self.stdout.write(
            "\nSign in at http://127.0.0.1:8000/accounts/login/ with:\n"
            f"  admin      {services.ADMIN['username']} / {services.ADMIN['password']}\n"
            f"  moderator  {services.MODERATOR['username']} / {services.MODERATOR['password']}: "
            "two open cases in the queue and an appeal to hear\n"
            f"  moderator  {SECOND_MODERATOR['username']} / {services.MODERATOR['password']}: "
            "decided the appealed case, so may not hear its appeal\n"
            f"  member     {services.content.MEMBERS[0]['username']} (or any demo member) / "
            f"{services.MEMBER_PASSWORD}: a charter ballot is open and awaits their vote\n"
            f"  newcomer   {newest['username']} / {services.MEMBER_PASSWORD}: joined "
            f"{newest['days_ago_joined']} days ago, too recently to vote on the charter\n"
        )
        self._print_trustees(key_directory)

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
            f"on its page (http://127.0.0.1:8000{ballot.get_absolute_url()}) with their key file.\n"
        )
        self.stdout.write("\n".join(lines))
