"""A banned member gets no notification email but the ban itself and the outcome of their
appeal: no replies, mentions or digests after the ban; a deactivated account gets none at all
(notifications.emails.compose)."""

import pytest
from django.core import mail
from django.utils import timezone

from forum import services as forum
from members.models import Member
from moderation import services
from moderation.models import Appeal, AppealState, Decision
from moderation.sanctions import SanctionKind, Step
from notifications import services as notifications
from notifications.models import EmailChoice, Kind
from tests.builders.moderation import signal, uphold

pytestmark = pytest.mark.django_db


@pytest.fixture
def ban(post, moderator, django_capture_on_commit_callbacks) -> Decision:
    """The decision that bans `post`'s author; its email is in the outbox."""
    with django_capture_on_commit_callbacks(execute=True):
        return uphold(signal(post).case, moderator, sanction=Step(SanctionKind.BAN))


@pytest.fixture
def banned(ban, author) -> Member:
    author.refresh_from_db()
    assert author.is_banned
    return author


def sent_to(member) -> list[str]:
    return [message.subject for message in mail.outbox if message.to == [member.email]]


def test_the_ban_itself_is_emailed(banned):
    [ban] = sent_to(banned)
    assert "The moderators decided on your post" in ban


def test_a_banned_member_gets_no_reply_or_mention_email(
    banned, post, other_member, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            forum.reply(author=other_member, thread=post.thread, source=f"Reply {n} to the thread.")
        forum.reply(author=other_member, thread=post.thread, source="@author, are you there?")
    told = set(banned.notifications.values_list("kind", flat=True))
    assert {Kind.REPLY, Kind.MENTION} <= told  # in the app, where they cannot sign in to read
    assert sent_to(banned) == []


def test_a_banned_member_gets_no_digest(
    banned, post, other_member, django_capture_on_commit_callbacks
):
    notifications.choose_emails(member=banned, choices={Kind.REPLY: EmailChoice.DIGEST})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        forum.reply(author=other_member, thread=post.thread, source="For tomorrow's digest.")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.queue_daily_digests(now=timezone.localtime().replace(hour=23))
    assert banned.notifications.filter(kind=Kind.REPLY, digest__isnull=False).exists()
    assert sent_to(banned) == []


def test_the_outcome_of_a_banned_members_appeal_is_emailed(
    ban, banned, second_moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_decision(member=banned, decision=ban, statement="A misunderstanding.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.hear_appeal(
            moderator=second_moderator,
            appeal=Appeal.objects.get(decision=ban),
            outcome=AppealState.CONFIRMED,
            rationale="Advertising it was.",
        )
    [outcome] = sent_to(banned)
    assert "Your appeal about your post" in outcome


def test_a_member_deactivated_before_their_email_went_gets_none(
    author, other_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as sending:
        told = notifications.notify(
            kind=Kind.REPLY,
            recipients=[author.pk],
            actor=other_member,
            event_key="post:1",
            title="Gardening tips",
            url="/p/1/",
        )
    assert told == 1 and sending  # the email is on its way
    Member.objects.filter(pk=author.pk).update(is_active=False)
    for send in sending:
        send()
    assert sent_to(author) == []
