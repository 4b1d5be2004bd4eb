"""Signed, login-free links in reply emails that stop watching one thread."""

from django.core import signing
from django.urls import reverse

from forum.models import Thread
from members.models import Member

SALT = "forum.stop-watching"


def stop_watching_token(*, member_id: int, thread_id: int) -> str:
    return signing.dumps([member_id, thread_id], salt=SALT)


def stop_watching_url(*, member_id: int, thread_id: int) -> str:
    """The page a reply email's unsubscribe link opens, relative to the site."""
    token = stop_watching_token(member_id=member_id, thread_id=thread_id)
    return reverse("forum:stop_watching", kwargs={"token": token})


def read_stop_watching_token(token: str) -> tuple[Member, Thread]:
    """The member and the thread a link names.

    Raises signing.BadSignature for a forged or damaged link, and Member.DoesNotExist or
    Thread.DoesNotExist when it names nobody or no thread that still exists.
    """
    member_id, thread_id = signing.loads(token, salt=SALT)
    return Member.objects.get(pk=member_id, is_active=True), Thread.objects.get(pk=thread_id)
