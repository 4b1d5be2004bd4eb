"""The bell, the list of notifications, email choices and the login-free links of emails."""

import re

import pytest
from django.core import signing
from django.test import Client

from forum import services as forum
from forum.models import Post, Thread, WatchLevel
from members.models import Member
from notifications import services
from notifications.models import (
    DEFAULT_EMAIL,
    IN_APP_ONLY,
    MODERATOR_KINDS,
    BouncingAddress,
    EmailChoice,
    Kind,
    Notification,
    Preference,
)
from notifications.selectors import email_choices
from notifications.stop_links import DIGEST, stop_emails_token
from tests.builders.forum import make_reply, make_thread

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# What a mail client sends for RFC 8058's one-click unsubscribe: no cookie, no CSRF token.
ONE_CLICK = {
    "data": "List-Unsubscribe=One-Click",
    "content_type": "application/x-www-form-urlencoded",
}


def announced_reply(thread: Thread, *, author: Member, source: str = "A reply.") -> Post:
    """A reply, and its announcement to the thread's watchers as the worker would run it."""
    post = make_reply(thread, author=author, source=source)
    forum.announce_post(post_id=post.pk)
    return post


def tell(member: Member, *, event: str, title: str = "Seed swap") -> None:
    services.notify(
        kind=Kind.MENTION,
        recipients=[member.pk],
        actor=None,
        event_key=event,
        title=title,
        url="/p/1/",
    )


def entries_in(page: str) -> int:
    return page.count('<li class="notification')


def bell_count(page: str) -> str | None:
    """What the bell shows, or None when it shows no count."""
    found = re.search(r'<span class="[^"]*\bbell__count\b[^"]*"[^>]*>([^<]*)</span>', page)
    return found.group(1) if found else None


def checked(page: str) -> dict[str, str]:
    """The email choice ticked for each kind on the email choices page."""
    radios = re.findall(r"<input [^>]*>", page)
    return {
        re.search(r'name="([^"]+)"', radio).group(1): re.search(r'value="([^"]+)"', radio).group(1)
        for radio in radios
        if 'type="radio"' in radio and " checked" in radio
    }


def unread(member: Member) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


# The bell


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/c/gardens/",
        "/m/bruno/",
        "/search/?q=x",
        "/notifications/",
        "/notifications/settings/",
    ],
)
def test_the_bell_shows_a_members_unread_count_on_every_page(
    member_client, thread, other_member, url
):
    announced_reply(thread, author=other_member)
    announced_reply(thread, author=other_member)
    assert bell_count(member_client.get(url).text) == "2"


def test_visitors_have_no_bell(visitor_client, thread, other_member):
    announced_reply(thread, author=other_member)
    assert 'id="bell"' not in visitor_client.get("/").text


def test_the_bell_shows_no_count_when_everything_is_read(member_client, member):
    page = member_client.get("/").text
    assert 'id="bell"' in page and bell_count(page) is None


@pytest.mark.parametrize(("unread_count", "shown"), [(99, "99"), (100, "99+"), (130, "99+")])
def test_the_bell_says_99_plus_beyond_99(member_client, member, unread_count, shown):
    for n in range(unread_count):
        tell(member, event=f"post:{n}")
    assert bell_count(member_client.get("/").text) == shown


def test_beyond_99_screen_readers_are_not_told_a_wrong_number(member_client, member):
    for n in range(130):
        tell(member, event=f"post:{n}")
    page = member_client.get("/").text
    # The count stops at 100 (BELL_CAP + 1): "100 unread notifications" would be untrue.
    assert "100 unread notifications" not in page


def test_the_bell_endpoint_returns_the_bell_alone_for_htmx(member_client, member):
    tell(member, event="post:1")
    response = member_client.get("/notifications/bell/", **HTMX)
    assert response.status_code == 200
    assert response.text.startswith('<a id="bell"') and "<html" not in response.text
    assert bell_count(response.text) == "1"
    assert 'hx-get="/notifications/bell/"' in response.text


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/notifications/"),
        ("get", "/notifications/bell/"),
        ("post", "/notifications/1/open/"),
        ("post", "/notifications/1/read/"),
        ("post", "/notifications/read/"),
        ("get", "/notifications/settings/"),
        ("post", "/notifications/settings/"),
    ],
)
def test_visitors_are_sent_to_sign_in_for_every_notifications_page(visitor_client, method, url):
    response = getattr(visitor_client, method)(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# The list


def test_the_list_shows_the_newest_first(member_client, member):
    for title in ("First news", "Second news", "Third news"):
        tell(member, event=title, title=title)
    page = member_client.get("/notifications/").text
    positions = [page.index(title) for title in ("Third news", "Second news", "First news")]
    assert positions == sorted(positions)


def test_replies_in_one_thread_make_one_entry_and_a_mention_its_own(
    member_client, thread, other_member, moderator
):
    for _ in range(3):
        announced_reply(thread, author=other_member)
    announced_reply(thread, author=moderator, source="What do you think, @alice?")
    page = member_client.get("/notifications/").text
    assert entries_in(page) == 2
    mention = page.index("Noor Haddad mentioned you in “Seed swap in spring”")
    replies = page.index("Bruno Petit replied in “Seed swap in spring”")
    assert mention < replies
    assert "and 2 more in this thread" in page and "3 unread" in page


def test_a_member_with_nothing_yet_is_told_what_will_appear(member_client):
    page = member_client.get("/notifications/").text
    assert "Nothing yet." in page and entries_in(page) == 0


def test_older_entries_are_on_the_next_page(member_client, member):
    for n in range(35):
        tell(member, event=f"post:{n}")
    first, second = (
        member_client.get("/notifications/"),
        member_client.get("/notifications/?page=2"),
    )
    assert entries_in(first.text) == 30 and "Page 1 of 2" in first.text
    assert entries_in(second.text) == 5 and "Page 2 of 2" in second.text


@pytest.mark.parametrize("page", ["abc", "-3", "0", "1e9", "99999999999999999999", ""])
def test_odd_page_numbers_never_fail(member_client, member, page):
    tell(member, event="post:1")
    response = member_client.get(f"/notifications/?page={page}")
    assert response.status_code == 200 and entries_in(response.text) == 1


def test_titles_and_names_in_the_list_come_out_inert(member_client, category, other_member):
    Member.objects.filter(pk=other_member.pk).update(display_name="<b>Bruno</b>")
    other_member.refresh_from_db()
    thread = make_thread(
        category=category, author=other_member, title="<script>window.pwned=1</script>"
    )
    make_reply(thread, author=other_member, source="@alice look")
    page = member_client.get("/notifications/").text
    assert "<script>window.pwned" not in page and "<b>Bruno</b>" not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page


def test_a_notification_from_a_deleted_account_reads_someone(member_client, thread, other_member):
    announced_reply(thread, author=other_member)
    other_member.delete()
    page = member_client.get("/notifications/").text
    assert "Someone replied in “Seed swap in spring”" in page


# Opening and reading


def test_opening_an_entry_leads_to_its_first_unread_post_and_reads_the_whole_group(
    member_client, member, thread, other_member, moderator
):
    first = announced_reply(thread, author=other_member)
    announced_reply(thread, author=other_member)
    announced_reply(thread, author=moderator, source="@alice, a word")
    latest = Notification.objects.filter(recipient=member, kind=Kind.REPLY).latest("pk")
    response = member_client.post(f"/notifications/{latest.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/p/{first.pk}/"
    assert unread(member) == 1
    assert Notification.objects.get(kind=Kind.MENTION).read_at is None


def test_reading_views_refuse_get(member_client, member):
    tell(member, event="post:1")
    notification = Notification.objects.get()
    assert member_client.get(f"/notifications/{notification.pk}/open/").status_code == 405
    assert member_client.get(f"/notifications/{notification.pk}/read/").status_code == 405
    assert member_client.get("/notifications/read/").status_code == 405
    assert unread(member) == 1


def test_a_member_cannot_open_or_read_another_members_notification(member_client, other_member):
    tell(other_member, event="post:1")
    theirs = Notification.objects.get()
    assert member_client.post(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert member_client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert member_client.post(f"/notifications/{theirs.pk}/read/", **HTMX).status_code == 404
    assert member_client.post("/notifications/424242/open/").status_code == 404
    assert unread(other_member) == 1


def test_mark_as_read_without_javascript_returns_to_the_list(
    member_client, member, thread, other_member
):
    announced_reply(thread, author=other_member)
    announced_reply(thread, author=other_member)
    latest = Notification.objects.latest("pk")
    response = member_client.post(f"/notifications/{latest.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert unread(member) == 0


def test_mark_as_read_with_htmx_returns_the_entry_and_the_bell_out_of_band(
    member_client, member, thread, other_member
):
    announced_reply(thread, author=other_member)
    announced_reply(thread, author=other_member)
    tell(member, event="elsewhere")
    reply = Notification.objects.filter(kind=Kind.REPLY).latest("pk")
    response = member_client.post(f"/notifications/{reply.pk}/read/", **HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert f'<li class="notification" id="notification-{reply.pk}">' in response.text
    assert "and 1 more in this thread" in response.text and "Mark as read" not in response.text
    assert 'hx-swap-oob="true"' in response.text and bell_count(response.text) == "1"
    assert unread(member) == 1


def test_mark_all_as_read(member_client, member, thread, other_member):
    announced_reply(thread, author=other_member)
    tell(member, event="elsewhere")
    response = member_client.post("/notifications/read/", follow=True)
    assert response.redirect_chain == [("/notifications/", 302)]
    assert "All your notifications are marked as read." in response.text
    assert bell_count(response.text) is None and "notification--unread" not in response.text
    assert unread(member) == 0


def test_reading_the_thread_reads_the_notifications_about_the_posts_shown(
    member_client, member, thread, other_member, moderator
):
    announced_reply(thread, author=moderator, source="@alice, what do you say?")
    announced_reply(thread, author=other_member)
    reply = Notification.objects.get(recipient=member, kind=Kind.REPLY)
    response = member_client.post(f"/notifications/{reply.pk}/open/", follow=True)
    assert response.request["PATH_INFO"] == f"/t/{thread.pk}/"
    assert unread(member) == 0  # the mention of post 2 as well: it was on the page
    assert bell_count(member_client.get("/").text) is None


def test_replying_reads_the_notifications_about_the_posts_shown_above_the_reply(
    member_client, member, thread, other_member
):
    """Alice writes her reply while Bruno posts his: after hers, the page shows both."""
    member_client.get(f"/t/{thread.pk}/")
    announced_reply(thread, author=other_member, source="Meanwhile, a tip.")
    response = member_client.post(f"/t/{thread.pk}/reply/", {"source": "My answer."}, follow=True)
    assert response.request["PATH_INFO"] == f"/t/{thread.pk}/"
    assert "Meanwhile, a tip." in response.text
    assert unread(member) == 0


# Who hears of what (the rules themselves are tested in test_services.py)


def test_a_member_is_never_notified_of_their_own_posts(
    member_client, member, thread, django_capture_on_commit_callbacks
):
    first = thread.posts.get()
    source = f"> **alice** [wrote](/p/{first.pk}/):\n> The opening post.\n\nSays @alice."
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(f"/t/{thread.pk}/reply/", {"source": source})
    assert thread.posts.count() == 2
    assert "Nothing yet." in member_client.get("/notifications/").text


def test_a_muted_thread_notifies_nothing(
    member_client, other_client, member, thread, django_capture_on_commit_callbacks
):
    member_client.post(f"/t/{thread.pk}/watch/", {"level": "muted"})
    with django_capture_on_commit_callbacks(execute=True):
        other_client.post(f"/t/{thread.pk}/reply/", {"source": "Over to you, @alice"})
    assert thread.posts.count() == 2
    assert "Nothing yet." in member_client.get("/notifications/").text


# Email choices


def test_the_email_choices_page_shows_the_defaults(member_client):
    response = member_client.get("/notifications/settings/")
    assert response.status_code == 200
    assert checked(response.text) == {
        kind.value: email
        for kind, email in DEFAULT_EMAIL.items()
        if kind not in MODERATOR_KINDS | IN_APP_ONLY
    }
    assert checked(response.text)["reply"] == "immediately"
    assert checked(response.text)["new_thread"] == "digest"


def test_only_moderators_choose_how_they_hear_of_cases_and_appeals(member_client, moderator_client):
    assert "new_case" not in checked(member_client.get("/notifications/settings/").text)
    offered = checked(moderator_client.get("/notifications/settings/").text)
    assert offered["new_case"] == offered["new_appeal"] == "digest"


def test_saving_email_choices_keeps_them(member_client, member):
    choices = {kind.value: "never" for kind in Kind if kind not in MODERATOR_KINDS | IN_APP_ONLY}
    choices |= {"mention": "immediately", "quote": "digest"}
    response = member_client.post("/notifications/settings/", choices, follow=True)
    assert response.redirect_chain == [("/notifications/settings/", 302)]
    assert "Your email choices are saved." in response.text
    assert dict(member.notification_preferences.values_list("kind", "email")) == choices
    assert checked(member_client.get("/notifications/settings/").text) == choices


def test_an_invalid_email_choice_is_shown_and_nothing_is_saved(member_client):
    choices = {"reply": "sometimes", "mention": "never", "quote": "never", "new_thread": "never"}
    response = member_client.post("/notifications/settings/", choices)
    assert response.status_code == 200
    assert "Select a valid choice. sometimes is not one of the available choices." in response.text
    assert not Preference.objects.exists()


# The stop-emails link of every email


def test_a_stop_emails_link_asks_before_stopping_anything(visitor_client, member):
    token = stop_emails_token(member_id=member.pk, kind=Kind.MENTION)
    response = visitor_client.get(f"/notifications/stop/{token}/")
    assert response.status_code == 200
    assert "Stop these emails?" in response.text and "Mentions of me" in response.text
    assert not Preference.objects.exists()


def test_a_stop_emails_link_works_in_one_click_without_cookie_or_csrf_token(member):
    token = stop_emails_token(member_id=member.pk, kind=Kind.MENTION)
    response = Client(enforce_csrf_checks=True).post(f"/notifications/stop/{token}/", **ONE_CLICK)
    assert response.status_code == 200 and "Done" in response.text
    assert email_choices(member) == DEFAULT_EMAIL | {Kind.MENTION: EmailChoice.NEVER}


def test_the_digest_link_stops_every_kind_sent_in_the_digest(member):
    services.choose_emails(member=member, choices={Kind.QUOTE: EmailChoice.DIGEST})
    token = stop_emails_token(member_id=member.pk, kind=DIGEST)
    response = Client(enforce_csrf_checks=True).post(f"/notifications/stop/{token}/", **ONE_CLICK)
    assert "Quotes of my posts" in response.text
    assert "New threads in categories I watch" in response.text
    digested = {
        kind: EmailChoice.NEVER for kind, email in DEFAULT_EMAIL.items() if email == "digest"
    }
    assert email_choices(member) == DEFAULT_EMAIL | digested | {Kind.QUOTE: EmailChoice.NEVER}


def _stop_mentions(member: Member) -> str:
    return stop_emails_token(member_id=member.pk, kind=Kind.MENTION)


BROKEN_STOP_EMAILS_LINKS = {
    "cut short by a mail program": lambda member: _stop_mentions(member)[:-6],
    "tampered": lambda member: _stop_mentions(member).replace(":", ":x", 1),
    "not a token at all": lambda member: "hello",
    "a stop-watching token": lambda member: forum.stop_watching_token(
        member_id=member.pk, thread_id=1
    ),
    "a kind that does not exist": lambda member: stop_emails_token(
        member_id=member.pk, kind="gossip"
    ),
    "nobody": lambda member: stop_emails_token(member_id=424242, kind=Kind.MENTION),
    "a member id that is no number": lambda member: stop_emails_token(
        member_id="x", kind=Kind.MENTION
    ),
    "not a pair": lambda member: signing.dumps(7, salt="notifications.stop-emails"),
}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("case", BROKEN_STOP_EMAILS_LINKS)
def test_a_broken_stop_emails_link_is_a_clear_404(visitor_client, member, case, method):
    token = BROKEN_STOP_EMAILS_LINKS[case](member)
    response = getattr(visitor_client, method)(f"/notifications/stop/{token}/")
    assert response.status_code == 404
    assert "This link does not work" in response.text
    assert not Preference.objects.exists()


def test_a_stop_emails_link_of_a_closed_account_is_a_404(visitor_client, member):
    token = stop_emails_token(member_id=member.pk, kind=Kind.MENTION)
    Member.objects.filter(pk=member.pk).update(is_active=False)
    response = visitor_client.post(f"/notifications/stop/{token}/", **ONE_CLICK)
    assert response.status_code == 404 and "This link does not work" in response.text


# The stop-watching link of reply emails


def test_a_stop_watching_link_asks_before_stopping(visitor_client, member, thread):
    token = forum.stop_watching_token(member_id=member.pk, thread_id=thread.pk)
    response = visitor_client.get(f"/stop-watching/{token}/")
    assert response.status_code == 200 and "Stop watching this thread?" in response.text
    assert thread.subscriptions.get(member=member).level == WatchLevel.WATCHING


def test_stop_watching_in_one_click_ends_reply_notifications_but_not_mentions(
    member, thread, other_member
):
    token = forum.stop_watching_token(member_id=member.pk, thread_id=thread.pk)
    response = Client(enforce_csrf_checks=True).post(f"/stop-watching/{token}/", **ONE_CLICK)
    assert response.status_code == 200
    assert "you no longer watch “Seed swap in spring”" in response.text
    assert thread.subscriptions.get(member=member).level == WatchLevel.NORMAL
    announced_reply(thread, author=other_member)
    assert not Notification.objects.exists()
    announced_reply(thread, author=other_member, source="Still there, @alice?")
    assert Notification.objects.get().kind == Kind.MENTION


def test_a_stop_watching_link_never_unmutes_a_muted_thread(member, thread, other_member):
    """An older email's link, clicked after muting, must not bring mentions back."""
    token = forum.stop_watching_token(member_id=member.pk, thread_id=thread.pk)
    forum.watch_thread(member=member, thread=thread, level=WatchLevel.MUTED)
    Client(enforce_csrf_checks=True).post(f"/stop-watching/{token}/", **ONE_CLICK)
    announced_reply(thread, author=other_member, source="Still there, @alice?")
    assert thread.subscriptions.get(member=member).level == WatchLevel.MUTED
    assert not Notification.objects.filter(recipient=member).exists()


def _stop_watching(member: Member, thread: Thread) -> str:
    return forum.stop_watching_token(member_id=member.pk, thread_id=thread.pk)


BROKEN_STOP_WATCHING_LINKS = {
    "cut short by a mail program": lambda member, thread: _stop_watching(member, thread)[:-4],
    "not a token at all": lambda member, thread: "hello",
    "a stop-emails token": lambda member, thread: stop_emails_token(
        member_id=member.pk, kind=Kind.REPLY
    ),
    "no such thread": lambda member, thread: forum.stop_watching_token(
        member_id=member.pk, thread_id=424242
    ),
    "nobody": lambda member, thread: forum.stop_watching_token(
        member_id=424242, thread_id=thread.pk
    ),
}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("case", BROKEN_STOP_WATCHING_LINKS)
def test_a_broken_stop_watching_link_is_a_clear_404(visitor_client, member, thread, case, method):
    token = BROKEN_STOP_WATCHING_LINKS[case](member, thread)
    response = getattr(visitor_client, method)(f"/stop-watching/{token}/")
    assert response.status_code == 404
    assert "This link does not work" in response.text
    assert thread.subscriptions.get(member=member).level == WatchLevel.WATCHING


def test_a_signed_out_page_stops_polling_the_bell(visitor_client):
    """286 is htmx's "stop polling": no sign-in page is swapped into the header."""
    response = visitor_client.get("/notifications/bell/", **HTMX)
    assert response.status_code == 286
    assert response.content == b""


@pytest.mark.parametrize("page", ["/accounts/email/", "/notifications/settings/"])
def test_the_account_pages_say_emails_stopped_and_offer_to_resume(member_client, member, page):
    BouncingAddress.objects.create(member=member, address=member.email, count=3)

    text = member_client.get(page).text

    assert "Emails to alice@example.org stopped after 3 bounces" in text
    assert "My address works again" in text


def test_below_the_limit_the_account_pages_say_nothing_of_bounces(member_client, member):
    BouncingAddress.objects.create(member=member, address=member.email, count=2)
    assert "My address works again" not in member_client.get("/accounts/email/").text


def test_my_address_works_again_resumes_emails_and_goes_back(member_client, member):
    BouncingAddress.objects.create(member=member, address=member.email, count=3)

    response = member_client.post(
        "/notifications/resume/", {"next": "/accounts/email/"}, follow=True
    )

    assert response.redirect_chain == [("/accounts/email/", 302)]
    assert "Emails to your address resume." in response.text
    assert "My address works again" not in response.text
    assert not BouncingAddress.objects.exists()


def test_emails_to_my_address_that_bounce_are_no_choice_on_the_email_choices_page(member_client):
    assert "email_bouncing" not in checked(member_client.get("/notifications/settings/").text)
