"""Mailing-list mode: every post of the categories a member watches comes as its own email,
threaded in their mail client as a mailing list's are, and answerable by email."""

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.conf import settings
from django.core import mail, signing
from django.db import IntegrityError
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from forum import services as forum
from forum.models import Post, Thread, WatchLevel
from incoming import services as incoming
from incoming.addresses import ReplyTarget, read_reply_address, reply_address
from members.models import Member
from notifications import services
from notifications.models import BouncingAddress, EmailChoice, Kind, ListEmail
from notifications.return_paths import Record, Sent, return_path
from tests.builders.forum import CategoryFactory, make_reply, make_thread
from tests.builders.members import MemberFactory
from tests.incoming.mail import reply_to
from tests.live_stack import MailServer
from tests.query_budget import recorded_queries

pytestmark = pytest.mark.django_db

SITE = "forum.example.org"
REPLIES = "mail.example.org"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = f"https://{SITE}"
    settings.REPLY_DOMAIN = REPLIES
    settings.DEFAULT_FROM_EMAIL = f"Palabre <palabre@{SITE}>"


def listening(category, **fields) -> Member:
    """A member in mailing-list mode who watches `category`."""
    member = MemberFactory(mailing_list_mode=True, **fields)
    forum.watch_category(member=member, category=category, level=WatchLevel.WATCHING)
    return member


@pytest.fixture
def carla(category):
    return listening(category, username="carla", display_name="Carla Diaz")


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Runs what is given (its tasks on commit) and returns the emails it sent, composed."""

    def run(action, *args, **kwargs) -> list[EmailMessage]:
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            action(*args, **kwargs)
        return [composed(email) for email in mail.outbox[before:]]

    return run


def composed(email) -> EmailMessage:
    """The email as its recipient's mail server reads it: bytes, parsed again."""
    return message_from_bytes(email.message().as_bytes(), policy=policy.default)


def to(member: Member, emails: list[EmailMessage]) -> list[EmailMessage]:
    return [email for email in emails if email["To"] == member.email]


def list_emails(emails: list[EmailMessage]) -> list[EmailMessage]:
    return [email for email in emails if email["List-Id"]]


def html_of(email: EmailMessage) -> str:
    return email.get_body(preferencelist=("html",)).get_content()


def text_of(email: EmailMessage) -> str:
    return email.get_body(preferencelist=("plain",)).get_content()


def post_id(post: Post) -> str:
    return f"<post-{post.pk}@{SITE}>"


# The email and its headers


def test_a_reply_comes_as_its_own_email_threaded_under_the_thread_and_the_post_before(
    sent, thread, carla, other_member
):
    before = thread.posts.get(number=1)
    emails = sent(make_reply, thread, author=other_member, source="Tomatoes, [see](/p/1/).")
    post = Post.objects.get(thread=thread, number=2)

    [email] = to(carla, emails)
    assert email["Message-ID"] == post_id(post)
    assert email["In-Reply-To"] == post_id(before)
    assert email["References"] == f"<thread-{thread.pk}@{REPLIES}> {post_id(before)}"
    assert email["Subject"] == "Re: [Gardens] Seed swap in spring"
    assert email["From"].addresses[0].display_name == "Bruno Petit"
    assert email["From"].addresses[0].addr_spec == f"palabre@{SITE}"
    assert email["List-Id"] == f'"Gardens" <gardens.{SITE}>'
    assert email["List-Post"] == f"<mailto:new+gardens@{REPLIES}>"
    assert email["List-Unsubscribe"].startswith(f"<https://{SITE}/notifications/stop-list/")
    # As a link in the bytes, not encoded words: clients would not see a link.
    [sent_to_carla] = [each for each in mail.outbox if each.to == [carla.email]]
    raw = sent_to_carla.message().as_bytes()
    assert f"List-Unsubscribe: {email['List-Unsubscribe']}".encode() in raw
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email["Precedence"] == "list"
    assert email["Auto-Submitted"] == "auto-generated"
    assert read_reply_address(email["Reply-To"].addresses[0].addr_spec) == ReplyTarget(
        member_id=carla.pk, thread_id=thread.pk
    )
    assert text_of(email).startswith("Tomatoes, [see](/p/1/).")
    assert f'href="https://{SITE}/p/1/"' in html_of(email)


def test_a_thread_s_first_post_answers_the_thread_itself(sent, category, carla, other_member):
    emails = sent(
        forum.create_thread,
        author=other_member,
        category=category,
        title="Tool library",
        source="Anyone?",
    )
    thread = Thread.objects.get(title="Tool library")

    [email] = to(carla, emails)
    assert email["Subject"] == "[Gardens] Tool library"
    assert email["Message-ID"] == post_id(thread.posts.get(number=1))
    assert email["In-Reply-To"] == email["References"] == f"<thread-{thread.pk}@{REPLIES}>"


def test_without_a_reply_domain_mail_cannot_post_and_threads_by_the_posts(
    sent, settings, thread, carla, other_member
):
    settings.REPLY_DOMAIN = ""
    [email] = to(carla, sent(make_reply, thread, author=other_member))

    before = post_id(thread.posts.get(number=1))
    assert email["List-Post"] == "NO"
    assert email["Reply-To"] is None
    assert email["In-Reply-To"] == email["References"] == before


def test_a_member_who_may_not_reply_is_offered_no_reply_address(
    sent, thread, carla, other_member, moderator
):
    forum.update_thread(thread=thread, title=thread.title, pinned=False, locked=True)
    [email] = to(carla, sent(make_reply, thread, author=moderator))
    assert email["Reply-To"] is None
    assert "Reply to this email" not in text_of(email)


def test_the_email_is_in_the_recipient_s_language(sent, thread, carla, other_member):
    Member.objects.filter(pk=carla.pk).update(language="fr")
    [email] = to(carla, sent(make_reply, thread, author=other_member))
    with translation.override("fr"):
        line = gettext("Reply to this email to answer in the thread.")
    assert line != "Reply to this email to answer in the thread."
    assert line in text_of(email)


# Who gets it


def test_the_author_is_not_sent_their_own_post(sent, thread, carla):
    assert to(carla, sent(make_reply, thread, author=carla)) == []


@pytest.mark.parametrize(
    "who",
    ["not watching", "watching, mode off", "muted the thread", "inactive", "banned", "no address"],
)
def test_only_members_in_the_mode_who_watch_and_may_be_written_to_get_it(
    sent, thread, category, other_member, who
):
    reader = listening(category)
    if who == "not watching":
        forum.watch_category(member=reader, category=category, level=WatchLevel.NORMAL)
    if who == "muted the thread":
        forum.watch_thread(member=reader, thread=thread, level=WatchLevel.MUTED)
    changes = {
        "watching, mode off": {"mailing_list_mode": False},
        "inactive": {"is_active": False},
        "banned": {"banned_at": thread.created_at},
        "no address": {"email": ""},
    }.get(who, {})
    Member.objects.filter(pk=reader.pk).update(**changes)

    emails = sent(make_reply, thread, author=other_member)
    assert to(reader, emails) == [] and list_emails(emails) == []


def test_a_member_who_may_not_read_the_category_gets_nothing(sent, moderator, other_member):
    private = CategoryFactory(name="Moderators", slug="mods", read_restricted=True)
    reader, fellow = listening(private), listening(private, is_moderator=True)
    thread = make_thread(category=private, author=moderator)

    emails = sent(make_reply, thread, author=moderator)
    assert to(reader, emails) == []
    assert len(to(fellow, emails)) == 1


def test_a_post_hidden_before_its_emails_go_is_not_sent(thread, carla, other_member):
    post = make_reply(thread, author=other_member)  # its tasks are not run: no commit
    services.mail_to_list(
        event_key=forum.post_event_key(post.pk), recipients=Member.objects.all(), actor=None
    )
    forum.hold_for_review(post=post)

    services.send_list_emails(event_key=forum.post_event_key(post.pk))
    assert mail.outbox == []
    assert not ListEmail.objects.exists()


# No second email


def test_a_reply_in_a_watched_thread_comes_once_and_stays_under_the_bell(
    sent, thread, carla, other_member
):
    forum.watch_thread(member=carla, thread=thread, level=WatchLevel.WATCHING)
    emails = sent(make_reply, thread, author=other_member)

    [email] = to(carla, emails)
    assert email["List-Id"]
    notification = carla.notifications.get()
    assert (notification.kind, notification.email) == (Kind.REPLY, EmailChoice.NEVER)


def test_a_watcher_not_in_the_mode_still_gets_the_notification_email(
    sent, thread, category, member, carla, other_member
):
    forum.watch_category(member=member, category=category, level=WatchLevel.WATCHING)
    [email] = to(member, sent(make_reply, thread, author=other_member))
    assert email["List-Id"] is None
    assert email["Subject"] == "[Palabre] Bruno Petit replied in “Seed swap in spring”"


def test_a_new_thread_comes_once_even_when_its_email_is_chosen_at_once(
    sent, category, carla, other_member
):
    services.choose_emails(member=carla, choices={Kind.NEW_THREAD: EmailChoice.IMMEDIATELY})
    emails = sent(
        forum.create_thread, author=other_member, category=category, title="Tools", source="Hi"
    )
    [email] = to(carla, emails)
    assert email["List-Id"]
    assert carla.notifications.get().kind == Kind.NEW_THREAD


def test_a_mention_still_comes_as_its_own_notification_email(sent, thread, carla, other_member):
    emails = to(carla, sent(make_reply, thread, author=other_member, source="@carla, seeds?"))
    assert sorted(bool(email["List-Id"]) for email in emails) == [False, True]


# Once


def test_sending_twice_sends_once(sent, thread, carla, other_member):
    emails = sent(make_reply, thread, author=other_member)
    post = Post.objects.get(thread=thread, number=2)

    again = sent(services.send_list_emails, event_key=forum.post_event_key(post.pk))
    assert len(to(carla, emails)) == 1 and again == []
    assert ListEmail.objects.get().sent_at is not None


def test_a_member_is_sent_a_post_once_by_the_database_s_rule(thread, carla):
    ListEmail.objects.create(recipient=carla, event_key="post:1")
    with pytest.raises(IntegrityError):
        ListEmail.objects.create(recipient=carla, event_key="post:1")


def test_the_sending_s_queries_do_not_grow_with_its_recipients(thread, category, other_member):
    def queries_to_send_to(count: int) -> int:
        readers = [listening(category) for _ in range(count)]
        post = make_reply(thread, author=other_member)
        key = forum.post_event_key(post.pk)
        services.mail_to_list(
            event_key=key,
            recipients=Member.objects.filter(pk__in=[r.pk for r in readers]),
            actor=None,
        )
        with recorded_queries() as queries:
            services.send_list_emails(event_key=key)
        assert ListEmail.objects.filter(event_key=key, sent_at__isnull=False).count() == count
        return len(queries)

    assert queries_to_send_to(2) == queries_to_send_to(20)


def stop_emails_to(member: Member) -> None:
    """As after EMAIL_BOUNCE_LIMIT hard bounces (tests/incoming/test_bounces.py)."""
    BouncingAddress.objects.create(
        member=member, address=member.email, count=settings.EMAIL_BOUNCE_LIMIT
    )


def test_an_address_stopped_for_bouncing_is_sent_nothing(
    sent, thread, carla, category, other_member
):
    dana = listening(category)
    stop_emails_to(dana)

    emails = sent(make_reply, thread, author=other_member)

    assert to(dana, emails) == [] and len(to(carla, emails)) == 1
    # Settled unsent, as for a member who left: nothing of it stays to send.
    assert list(ListEmail.objects.values_list("recipient", flat=True)) == [carla.pk]


def test_stopped_addresses_add_no_query_to_a_batch(thread, category, other_member):
    def queries_to_send_to(count: int, *, stopped: int) -> int:
        readers = [listening(category) for _ in range(count)]
        for reader in readers[:stopped]:
            stop_emails_to(reader)
        post = make_reply(thread, author=other_member)
        key = forum.post_event_key(post.pk)
        services.mail_to_list(
            event_key=key,
            recipients=Member.objects.filter(pk__in=[r.pk for r in readers]),
            actor=None,
        )
        with recorded_queries() as queries:
            services.send_list_emails(event_key=key)
        assert ListEmail.objects.filter(event_key=key).count() == count - stopped
        return len(queries)

    assert queries_to_send_to(2, stopped=1) == queries_to_send_to(20, stopped=10)


def test_the_sweep_sends_what_a_lost_task_left(
    thread, carla, other_member, django_capture_on_commit_callbacks
):
    post = make_reply(thread, author=other_member)  # committed, but its tasks never ran
    services.mail_to_list(
        event_key=forum.post_event_key(post.pk), recipients=Member.objects.all(), actor=None
    )
    later = timezone.now() + timedelta(minutes=5)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.queue_unsent_list_emails(now=later) == 1
    assert [email.to for email in mail.outbox] == [[carla.email]]
    assert services.queue_unsent_list_emails(now=later) == 0


class Refusing(MailServer):
    """A real SMTP server that refuses one recipient for now (451), as a full mailbox's does."""

    refused = ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "451 try again later"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.fixture
def smtp(settings):
    server = Refusing()
    server.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port},
        }
    }
    yield server
    server.stop()


def test_the_envelope_sender_is_the_email_s_own_return_path(smtp, thread, carla, other_member):
    post = make_reply(thread, author=other_member)  # its tasks are not run: no commit
    key = forum.post_event_key(post.pk)
    services.mail_to_list(event_key=key, recipients=Member.objects.all(), actor=None)

    services.send_list_emails(event_key=key)

    sent = Sent(Record.LIST_EMAIL, ListEmail.objects.get(recipient=carla).pk)
    assert smtp.senders == [(carla.email, return_path(sent, address=carla.email))]
    [(_, email)] = smtp.received
    assert str(email["From"]) == f"Bruno Petit <palabre@{SITE}>"


def test_an_email_the_mail_server_refuses_is_sent_again_once_due(
    smtp, thread, category, carla, other_member
):
    dana = listening(category)
    smtp.refused = dana.email
    post = make_reply(thread, author=other_member)  # its tasks are not run: no commit
    key = forum.post_event_key(post.pk)
    services.mail_to_list(event_key=key, recipients=Member.objects.all(), actor=None)

    assert services.send_list_emails(event_key=key) is not None  # a retry is due later
    assert services.send_list_emails(event_key=key) is None  # and not before
    assert smtp.recipients() == [carla.email]
    assert "451" in ListEmail.objects.get(recipient=dana).last_error

    smtp.refused = ""
    ListEmail.objects.filter(recipient=dana).update(claimed_until=timezone.now())  # now due
    assert services.send_list_emails(event_key=key) is None
    assert smtp.recipients() == [carla.email, dana.email]


# Leaving


def test_one_click_turns_the_mode_off_without_cookie_or_csrf_token(
    sent, thread, carla, other_member
):
    [email] = to(carla, sent(make_reply, thread, author=other_member))
    url = email["List-Unsubscribe"].strip("<>").removeprefix(f"https://{SITE}")

    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    carla.refresh_from_db()
    assert carla.mailing_list_mode is False
    assert carla.category_subscriptions.get().level == WatchLevel.WATCHING


def test_the_unsubscribe_link_asks_before_turning_anything_off(visitor_client, sent, thread, carla):
    [email] = to(carla, sent(make_reply, thread))
    url = email["List-Unsubscribe"].strip("<>").removeprefix(f"https://{SITE}")

    assert visitor_client.get(url).status_code == 200
    carla.refresh_from_db()
    assert carla.mailing_list_mode is True


def test_an_unsubscribe_link_for_another_member_cannot_be_forged(
    visitor_client, sent, thread, carla
):
    [email] = to(carla, sent(make_reply, thread))
    url = email["List-Unsubscribe"].strip("<>").removeprefix(f"https://{SITE}")
    token = url.rstrip("/").rsplit("/", 1)[1]
    # Another member's id (the thread's author), with carla's signature.
    payload = token.split(":", 1)[0]
    forged = url.replace(payload, signing.b64_encode(str(thread.author_id).encode()).decode())

    Member.objects.filter(pk=thread.author_id).update(mailing_list_mode=True)
    assert visitor_client.post(forged).status_code == 404
    assert Member.objects.get(pk=thread.author_id).mailing_list_mode is True


def test_the_mode_is_chosen_with_the_email_choices(member_client, member):
    page = member_client.get("/notifications/settings/").content.decode()
    assert "Mailing-list mode: every post in the categories I watch, as its own email" in page

    member_client.post("/notifications/settings/", {"mailing_list_mode": "on"} | _defaults(member))
    member.refresh_from_db()
    assert member.mailing_list_mode is True


def _defaults(member: Member) -> dict[str, str]:
    from notifications import selectors

    return {kind.value: choice.value for kind, choice in selectors.email_choices(member).items()}


# Hostile names


def test_names_and_titles_cannot_add_headers(sent, category, carla):
    hostile = 'Eve "x", <script>1</script>\r\nBcc: victim@example.org'
    author = MemberFactory()
    Member.objects.filter(pk=author.pk).update(display_name=hostile)
    thread = make_thread(category=category, author=author)
    Thread.objects.filter(pk=thread.pk).update(title="Seeds\r\nBcc: victim@example.org")
    author.refresh_from_db()

    [email] = to(carla, sent(make_reply, thread, author=author))
    assert email["Bcc"] is None
    assert "victim@example.org" not in email.get_all("To")[0]
    [sender] = email["From"].addresses
    assert sender.display_name == " ".join(hostile.split())
    assert sender.addr_spec == f"palabre@{SITE}"
    assert email["Subject"] == "Re: [Gardens] Seeds Bcc: victim@example.org"


def test_a_category_name_of_any_letters_names_the_list(sent, other_member):
    category = CategoryFactory(name='Jardins partagés, "communs"', slug="jardins")
    reader = listening(category)
    thread = make_thread(category=category, author=other_member)

    [email] = to(reader, sent(make_reply, thread, author=other_member))
    assert email["List-Id"] == f'Jardins partagés, "communs" <jardins.{SITE}>'


# Answering


def test_answering_the_email_posts_in_its_thread(sent, thread, carla, other_member):
    [email] = to(carla, sent(make_reply, thread, author=other_member))
    address = email["Reply-To"].addresses[0].addr_spec
    assert address == reply_address(member_id=carla.pk, thread_id=thread.pk)

    sent(
        incoming.receive,
        reply_to(thread, carla, "Count me in."),
        sender=carla.email,
        recipients=[address],
    )
    answer = Post.objects.get(thread=thread, number=3)
    assert (answer.author, answer.source) == (carla, "Count me in.")
