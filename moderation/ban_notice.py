"""The email that tells a banned member why their right password was refused at sign-in.

The sign-in page answers a banned account's right password as a wrong one (members.adapter),
so that it does not confirm the password to whoever typed it; the member, who holds the
mailbox, learns there that the account is banned and how to appeal.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from members.models import Member
from moderation.appeal_links import ban_appeal_url
from moderation.models import Sanction, SanctionKind

TEMPLATE = "account/email/banned_sign_in"


def tell_of_refused_sign_in(*, member_id: int) -> None:
    member = Member.objects.filter(pk=member_id, banned_at__isnull=False).first()
    if member is None or not member.email:
        return  # the ban was lifted meanwhile, or the account deleted
    ban = (
        Sanction.objects.filter(member=member, kind=SanctionKind.BAN, lifted_at__isnull=True)
        .order_by("starts_at")
        .first()
    )
    context = {
        "member": member,
        # The ban email's own link may have lapsed: this one is signed afresh. The page it
        # opens offers the appeal only while the decision's appeal period runs.
        "decision_url": _absolute(ban_appeal_url(decision=ban.decision, member_id=member.pk))
        if ban
        else "",
        "journal_url": _absolute(reverse("moderation:journal")),
        "SITE_NAME": settings.SITE_NAME,
    }
    with translation.override(member.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{TEMPLATE}_subject.txt", context)
        body = render_to_string(f"{TEMPLATE}_message.txt", context)
    EmailMessage(
        subject=" ".join(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}".split()),
        body=body.strip(),
        to=[member.email],
    ).send()


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
