from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.internal.stagekit import clear_login
from allauth.account.models import EmailAddress
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from members import services


class MemberAccountAdapter(DefaultAccountAdapter):
    def authenticate(self, request: HttpRequest, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None and user.is_banned:
            # The right password of a banned account gets the answer a wrong one gets, so that
            # it does not confirm the password to whoever typed it: counted as a failed
            # sign-in again (allauth gave back the count on finding the password right), and
            # the member told why by email.
            self.pre_authenticate(request, **credentials)
            services.refuse_banned_sign_in(member=user)
            return None
        return user

    def pre_login(self, request: HttpRequest, user, **kwargs) -> HttpResponse | None:
        # Signing in without a password (by confirming an address) shows a banned member why
        # it fails: that reader holds the mailbox, to which the ban was told already.
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

    def send_confirmation_mail(self, request: HttpRequest, emailconfirmation, signup: bool) -> None:
        # An address another account has confirmed cannot become this one's, and its owner
        # is not to be mailed at a stranger's whim. The page answers as for any address
        # (ACCOUNT_PREVENT_ENUMERATION), so nothing tells the member that it is taken.
        address = emailconfirmation.email_address
        taken = (
            EmailAddress.objects.filter(email__iexact=address.email, verified=True)
            .exclude(user_id=address.user_id)
            .exists()
        )
        if not taken:
            super().send_confirmation_mail(request, emailconfirmation, signup)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The account emails (templates/account/email/) sign with the site's name, subjects
        # included, which are rendered without the request's context processors. Their links
        # lead to SITE_URL: allauth builds them from the request's Host, which the sender of
        # the request chooses.
        links = {
            name: on_site(value)
            for name, value in context.items()
            if name.endswith("_url") and isinstance(value, str)
        }
        super().send_mail(
            template_prefix, email, {"SITE_NAME": settings.SITE_NAME, **context, **links}
        )

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


def on_site(url: str) -> str:
    """`url`, absolute or not, on SITE_URL's scheme and host."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return settings.SITE_URL + path + (f"#{parts.fragment}" if parts.fragment else "")


def tell_of_added_address(request: HttpRequest, user, email_address: EmailAddress, **kwargs):
    """Receives allauth's `email_added`. The address in use hears of a new one when it is asked
    for, not when it is confirmed: by then the new one has replaced it, and a password reset
    would go to the new one."""
    get_adapter(request).send_notification_mail(
        "account/email/email_added", user, {"added_email": email_address.email}
    )
