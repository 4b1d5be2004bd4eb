from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncomingConfig(AppConfig):
    name = "incoming"
    verbose_name = _("Incoming mail")

    def ready(self) -> None:
        from incoming import conversations
        from notifications import replies

        replies.register(conversations.of_posts)
        replies.register_list(conversations.of_listed_post)
