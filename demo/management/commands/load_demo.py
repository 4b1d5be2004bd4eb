from django.core.management.base import BaseCommand

from demo import services
from demo.moderation_content import SECOND_MODERATOR


class Command(BaseCommand):
    help = "Load the demo community (once: running it again changes nothing)."

    def handle(self, *args, **options) -> None:
        if services.demo_is_loaded():
            self.stdout.write("The demo community is already loaded.")
        else:
            services.load_demo_community()
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
