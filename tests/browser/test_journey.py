"""The journey that must always work, in a real browser: join, start a thread, get a quoted reply.

The live server runs in this process, so the emails it sends land in pytest-django's locmem
outbox (``mailoutbox``) and the database can be checked directly after each step.
"""

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from forum.models import Post, Quote, Thread
from tests.factories import PASSWORD, CategoryFactory, MemberFactory, make_thread

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+")


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form").get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.locator(".site-nav__me")).to_be_visible()


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
    claire.locator("form").get_by_role("button", name=re.compile("sign up", re.I)).click()
    expect(claire).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    # ...and confirms her address through the link in the verification email.
    assert len(mailoutbox) == 1, [message.subject for message in mailoutbox]
    email = mailoutbox[0]
    assert email.to == ["claire@example.org"]
    link = CONFIRM_LINK.search(email.body)
    assert link, f"no confirmation link in:\n{email.body}"
    claire.goto(urlsplit(link.group()).path)
    claire.get_by_role("button", name=re.compile("confirm", re.I)).click()
    # Confirming signs her in (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION).
    expect(claire.locator(".site-nav__me")).to_have_text("claire")

    # She starts a thread from the category page.
    claire.goto(category.get_absolute_url())
    claire.get_by_role("link", name="New thread").click()
    expect(claire).to_have_url(re.compile(rf"/c/{category.slug}/new/$"))
    claire.locator("input[name=title]").fill("Sharing the rainwater tanks")
    claire.locator("textarea[name=source]").fill("Who wants to share the **new tanks**?")
    claire.get_by_role("button", name="Start the thread").click()
    expect(claire).to_have_url(re.compile(r"/t/\d+/$"))
    expect(claire.locator("h1")).to_have_text("Sharing the rainwater tanks")
    thread = Thread.objects.get(title="Sharing the rainwater tanks")
    assert thread.author.username == "claire"
    assert claire.url.endswith(thread.get_absolute_url())

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
