from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = _("Forum")

    def ready(self) -> None:
        from forum import selectors, services
        from members import personal_data, signals
        from notifications import lists

        lists.register(services.letter_of_post)

        personal_data.register(
            personal_data.Section(
                name="forum",
                export=selectors.personal_data_of,
                erase=services.forget_member,
                files=selectors.upload_files_of,
            )
        )

        def restamp_their_threads(sender, *, member, **kwargs) -> None:
            services.member_shown_differently(member=member)

        signals.shown_differently.connect(restamp_their_threads, weak=False, dispatch_uid="forum")
