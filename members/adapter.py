from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.account.models import EmailAddress
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from members import services


class MemberAccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request: HttpRequest, user, **kwargs) -> HttpResponse | None:
        # A banned member is told so, rather than that their password is wrong.
        if getattr(user, "is_banned", False):
            clear_login(request)
            return render(request, "account/banned.html", status=403)
        return super().pre_login(request, user, **kwargs)

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        # Every way allauth confirms an address (the mailed link, the mailed code) comes here.
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            services.record_verified_address(member_id=email_address.user_id)
        return confirmed

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The account emails (templates/account/email/) sign with the site's name, subjects
        # included, which are rendered without the request's context processors.
        super().send_mail(template_prefix, email, {"SITE_NAME": settings.SITE_NAME, **context})

    def send_notification_mail(
        self,
        template_prefix: str,
        user,
        context: dict[str, Any] | None = None,
        email: str | None = None,
    ) -> None:
        # allauth's notices (password changed, address changed) do not name the member they
        # are about, and the one after a password reset is sent to a visitor: ours greet them.
        super().send_notification_mail(
            template_prefix, user, context={"user": user, **(context or {})}, email=email
        )
