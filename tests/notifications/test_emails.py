"""The emails: multipart, in the recipient's language, with working unsubscribe headers."""

from email import policy

import pytest
from django.core import mail

from forum import services as forum
from members.models import Member
from tests.builders.forum import make_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply_email(thread, member, other_member, django_capture_on_commit_callbacks):
    """Bruno replies in Alice's thread; Alice, who watches it, gets one email."""
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(thread, author=other_member, source="Tomatoes *and* beans.")
    [email] = mail.outbox
    return email


def test_a_reply_email_is_multipart_text_and_html(reply_email, member, thread):
    assert reply_email.to == [member.email]
    assert reply_email.subject == f"[Palabre] Bruno Petit replied in “{thread.title}”"
    assert "Tomatoes *and* beans." in reply_email.body
    [(html, mimetype)] = reply_email.alternatives
    assert mimetype == "text/html"
    assert "<blockquote" in html and "Tomatoes *and* beans." in html


def test_links_in_emails_are_absolute_and_lead_to_the_post(reply_email, thread):
    post = thread.posts.get(number=2)
    assert f"http://testserver/p/{post.pk}/" in reply_email.body


def test_a_reply_email_unsubscribes_from_the_thread_in_one_click(
    reply_email, client, member, thread, other_member
):
    header = reply_email.extra_headers["List-Unsubscribe"]
    assert reply_email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>").removeprefix("http://testserver")
    assert url.startswith("/stop-watching/")
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert thread.subscriptions.get(member=member).level == "normal"


@pytest.mark.parametrize("sending", [policy.default, policy.SMTP], ids=["default", "smtp"])
def test_the_unsubscribe_link_goes_out_as_a_link_however_long(reply_email, settings, sending):
    # Folded at 78 characters, Python would write the long signed link as encoded words.
    header = reply_email.extra_headers["List-Unsubscribe"]
    assert len(f"List-Unsubscribe: {header}") > 78
    raw = reply_email.message(policy=sending).as_bytes()
    assert f"List-Unsubscribe: {header}".encode() in raw


def test_a_mention_email_stops_mention_emails_in_one_click(
    thread, member, other_member, client, django_capture_on_commit_callbacks
):
    forum.watch_thread(member=member, thread=thread, level="normal")
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(thread, author=other_member, source="@alice, look.")
    [email] = mail.outbox
    url = email.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://testserver")
    assert url.startswith("/notifications/stop/")
    client.post(url, {"List-Unsubscribe": "One-Click"})
    assert member.notification_preferences.get(kind="mention").email == "never"


def test_emails_are_written_in_the_recipients_language(
    thread, member, other_member, django_capture_on_commit_callbacks
):
    Member.objects.filter(pk=member.pk).update(language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(thread, author=other_member, source="Des tomates.")
    [email] = mail.outbox
    assert email.subject == f"[Palabre] Bruno Petit a répondu dans « {thread.title} »"
    assert "Arrêter de suivre ce fil" in email.body


def test_every_email_has_a_stable_message_id_per_delivery(reply_email):
    assert reply_email.extra_headers["Message-ID"].startswith("<delivery-")
    assert reply_email.extra_headers["Auto-Submitted"] == "auto-generated"


def test_a_title_or_name_over_several_lines_reaches_an_email_on_one_line(
    thread, member, other_member, django_capture_on_commit_callbacks
):
    # As written before names and titles were kept on one line.
    type(thread).objects.filter(pk=thread.pk).update(title="Seed swap\nin\u2028spring")
    Member.objects.filter(pk=other_member.pk).update(display_name="Bruno\r\nPetit")
    other_member.refresh_from_db()
    thread.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(thread, author=other_member, source="Tomatoes.")
    [email] = mail.outbox
    one_line = "Bruno Petit replied in “Seed swap in spring”"
    assert email.subject == f"[Palabre] {one_line}"
    assert email.body.splitlines()[0] == one_line
    assert one_line in email.alternatives[0][0]
