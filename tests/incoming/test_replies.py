"""A member's reply by email becomes their post in the thread, once, without what it quotes."""

import pytest

from forum.models import Post
from incoming import services
from incoming.addresses import reply_address
from incoming.models import InboundMessage, State
from tests.hostile_payloads import FAMILIES
from tests.incoming.mail import reply_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Hand a message over as the mail server would; the (eager) worker runs on commit."""

    def deliver(raw: bytes, *, sender: str, thread=None, member=None, recipients=None):
        recipients = recipients or [reply_address(member_id=member.pk, thread_id=thread.pk)]
        with django_capture_on_commit_callbacks(execute=True):
            return services.receive(raw, sender=sender, recipients=recipients)

    return deliver


def replies(thread) -> list[Post]:
    return list(Post.objects.filter(thread=thread, number__gt=1))


def test_it_posts_a_reply_by_its_member_in_its_thread(deliver, thread, other_member, mailoutbox):
    inbound = deliver(
        reply_to(thread, other_member),
        sender=other_member.email,
        thread=thread,
        member=other_member,
    )

    [post] = replies(thread)
    assert post.author == other_member
    assert post.source == "Thanks, that works for me."
    inbound.refresh_from_db()
    assert (inbound.state, inbound.post) == (State.POSTED, post)
    assert mailoutbox == [] or all("not posted" not in m.body for m in mailoutbox)


def test_the_same_message_delivered_twice_is_posted_once(deliver, thread, other_member):
    raw = reply_to(thread, other_member)
    for _ in range(2):
        deliver(raw, sender=other_member.email, thread=thread, member=other_member)

    assert len(replies(thread)) == 1
    assert InboundMessage.objects.count() == 1


def test_a_message_without_message_id_is_known_by_its_bytes(deliver, thread, other_member):
    raw = reply_to(thread, other_member, message_id=None)
    first = deliver(raw, sender=other_member.email, thread=thread, member=other_member)
    second = deliver(raw, sender=other_member.email, thread=thread, member=other_member)

    assert first.pk == second.pk and first.message_id.startswith("sha256:")
    assert len(replies(thread)) == 1


def test_two_messages_whose_malformed_ids_differ_after_a_blank_are_both_kept(
    deliver, thread, other_member
):
    for number in (1, 2):
        raw = reply_to(
            thread,
            other_member,
            f"Answer number {number}.",
            message_id=f"<answer {number}@mail.example.org>",
        )
        deliver(raw, sender=other_member.email, thread=thread, member=other_member)

    ids = list(InboundMessage.objects.values_list("message_id", flat=True))
    assert len(ids) == 2 and all(each.startswith("sha256:") for each in ids)
    assert len(replies(thread)) == 2


@pytest.mark.parametrize(
    "body",
    [
        "Yes, Saturday.\n\nOn Mon, 3 Jun 2024 at 10:00, Alice <alice@example.org> wrote:\n"
        "> Who comes on Saturday?\n> Tell me.\n",
        "Oui, samedi.\n\nLe lun. 3 juin 2024 à 10:00, Alice <alice@example.org> a écrit :\n"
        "> Qui vient samedi ?\n",
        "Yes, Saturday.\n\n-- \nBruno Petit\nGardener in chief\n",
    ],
    ids=["english quote", "french quote", "signature"],
)
def test_quoted_history_and_signature_are_cut(deliver, thread, other_member, body):
    deliver(
        reply_to(thread, other_member, body),
        sender=other_member.email,
        thread=thread,
        member=other_member,
    )

    [post] = replies(thread)
    assert post.source in ("Yes, Saturday.", "Oui, samedi.")


def test_html_only_mail_becomes_markdown(deliver, thread, other_member):
    html = "<p>I agree with <b>all</b> of it:</p><ul><li>seeds</li><li>bulbs</li></ul>"
    deliver(
        reply_to(thread, other_member, html, html=True),
        sender=other_member.email,
        thread=thread,
        member=other_member,
    )

    [post] = replies(thread)
    assert "**all**" in post.source and "seeds" in post.source
    assert "<strong>all</strong>" in post.html and "<li>seeds</li>" in post.html


@pytest.mark.parametrize("payload", FAMILIES["script tags"][:6])
def test_hostile_html_posts_inert_text(deliver, thread, other_member, payload, without_rate_limits):
    html = f'<p>Look at this:</p>{payload}<a href="javascript:alert(1)">link</a>'
    deliver(
        reply_to(thread, other_member, html, html=True),
        sender=other_member.email,
        thread=thread,
        member=other_member,
    )

    [post] = replies(thread)
    assert "<script" not in post.html.lower()
    assert 'href="javascript' not in post.html.lower()  # left as text, not a link


def test_the_sweep_queues_a_message_stored_while_the_broker_was_down(
    thread, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the task never left
        inbound = services.receive(
            reply_to(thread, other_member),
            sender=other_member.email,
            recipients=[reply_address(member_id=other_member.pk, thread_id=thread.pk)],
        )
    InboundMessage.objects.filter(pk=inbound.pk).update(
        received_at=inbound.received_at - services.timedelta(minutes=5)
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.process_waiting()

    inbound.refresh_from_db()
    assert inbound.state == State.POSTED
    assert len(replies(thread)) == 1
