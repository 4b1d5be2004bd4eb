"""Signed, login-free links in emails that stop one kind of email, the daily digest, or
mailing-list mode."""

from django.core import signing

from members.models import Member
from notifications.models import EmailChoice, Kind
from notifications.selectors import email_choices

SALT = "notifications.stop-emails"
# The digest's link stops every kind the member gets in their digest.
DIGEST = "digest"


def stop_emails_token(*, member_id: int, kind: str) -> str:
    return signing.dumps([member_id, kind], salt=SALT)


def read_stop_emails_token(token: str) -> tuple[Member, list[Kind]]:
    """The member and the kinds a link names.

    Raises signing.BadSignature for a forged or damaged link, and Member.DoesNotExist or
    ValueError when it names nobody or nothing that still exists.
    """
    member_id, kind = signing.loads(token, salt=SALT)
    member = Member.objects.get(pk=member_id, is_active=True)
    if kind != DIGEST:
        return member, [Kind(kind)]
    choices = email_choices(member)
    return member, [each for each in Kind if choices[each] == EmailChoice.DIGEST]


LIST_SALT = "notifications.stop-list"


def stop_list_token(*, member_id: int) -> str:
    """The link of mailing-list mode's emails, which turns the mode off."""
    return signing.dumps(member_id, salt=LIST_SALT)


def read_stop_list_token(token: str) -> Member:
    """The member a link names; raises as read_stop_emails_token does."""
    return Member.objects.get(pk=signing.loads(token, salt=LIST_SALT), is_active=True)
