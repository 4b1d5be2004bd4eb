"""The journey that must always work, in a real browser: join, start a thread, get a quoted reply,
and see the bell count it and lead to it.

The live server runs in this process, so the emails it sends land in pytest-django's locmem
outbox (``mailoutbox``), the database can be checked directly after each step, and a change to
``settings`` (the bell's poll interval) is seen by the server. Tasks queued on commit run in
this process too (Celery's eager mode), so a reply notifies its watchers before it is answered.
"""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from forum.models import Post, Quote
from notifications.models import Notification
from tests.browser.steps import (
    is_the_remembered_page,
    remember_this_page,
    reply_in,
    sign_in,
    start_thread,
)
from tests.builders.forum import CategoryFactory, make_reply, make_thread
from tests.builders.members import MemberFactory

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+")


def test_join_start_a_thread_and_read_a_quoted_reply(new_page, mailoutbox):
    category = CategoryFactory(name="Allotments", slug="allotments")
    MemberFactory(username="bruno", display_name="Bruno Petit")

    # A visitor joins...
    claire = new_page()
    claire.goto("/accounts/signup/")
    claire.locator("input[name=email]").fill("claire@example.org")
    claire.locator("input[name=username]").fill("claire")
    claire.locator("input[name=password1]").fill("a-long-unusual-passphrase")
    claire.locator("input[name=password2]").fill("a-long-unusual-passphrase")
    claire.locator("form").get_by_role("button", name="Create my account").click()
    expect(claire).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    # ...and confirms her address through the link in the verification email.
    assert len(mailoutbox) == 1, [message.subject for message in mailoutbox]
    email = mailoutbox[0]
    assert email.to == ["claire@example.org"]
    link = CONFIRM_LINK.search(email.body)
    assert link, f"no confirmation link in:\n{email.body}"
    claire.goto(urlsplit(link.group()).path)
    claire.get_by_role("button", name=re.compile("confirm", re.I)).click()
    # Confirming signs her in (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION) and leads her to the charter;
    # this site has none yet, so there is nothing to accept and she goes on to the forum.
    expect(claire.locator(".site-nav__me")).to_have_text("claire")
    expect(claire.get_by_role("heading", name="No charter yet")).to_be_visible()
    claire.get_by_role("button", name="Go on to the forum").click()

    # She starts a thread from the category page.
    thread = start_thread(
        claire, category, "Sharing the rainwater tanks", "Who wants to share the **new tanks**?"
    )
    assert thread.author.username == "claire"

    # Another member quotes her opening post in a reply (HTMX adds the quote to the editor).
    bruno = new_page()
    sign_in(bruno, "bruno")
    bruno.goto(thread.get_absolute_url())
    bruno.locator("#post-1").get_by_role("link", name="Quote").click()
    source = bruno.locator("#id_source")
    expect(source).to_have_value(re.compile(r"wrote\]\(/p/\d+/\)"))
    expect(source).to_have_value(re.compile(r"new tanks"))
    assert "/reply/" not in bruno.url, "the quote should come in place, without leaving the page"
    source.focus()
    bruno.keyboard.press("Control+End")
    bruno.keyboard.type("Count me in, I have a spare pump.")
    bruno.get_by_role("button", name="Post reply").click()
    expect(bruno).to_have_url(re.compile(r"/t/\d+/#post-2$"))

    posts = list(Post.objects.filter(thread=thread).order_by("number"))
    assert [post.number for post in posts] == [1, 2]
    first, reply = posts
    assert reply.author.username == "bruno"
    assert "Count me in, I have a spare pump." in reply.source
    assert Quote.objects.filter(post=reply, quoted_post=first).exists()

    # Back to Claire: the category shows one unread post, and the thread opens on it.
    claire.goto(category.get_absolute_url())
    row = claire.locator(".thread-row", has_text="Sharing the rainwater tanks")
    expect(row.locator(".unread")).to_have_text("1 unread")
    row.get_by_role("link", name="Sharing the rainwater tanks").click()
    expect(claire).to_have_url(re.compile(r"/t/\d+/#post-2$"))
    quoted = claire.locator("#post-2 blockquote")
    expect(quoted).to_be_visible()
    expect(quoted).to_contain_text("new tanks")
    expect(claire.locator("#post-2")).to_contain_text("Count me in, I have a spare pump.")


def test_quoting_and_replying_work_without_javascript(new_page):
    alice = MemberFactory(username="alice")
    MemberFactory(username="bruno")
    thread = make_thread(author=alice, title="Seed swap", source="Bring your *tomato* seeds.")
    first = thread.posts.get(number=1)

    bruno = new_page(java_script_enabled=False)
    sign_in(bruno, "bruno")
    bruno.goto(thread.get_absolute_url())
    bruno.locator("#post-1").get_by_role("link", name="Quote").click()

    # Without HTMX the link leads to the reply page, the quote already in the editor.
    reply_url = f"/t/{thread.pk}/reply/?quote={first.pk}"
    expect(bruno).to_have_url(re.compile(re.escape(reply_url) + "$"))
    source = bruno.locator("#id_source")
    expect(source).to_have_value(re.compile(rf"wrote\]\(/p/{first.pk}/\)"))
    expect(source).to_have_value(re.compile(r"tomato"))
    source.fill(source.input_value() + "I will bring basil too.")
    bruno.get_by_role("button", name="Post reply").click()

    expect(bruno).to_have_url(re.compile(rf"/t/{thread.pk}/#post-2$"))
    expect(bruno.locator("#post-2 blockquote")).to_contain_text("tomato")
    expect(bruno.locator("#post-2")).to_contain_text("I will bring basil too.")
    reply = thread.posts.get(number=2)
    assert Quote.objects.filter(post=reply, quoted_post=first).exists()


def test_the_bell_counts_a_reply_without_reloading_and_leads_to_it(new_page, settings):
    settings.NOTIFICATIONS_BELL_POLL_SECONDS = 1
    category = CategoryFactory(name="Allotments", slug="allotments")
    MemberFactory(username="claire")
    MemberFactory(username="bruno", display_name="Bruno Petit")

    # Claire starts a thread, and so watches it; nothing is unread yet.
    claire = new_page()
    sign_in(claire, "claire")
    thread = start_thread(claire, category, "Who has a ladder?", "Mine broke, I need one.")
    bell = claire.locator("#bell")
    expect(bell).to_be_visible()
    expect(bell.locator(".bell__count")).to_have_count(0)
    remember_this_page(claire)

    # Bruno, signed in elsewhere, replies.
    bruno = new_page()
    sign_in(bruno, "bruno")
    reply_in(bruno, thread, "Take mine, it is in the shed.")

    # Claire's bell counts the reply while she stays on her page.
    expect(bell.locator(".bell__count")).to_have_text("1")
    assert is_the_remembered_page(claire), "the count should rise without reloading the page"

    # The bell leads to her notifications, and the entry naming Bruno to his reply.
    bell.click()
    expect(claire).to_have_url(re.compile(r"/notifications/$"))
    entry = claire.locator(".notification", has_text="Bruno Petit")
    expect(entry).to_contain_text("Bruno Petit replied in “Who has a ladder?”")
    entry.locator(".notification__link").click()
    expect(claire).to_have_url(re.compile(rf"/t/{thread.pk}/#post-2$"))
    expect(claire.locator("#post-2")).to_contain_text("Take mine, it is in the shed.")

    # Followed, the notification is read: the bell counts nothing, even after it polls again.
    expect(claire.locator("#bell")).to_be_visible()
    expect(claire.locator("#bell .bell__count")).to_have_count(0)
    with claire.expect_response(re.compile(r"/notifications/bell/$")):
        pass
    expect(claire.locator("#bell .bell__count")).to_have_count(0)
    assert not Notification.objects.filter(recipient__username="claire", read_at=None).exists()


def test_the_bell_and_its_notifications_work_without_javascript(new_page):
    bruno = MemberFactory(username="bruno", display_name="Bruno Petit")
    thread = make_thread(
        author=MemberFactory(username="claire"), title="Seed swap", source="Bring your seeds."
    )

    # Claire is on the forum's front page (on the thread's, she would read the reply there).
    claire = new_page(java_script_enabled=False)
    sign_in(claire, "claire")
    claire.goto("/")
    expect(claire.locator("#bell .bell__count")).to_have_count(0)

    # Without JavaScript the bell does not poll, but the next page shows the count.
    make_reply(thread, author=bruno, source="I will bring basil.")
    claire.reload()
    expect(claire.locator("#bell .bell__count")).to_have_text("1")

    # The bell is a plain link, and each entry a plain form.
    claire.locator("#bell").click()
    expect(claire).to_have_url(re.compile(r"/notifications/$"))
    entry = claire.locator(".notification", has_text="Bruno Petit")
    expect(entry).to_contain_text("Bruno Petit replied in “Seed swap”")
    entry.locator(".notification__link").click()
    expect(claire).to_have_url(re.compile(rf"/t/{thread.pk}/#post-2$"))
    expect(claire.locator("#post-2")).to_contain_text("I will bring basil.")
    expect(claire.locator("#bell .bell__count")).to_have_count(0)
