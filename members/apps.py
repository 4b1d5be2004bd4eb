from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from allauth.account.signals import email_added

        from members.adapter import tell_of_added_address

        email_added.connect(tell_of_added_address, dispatch_uid="members.tell_of_added_address")
