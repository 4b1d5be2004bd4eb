"""Emails about a post say where to answer by email: the member's signed address for the thread."""

from datetime import timedelta
from urllib.parse import unquote, urlsplit

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone, translation
from django.utils.translation import gettext

from forum import services as forum
from forum.models import Thread, WatchLevel
from incoming.addresses import ReplyTarget, read_reply_address
from members.models import Member
from notifications import services
from notifications.models import EmailChoice, Kind
from tests.builders.forum import make_reply, make_thread

pytestmark = pytest.mark.django_db

REPLY_LINE = "Reply to this email to answer in the thread."


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Runs what is given and returns the emails it sent."""

    def run(action, *args, **kwargs):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            action(*args, **kwargs)
        return mail.outbox[before:]

    return run


def reply_to(email) -> ReplyTarget | None:
    [address] = email.reply_to
    return read_reply_address(address)


def test_a_reply_email_answers_to_the_member_and_the_thread(sent, thread, member, other_member):
    [email] = sent(make_reply, thread, author=other_member, source="Tomatoes.")
    assert reply_to(email) == ReplyTarget(member_id=member.pk, thread_id=thread.pk)
    assert REPLY_LINE in email.body
    assert REPLY_LINE in email.alternatives[0][0]


def test_the_reply_to_reaches_the_message_itself(sent, thread, member, other_member):
    [email] = sent(make_reply, thread, author=other_member)
    [address] = email.reply_to
    assert email.message()["Reply-To"] == address


def test_a_mention_email_answers_in_the_thread_of_the_post(sent, thread, member, other_member):
    forum.watch_thread(member=member, thread=thread, level=WatchLevel.NORMAL)
    [email] = sent(make_reply, thread, author=other_member, source="@alice, look.")
    assert reply_to(email) == ReplyTarget(member_id=member.pk, thread_id=thread.pk)


def test_a_quote_email_answers_in_the_thread_of_the_post(sent, thread, member, other_member):
    forum.watch_thread(member=member, thread=thread, level=WatchLevel.NORMAL)
    first = thread.posts.get(number=1)
    quoting = f"> **alice** [wrote](/p/{first.pk}/):\n> Hi\n\nYes."
    [email] = sent(make_reply, thread, author=other_member, source=quoting)
    assert member.notifications.get().kind == Kind.QUOTE
    assert reply_to(email) == ReplyTarget(member_id=member.pk, thread_id=thread.pk)


def test_a_new_thread_email_answers_in_the_new_thread(sent, category, member, other_member):
    forum.watch_category(member=member, category=category, level=WatchLevel.WATCHING)
    services.choose_emails(member=member, choices={Kind.NEW_THREAD: EmailChoice.IMMEDIATELY})
    [email] = sent(
        forum.create_thread,
        author=other_member,
        category=category,
        title="Tool library",
        source="Anyone?",
    )
    thread = Thread.objects.get(title="Tool library")
    assert reply_to(email) == ReplyTarget(member_id=member.pk, thread_id=thread.pk)


def test_each_member_gets_their_own_address(sent, thread, member, other_member):
    carla = Member.objects.get(pk=make_reply(thread).author_id)
    emails = sent(make_reply, thread, author=other_member)
    targets = {email.to[0]: reply_to(email) for email in emails}
    assert targets == {
        member.email: ReplyTarget(member_id=member.pk, thread_id=thread.pk),
        carla.email: ReplyTarget(member_id=carla.pk, thread_id=thread.pk),
    }


def test_emails_about_one_thread_name_it_so_mail_clients_group_them(
    sent, thread, member, other_member, settings
):
    settings.REPLY_DOMAIN = "mail.example.org"
    first, second = sent(make_reply, thread, author=other_member) + sent(
        make_reply, thread, author=other_member
    )
    named = f"<thread-{thread.pk}@mail.example.org>"
    for email in (first, second):
        assert email.extra_headers["In-Reply-To"] == named
        assert email.extra_headers["References"] == named
    assert first.extra_headers["Message-ID"] != second.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"].startswith("<delivery-")


def test_no_address_is_offered_in_a_locked_thread(sent, thread, member, moderator):
    forum.update_thread(thread=thread, title=thread.title, pinned=False, locked=True)
    [email] = sent(make_reply, thread, author=moderator)
    assert email.reply_to == []
    assert "In-Reply-To" not in email.extra_headers
    assert REPLY_LINE not in email.body


def test_a_suspended_member_is_offered_no_address(sent, thread, member, other_member):
    Member.objects.filter(pk=member.pk).update(suspended_until=timezone.now() + timedelta(days=3))
    [email] = sent(make_reply, thread, author=other_member)
    assert email.reply_to == []


@pytest.mark.parametrize("kind", [Kind.BALLOT_OPEN, Kind.POST_DECISION])
def test_an_email_not_about_a_post_has_no_reply_address(sent, thread, member, kind):
    # Even when its event names a post, as a moderator's decision on one may.
    event_key = forum.post_event_key(thread.posts.get(number=1).pk)
    [email] = sent(
        services.notify,
        kind=kind,
        recipients=[member.pk],
        actor=None,
        event_key=event_key,
        title="Seed swap",
        url="/p/1/",
    )
    assert email.reply_to == []
    assert "In-Reply-To" not in email.extra_headers
    assert "References" not in email.extra_headers
    assert REPLY_LINE not in email.body
    assert REPLY_LINE not in email.alternatives[0][0]


def test_the_line_about_replying_is_in_the_members_language(sent, thread, member, other_member):
    Member.objects.filter(pk=member.pk).update(language="fr")
    [email] = sent(make_reply, thread, author=other_member)
    with translation.override("fr"):
        line = gettext(REPLY_LINE)
    assert line in email.body
    assert line in email.alternatives[0][0]


# The daily digest


@pytest.fixture
def digest_at_any_hour(settings):
    settings.NOTIFICATIONS_DIGEST_HOUR = 0


def test_each_digest_entry_links_to_its_own_threads_address(
    sent, digest_at_any_hour, category, member, other_member
):
    services.choose_emails(member=member, choices={Kind.REPLY: EmailChoice.DIGEST})
    threads = [make_thread(category=category, author=member, title=f"Seed {n}") for n in (1, 2)]
    for each in threads:
        assert sent(make_reply, each, author=other_member) == []
    [email] = sent(services.queue_daily_digests)
    # One Reply-To cannot serve several threads.
    assert email.reply_to == []
    assert "In-Reply-To" not in email.extra_headers
    html = email.alternatives[0][0]
    expected = {ReplyTarget(member_id=member.pk, thread_id=each.pk) for each in threads}
    for version in (email.body, html):
        targets = mailto_targets(version)
        assert len(targets) == 2 and set(targets) == expected
        assert "subject=Re%3A%20Seed%201" in version
    assert html.count(">Reply by email</a>") == 2
    assert email.body.count("Reply by email: mailto:") == 2


def test_a_digest_entry_not_about_a_post_has_no_reply_link(sent, digest_at_any_hour, member):
    services.choose_emails(member=member, choices={Kind.BALLOT_RESULT: EmailChoice.DIGEST})
    services.notify(
        kind=Kind.BALLOT_RESULT,
        recipients=[member.pk],
        actor=None,
        event_key="ballot:1",
        title="Amendment 3",
        url="/charter/",
    )
    [email] = sent(services.queue_daily_digests)
    assert "mailto:" not in email.body
    assert "mailto:" not in email.alternatives[0][0]


def mailto_targets(text: str) -> list[ReplyTarget | None]:
    links = [part.split()[0].split('"')[0] for part in text.split("mailto:")[1:]]
    return [read_reply_address(unquote(urlsplit(f"mailto:{link}").path)) for link in links]


# Hostile names and titles


def test_a_hostile_title_or_name_injects_no_header(sent, thread, member, other_member):
    Thread.objects.filter(pk=thread.pk).update(title="Seed\r\nBcc: spy@evil.example\r\n\r\nswap")
    Member.objects.filter(pk=other_member.pk).update(
        display_name="Bruno\nBcc: spy@evil.example\rCc: spy@evil.example"
    )
    other_member.refresh_from_db()
    thread.refresh_from_db()
    [email] = sent(make_reply, thread, author=other_member)
    assert email.recipients() == [member.email]
    message = email.message()
    assert message["Bcc"] is None and message["Cc"] is None
    headers, _, _ = message.as_string().partition("\n\n")
    assert "spy@evil.example" in message["Subject"]  # squashed on one line, harmless
    assert not any(line.startswith(("Bcc:", "Cc:")) for line in headers.splitlines())


def test_a_newline_in_a_header_is_refused_not_sent():
    """What the one-line subjects and names rely on, should one ever slip through."""
    email = EmailMultiAlternatives(
        subject="Seed swap\r\nBcc: spy@evil.example", body="Hi", to=["alice@example.org"]
    )
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        email.message()


def test_without_a_reply_domain_emails_offer_no_answer_by_email(
    sent, settings, thread, member, other_member
):
    settings.REPLY_DOMAIN = ""
    [email] = sent(make_reply, thread, author=other_member, source="Tomatoes.")
    assert email.reply_to == []
    assert "In-Reply-To" not in email.extra_headers
    assert REPLY_LINE not in email.body
