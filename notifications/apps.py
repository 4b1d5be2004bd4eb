from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from members import personal_data
        from notifications import selectors, services

        personal_data.register(
            personal_data.Section(
                name="notifications",
                export=selectors.personal_data_of,
                erase=services.forget_member,
            )
        )
