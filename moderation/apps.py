from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from forum import extensions
        from moderation import selectors

        extensions.register(
            extensions.PostExtension(
                annotate=selectors.annotate_posts,
                notice_template="moderation/_post_notice.html",
                action_template="moderation/_post_action.html",
            )
        )
