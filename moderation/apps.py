from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from forum import extensions
        from members import personal_data
        from moderation import record, selectors, services
        from moderation.personal_data import personal_data_of

        record.TRIGGERS.keep_installed(self)
        extensions.register(
            extensions.PostExtension(
                annotate=selectors.annotate_posts,
                key=selectors.post_annotations_key,
                notice_template="moderation/_post_notice.html",
                action_template="moderation/_post_action.html",
            )
        )
        personal_data.register(
            personal_data.Section(
                name="moderation", export=personal_data_of, erase=services.forget_member
            )
        )
