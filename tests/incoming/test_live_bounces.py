"""A bounce through the real parts: the worker emails a member over SMTP from that email's own
return path; the member's mail server bounces it there, through the LMTP server that
`manage.py receive_mail --lmtp` runs; the worker counts it once, even delivered twice."""

import pytest

from forum.models import Post
from incoming.models import InboundMessage, Reason, State
from notifications.models import BouncingAddress
from tests.incoming.mail import bounce, send
from tests.live_stack import wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]


def test_a_bounce_delivered_twice_counts_once(live_stack, lmtp, thread, member, other_member):
    Post.objects.update(announced=True)
    client = live_stack.signed_in(other_member)
    status, _, _ = client.post_form(
        f"/t/{thread.pk}/reply/", f"/t/{thread.pk}/reply/", {"source": "Tomatoes are in."}
    )
    assert status == 302

    def return_paths() -> list[str]:
        return [sender for to, sender in live_stack.mail.senders if to == member.email]

    wait_until(return_paths, timeout=20, what="the worker to email the thread's author")
    [return_path] = return_paths()
    assert return_path.startswith("bounce+") and return_path.endswith("@replies.testserver")

    raw = bounce(return_path, recipient=member.email)
    for _ in range(2):
        assert send(lmtp, raw, sender="", to=return_path) == {}

    def counted() -> list[InboundMessage]:
        return list(InboundMessage.objects.filter(state=State.BOUNCE))

    wait_until(counted, timeout=20, what="the worker to read the bounce")
    [inbound] = counted()
    assert inbound.reason == Reason.HARD_BOUNCE
    assert BouncingAddress.objects.get(member=member, address=member.email).count == 1
