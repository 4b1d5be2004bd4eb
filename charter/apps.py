from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = _("Charter")

    def ready(self) -> None:
        from charter import record, selectors, services
        from members import personal_data, procedure

        procedure.register(selectors.parameters_in_force)
        record.TRIGGERS.keep_installed(self)
        record.ELECTION_TRIGGERS.keep_installed(self)
        personal_data.register(
            personal_data.Section(
                name="charter", export=selectors.personal_data_of, erase=services.forget_member
            )
        )
