from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncomingConfig(AppConfig):
    name = "incoming"
    verbose_name = _("Incoming mail")

    def ready(self) -> None:
        from forum import extensions
        from incoming import conversations, new_threads
        from notifications import replies

        replies.register(conversations.of_posts)
        extensions.register_category_notice(new_threads.address_notice)
        replies.register_list(conversations.of_listed_post)
