"""Signed, login-free links in the ban email that open the appeal of the ban: a banned member
cannot sign in, and must not lose their one appeal for it.

A link names one decision and its author, and is good for the decision's own appeal period
(the charter's `appeal_days` when it was made) from the moment it was signed.
"""

from django.core import signing
from django.urls import reverse

from moderation.models import Decision

SALT = "moderation.ban-appeal"


def ban_appeal_url(*, decision: Decision, member_id: int) -> str:
    token = signing.dumps([decision.pk, member_id], salt=SALT)
    return reverse("moderation:ban_appeal", kwargs={"token": token})


def read_ban_appeal_token(token: str) -> Decision:
    """The decision a link names, with its post, author and sanction.

    Raises signing.SignatureExpired once the decision's appeal period has passed since the link
    was signed; signing.BadSignature (which it extends) for a forged or damaged link; and
    Decision.DoesNotExist, ValueError or TypeError when it names no decision of that member's
    with a period to appeal in.
    """
    decision_id, member_id = signing.loads(token, salt=SALT)
    decision = Decision.objects.select_related(
        "case__post__thread__category", "case__post__author", "sanction"
    ).get(pk=int(decision_id), case__post__author_id=int(member_id))
    if decision.appeal_until is None:
        raise ValueError("a dismissal cannot be appealed")
    signing.loads(token, salt=SALT, max_age=decision.appeal_until - decision.created_at)
    return decision
