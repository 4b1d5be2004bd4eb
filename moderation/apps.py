from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from core.queueing import queue_after_commit
        from forum import extensions
        from members import personal_data, signals
        from moderation import record, selectors, services, tasks
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

        # Sent outside the sign-in's answer, which must take as long as a wrong password's.
        def tell_of_refused_sign_in(sender, *, member, **kwargs) -> None:
            queue_after_commit(tasks.tell_of_refused_sign_in, (member.pk,))

        signals.banned_sign_in_refused.connect(
            tell_of_refused_sign_in, weak=False, dispatch_uid="moderation"
        )
