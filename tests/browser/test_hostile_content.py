"""Hostile text in every field that others read, rendered by Chromium: nothing runs, and the
text still reads as the member typed it.

Each payload of tests/hostile_payloads.py goes through the nine fields shown to others: post
body, thread title, display name, bio, signal note, decision rationale, appeal statement,
proposal rationale and article text. Fields that hold one value per item (posts, titles,
names, notes, articles) get one payload each, many items to a page; fields shown one item to
a page (bio, rationales, statements) get the payloads in a few large chunks, within each
field's length limit.

Every page that shows those fields is opened with a sentinel installed before any of the
page's scripts: alert, confirm and prompt record their calls, and so does `window.__xss`;
dialogs, page errors and requests to `/__xss__/` are recorded too. The browser ignores the
Content Security Policy here (`bypass_csp`), so that what is tested is the escaping alone,
not the policy that would stop a script the escaping let through (the policy has its own
tests). After load, every element of the page gets the events that inline handlers listen to
(hover, focus, keys, animation…), and the mouse sweeps the page. Then the page must show no
trace of execution, no element or attribute that could run code (script, frame, object,
style, event handler, javascript:/data: address, hx-on), and every value as readable text.
"""

import html
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page

from charter import selectors as charter_selectors
from charter import services as charter
from charter.texts import Change, Piece, compare
from forum import services as forum
from forum.models import Post, Thread, WatchLevel
from forum.selectors import search_posts
from incoming import services as incoming
from incoming.addresses import new_thread_address, reply_address
from incoming.models import InboundMessage, Reason, State
from members.models import Member
from moderation import services as moderation
from moderation.models import Case, Outcome
from notifications import services as notifications
from notifications.models import Kind
from tests.builders.charter import count, found_charter, put_to_ballot
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory
from tests.hostile_payloads import PAYLOADS
from tests.incoming.mail import new_thread_in, reply_to

SENTINEL = """
(() => {
    const hits = [];
    Object.defineProperty(window, "__xssHits", { value: hits });
    for (const name of ["alert", "confirm", "prompt", "print"]) {
        window[name] = (...args) => { hits.push(`${name}(${args.join(", ")})`); };
    }
    let flag;
    Object.defineProperty(window, "__xss", {
        get: () => flag,
        set: (value) => { flag = value; hits.push(`window.__xss = ${value}`); },
    });
})();
"""

# Every event an inline handler in the corpus waits for, dispatched to every element.
PROVOKE = """
() => {
    const kinds = [
        "mouseover", "mouseenter", "mousemove", "mousedown", "mouseup", "mouseout",
        "pointerover", "pointerenter", "pointerdown", "pointerup", "focus", "focusin", "blur",
        "focusout", "keydown", "keyup", "keypress", "input", "change", "toggle", "load",
        "error", "animationstart", "animationend", "transitionend", "wheel", "dblclick",
        "contextmenu", "touchstart", "begin", "beginEvent", "start", "pageshow", "hashchange",
    ];
    const elements = [document, window, ...document.querySelectorAll("*")];
    // A plain Event("click") runs click handlers but follows no link and submits no form;
    // the site's own htmx elements are left alone, so the page stays as it was served.
    const htmx = "[hx-get], [hx-post], [hx-put], [hx-patch], [hx-delete]";
    for (const element of elements) {
        for (const kind of kinds) element.dispatchEvent(new Event(kind));
        if (element.matches && !element.matches(htmx)) element.dispatchEvent(new Event("click"));
    }
    return elements.length;
}
"""

# What must not be in the page at all, whether it ran or not.
AUDIT = """
() => {
    const problems = [];
    const describe = (element) => element.outerHTML.slice(0, 160);
    const runs = (value) => {
        try {
            const url = new URL(value.trim(), document.baseURI);
            return ["javascript:", "vbscript:", "data:"].includes(url.protocol);
        } catch { return false; }
    };
    const urlAttributes = new Set([
        "href", "src", "action", "formaction", "xlink:href", "poster", "background", "data",
        "srcdoc", "srcset", "ping", "codebase", "lowsrc", "dynsrc", "content",
    ]);
    for (const element of document.querySelectorAll("*")) {
        const tag = element.localName;
        if (tag === "script" && !(element.getAttribute("src") || "").startsWith("/static/")) {
            problems.push(`script: ${describe(element)}`);
        }
        if (["iframe", "frame", "frameset", "object", "embed", "applet", "base", "style",
             "portal", "handler", "listing", "xmp", "plaintext", "noembed", "marquee",
             "foreignobject", "animate", "set", "discard", "use"].includes(tag.toLowerCase())) {
            problems.push(`element: ${describe(element)}`);
        }
        // The site's own links, in the head: its static files, and feeds of its own pages.
        const href = element.getAttribute("href") || "";
        const ownFeed = element.parentElement === document.head
            && element.getAttribute("rel") === "alternate" && /^\\/[^/]/.test(href);
        if (tag === "link" && !href.startsWith("/static/") && !ownFeed) {
            problems.push(`link: ${describe(element)}`);
        }
        if (tag === "meta" && (element.hasAttribute("http-equiv")
                || element.getAttribute("name") === "htmx-config" && element !== document
                    .querySelector('meta[name="htmx-config"]'))) {
            problems.push(`meta: ${describe(element)}`);
        }
        for (const attribute of element.attributes) {
            const name = attribute.name.toLowerCase();
            if (name.startsWith("on")) problems.push(`handler ${name}: ${describe(element)}`);
            if (name === "style") problems.push(`style: ${describe(element)}`);
            if (/^(data-)?hx-on/.test(name) || /^(data-)?hx-/.test(name)
                    && /__xss__|js:|alert/.test(attribute.value)) {
                problems.push(`htmx ${name}: ${describe(element)}`);
            }
            if (urlAttributes.has(name) && tag !== "meta" && runs(attribute.value)) {
                problems.push(`${name}: ${describe(element)}`);
            }
        }
    }
    return problems;
}
"""


def spoken(piece: Piece) -> str:
    """A run of a word diff as it reads, with the words that say what it is (charter/_pieces),
    which the page's text has apart, as blocks (they are positioned out of sight)."""
    if piece.kind == "same":
        return piece.text
    return f" [{piece.kind}] {piece.text} [end {piece.kind}] "


def squash(text: str) -> str:
    """Text as it reads: any run of whitespace is one space."""
    return " ".join(text.split())


def one_line(text: str, limit: int) -> str:
    """What a one-line field (a title, a name) can hold of `text`."""
    return squash(text)[:limit].strip()


def plain_text(rendered_html: str) -> str:
    """The text a reader sees of rendered Markdown (images contribute nothing)."""
    return html.unescape(re.sub(r"<[^>]*>", "", rendered_html))


def chunks(texts: Iterable[str], *, limit: int, separator: str) -> list[str]:
    """`texts` joined by `separator` into as few values as fit `limit` characters each."""
    values: list[list[str]] = [[]]
    for text in texts:
        if values[-1] and len(separator.join([*values[-1], text])) > limit:
            values.append([])
        values[-1].append(text)
    return [separator.join(value) for value in values]


def markdown_order(payloads: Iterable[str]) -> list[str]:
    """Payloads that leave a code fence open last, so that in a chunk of Markdown they do not
    turn all the payloads after them into code."""
    return sorted(payloads, key=lambda payload: payload.count("```") % 2)


@dataclass
class Reader:
    """One visitor or member in their own browser context, with the sentinel installed."""

    page: Page
    name: str
    traces: list[str] = field(default_factory=list)
    visits: int = 0
    values_read: int = 0

    def visit(self, path: str, *, readable: Iterable[str] = ()) -> str:
        """Open `path`, provoke every handler, and check nothing ran and `readable` reads."""
        self.traces.clear()
        response = self.page.goto(path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        self.provoke()
        problems = self.page.evaluate(AUDIT)
        for frame in self.page.frames:
            self.traces += frame.evaluate("() => window.__xssHits ? [...window.__xssHits] : []")
        assert not self.traces, f"{self.name} on {path}: something ran: {self.traces}"
        assert not problems, f"{self.name} on {path}: live markup:\n" + "\n".join(problems)
        text = squash(self.page.inner_text("body"))
        readable = list(readable)
        unreadable = [value for value in readable if squash(value) not in text]
        assert not unreadable, f"{self.name} on {path}: not shown as text: {unreadable[:5]}"
        self.visits += 1
        self.values_read += len(readable)
        return text

    def provoke(self) -> None:
        self.page.evaluate(PROVOKE)
        viewport = self.page.viewport_size or {"width": 1280, "height": 720}
        for y in range(0, viewport["height"], 180):
            self.page.mouse.move(viewport["width"] / 2, y)
        # Timers, animations and htmx's "load" triggers get a moment to fire.
        self.page.wait_for_timeout(50)


@pytest.fixture
def reader(new_page, live_server, settings) -> Callable[..., Reader]:
    """`reader(member=None)`: a visitor's page, or one signed in as `member`. A thread shows
    all its posts, and a category all its threads, on one page."""
    settings.POSTS_PER_PAGE = 1_000
    settings.THREADS_PER_PAGE = 1_000

    def make(member: Member | None = None) -> Reader:
        page = new_page(bypass_csp=True)
        context = page.context
        inspected = Reader(page, member.username if member else "a visitor")

        def on_dialog(dialog) -> None:
            inspected.traces.append(f"dialog: {dialog.message}")
            dialog.dismiss()

        def on_console(message) -> None:
            if "xss" in message.text.lower():
                inspected.traces.append(f"console: {message.text}")

        def on_request(request) -> None:
            if "/__xss__/" in request.url:
                inspected.traces.append(f"request: {request.url}")

        context.add_init_script(SENTINEL)
        # Nothing outside the live server answers here: refuse at once rather than wait.
        context.route(lambda url: not url.startswith(live_server.url), lambda r: r.abort())
        page.on("dialog", on_dialog)
        page.on("pageerror", lambda error: inspected.traces.append(f"page error: {error}"))
        page.on("console", on_console)
        context.on("request", on_request)
        if member is not None:
            client = Client()
            client.force_login(member)
            cookie = django_settings.SESSION_COOKIE_NAME
            context.add_cookies(
                [{"name": cookie, "value": client.cookies[cookie].value, "url": live_server.url}]
            )
        return inspected

    return make


def hostile_members() -> list[Member]:
    """One member per payload, the payload as display name (60 characters at most)."""
    return [
        MemberFactory(username=f"h{n:03}", display_name=one_line(payload, 60))
        for n, payload in enumerate(PAYLOADS)
    ]


EMAIL_TAGS = {"html", "head", "meta", "title", "body", "p", "blockquote", "br", "a", "hr"}


def expect_inert_emails(outbox) -> int:
    """The HTML part of every email holds only the tags of its template, no handler."""
    checked = 0
    for message in outbox:
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype != "text/html":
                continue
            for name, attributes in re.findall(r"<\s*([a-zA-Z][\w:-]*)([^>]*)>", content):
                assert name.lower() in EMAIL_TAGS, (message.subject, name, attributes)
                assert not re.search(r"\bon\w+\s*=", attributes), (message.subject, attributes)
            checked += 1
    return checked


def article_texts(version) -> list[str]:
    """What a reader sees of a version's articles: their short titles and their texts."""
    articles = version.articles.values_list("title", "html")
    return [title for title, _html in articles] + [plain_text(html) for _title, html in articles]


def report(readers: list[Reader], values: dict[str, int], started: float, seeded: float) -> None:
    """What the test went through, for the record (pytest -s shows it)."""
    pages = sum(reader.visits for reader in readers)
    read = sum(reader.values_read for reader in readers)
    print(
        f"\n{len(PAYLOADS)} payloads; values stored per field {values}; seeded in "
        f"{seeded - started:.1f} s; {pages} pages rendered, {read} values read back on them, "
        f"in {time.monotonic() - seeded:.1f} s"
    )


def test_post_bodies_thread_titles_names_and_bios_stay_text(reader, monkeypatch):
    started = time.monotonic()
    monkeypatch.setattr("forum.selectors.SEARCH_PAGE_SIZE", 1_000)
    monkeypatch.setattr("notifications.selectors.ENTRIES_PER_PAGE", 1_000)
    category = CategoryFactory(name="Anything goes", slug="anything-goes")
    watcher = MemberFactory(username="watcher", display_name="Watcher")
    forum.watch_category(member=watcher, category=category, level=WatchLevel.WATCHING)
    # An email per reply would only slow the seeding: the moderation test reads the emails.
    notifications.stop_emails(member=watcher, kinds=[Kind.REPLY])
    # Each hostile member replies in one thread and starts a thread of their own; a profile
    # shows one bio, so the bios carry the corpus in chunks of 1,000 characters, the limit.
    members = hostile_members()
    bios = chunks(PAYLOADS, limit=1_000, separator="\n")
    for member, bio in zip(members, bios, strict=False):
        member.bio = bio
        member.save(update_fields=["bio"])
    replies = forum.create_thread(
        author=watcher, category=category, title="Every payload", source="Reply with yours."
    )
    for member, payload in zip(members, PAYLOADS, strict=True):
        forum.reply(author=member, thread=replies, source=payload)
        # Replying watches the thread; left watching, each member would hear of every reply
        # after theirs, and seeding would take minutes.
        forum.watch_thread(member=member, thread=replies, level=WatchLevel.NORMAL)
        forum.create_thread(
            author=member,
            category=category,
            title=one_line(payload, django_settings.THREAD_TITLE_MAX_LENGTH),
            source=f"Opened by {member.username}.",
        )
    titles = list(
        Thread.objects.exclude(pk=replies.pk).order_by("pk").values_list("title", flat=True)
    )
    names = [member.display_name for member in members]
    bodies = [
        plain_text(html)
        for html in Post.objects.filter(thread=replies, number__gt=1).values_list("html", flat=True)
    ]

    seeded = time.monotonic()
    visitor, signed_in = reader(), reader(watcher)
    visitor.visit("/", readable=titles[-5:])
    visitor.visit(category.get_absolute_url(), readable=titles + names)
    signed_in.visit(replies.get_absolute_url(), readable=bodies + names)
    for member, bio in zip(members, bios, strict=False):
        visitor.visit(f"/m/{member.username}/", readable=[bio, member.display_name])
    # On PostgreSQL, excerpts are ts_headline cut out of the rendered HTML: a classic hole.
    query = "alert or script or xss or javascript or img or svg or hx"
    hits, _more = search_posts(query, AnonymousUser())
    assert len(hits) > 200
    excerpts = [plain_text(hit.excerpt) for hit in hits]
    visitor.visit(f"/search/?q={query}", readable=excerpts)
    assert visitor.page.locator(".search-hit").count() == len(hits)
    signed_in.visit("/notifications/", readable=titles + names)
    report(
        [visitor, signed_in],
        {"post body": len(bodies), "thread title": len(titles), "display name": len(names),
         "bio": len(bios), "search excerpt": len(hits)},
        started,
        seeded,
    )  # fmt: skip


def test_signal_notes_rationales_and_appeal_statements_stay_text(reader, monkeypatch, mailoutbox):
    started = time.monotonic()
    monkeypatch.setattr("moderation.views.JOURNAL_PAGE_SIZE", 1_000)
    admin = MemberFactory(username="root", is_staff=True, is_superuser=True)
    version = found_charter(admin=admin, voters=[MemberFactory()], now=timezone.now())
    cited = [version.articles.get(number=2).pk]
    # The moderators' names are shown to moderators (the journal, the queue, the appeals);
    # no two members' names may look alike, and the hostile members below take each payload.
    decider = MemberFactory(username="decider", display_name=one_line(f"D {PAYLOADS[0]}", 60),
                            is_moderator=True)  # fmt: skip
    hearer = MemberFactory(username="hearer", display_name=one_line(f"H {PAYLOADS[1]}", 60),
                           is_moderator=True)  # fmt: skip
    author = MemberFactory(username="author", display_name="Author")
    thread = make_thread(
        category=CategoryFactory(name="Allotments", slug="allotments"), title="Signalled posts"
    )
    signalled = forum.reply(author=author, thread=thread, source="Buy my miracle fertiliser!")
    # One case, signalled by every hostile member with "other" and a payload as the note.
    members = hostile_members()
    for member, payload in zip(members, PAYLOADS, strict=True):
        moderation.signal_post(
            member=member, post=signalled, article_ids=[], other=True, note=payload
        )
    # A decision page shows one rationale and one statement: a few decisions and appeals,
    # each with a large chunk of the corpus (the fields hold 5,000 characters). "Keep with a
    # note" shows the rationale under the post, to everyone.
    decisions, appeals = [], []
    for n, chunk in enumerate(chunks(PAYLOADS, limit=2_500, separator="\n")):
        post = forum.reply(author=author, thread=thread, source=f"Decided post {n}.")
        signal = moderation.signal_post(member=MemberFactory(), post=post, article_ids=cited)
        decision = moderation.decide_case(
            moderator=decider,
            case=signal.case,
            outcome=Outcome.UPHELD,
            article_ids=cited,
            rationale=chunk,
            action="keep",
        )
        decisions.append(decision)
        appeals.append(
            moderation.appeal_decision(member=author, decision=decision, statement=chunk)
        )
    case = Case.objects.get(post=signalled)
    notes = [member_signal.note for member_signal in case.signals.all()]
    names = [member.display_name for member in members]
    rationales = [decision.rationale for decision in decisions]
    statements = [appeal.statement for appeal in appeals]

    seeded = time.monotonic()
    moderator, visitor = reader(hearer), reader()
    moderator.visit("/moderation/queue/", readable=names)
    moderator.visit(case.get_absolute_url(), readable=notes + names)
    moderator.visit("/moderation/journal/", readable=[*rationales, decider.display_name])
    moderator.visit("/moderation/appeals/", readable=[decider.display_name])
    for decision, appeal in zip(decisions, appeals, strict=True):
        moderator.visit(decision.get_absolute_url(), readable=[decision.rationale,
                        appeal.statement, decider.display_name])  # fmt: skip
        moderator.visit(appeal.get_absolute_url(), readable=[decision.rationale, appeal.statement])
    visitor.visit("/moderation/journal/", readable=rationales)
    visitor.visit(thread.get_absolute_url(), readable=rationales)
    emails = expect_inert_emails(mailoutbox)
    assert emails >= len(decisions)
    report(
        [moderator, visitor],
        {"signal note": len(notes), "decision rationale": len(rationales),
         "appeal statement": len(statements), "display name": len(names), "emails": emails},
        started,
        seeded,
    )  # fmt: skip


def test_article_texts_and_proposal_rationales_stay_text(reader):
    started = time.monotonic()
    # Version 1, one article per payload, ratified 40 days ago by founders old enough to vote.
    past = timezone.now() - timedelta(days=40)
    founders = [MemberFactory(date_joined=past - timedelta(days=90)) for _ in range(4)]
    admin = MemberFactory(username="root", is_staff=True, is_superuser=True)
    articles = [charter.ArticleDraft(one_line(payload, 80), payload) for payload in PAYLOADS]
    first = found_charter(admin=admin, voters=founders, now=past, articles=articles)
    # The rationales carry the corpus in proposals of 10,000 characters at most: the first is
    # ratified as version 2, which gives each article the text of the next one, so the diff
    # shows both; the others seek co-sponsors.
    rationales = chunks(markdown_order(PAYLOADS), limit=10_000, separator="\n\n")
    old = list(first.articles.order_by("number"))
    amended = charter.create_proposal(
        author=founders[0],
        title=one_line(PAYLOADS[-1], 120),
        rationale=rationales[0],
        changes=[
            Change("change", article.identity, article.title, following.body)
            for article, following in zip(old, old[1:] + old[:1], strict=True)
        ],
        parameters={},
    )
    charter.submit_proposal(author=founders[0], proposal=amended, now=past)
    for sponsor in founders[1:]:
        charter.sponsor_proposal(member=sponsor, proposal=amended, now=past)
    amended.refresh_from_db()
    ballot = put_to_ballot(amended)
    for voter in founders:
        charter.cast_vote(member=voter, ballot=ballot, choice="yes", now=ballot.opened_at)
    count(ballot, now=ballot.closes_at)
    charter.announce_results()
    second = charter_selectors.current_version()
    assert second.number == 2
    proposals = [amended]
    founders[0].refresh_from_db()
    charter.accept_charter(member=founders[0], version=second)
    for rationale in rationales[1:]:
        article = second.articles.get(number=1)
        proposal = charter.create_proposal(
            author=founders[0],
            title=one_line(PAYLOADS[-2], 120),
            rationale=rationale,
            changes=[Change("change", article.identity, article.title, "Be kind.")],
            parameters={},
        )
        proposals.append(charter.submit_proposal(author=founders[0], proposal=proposal))
    diffs = compare(charter_selectors.article_texts(first), charter_selectors.article_texts(second))

    seeded = time.monotonic()
    visitor = reader()
    visitor.visit("/charter/", readable=article_texts(second))
    visitor.visit(first.get_absolute_url(), readable=article_texts(first))
    visitor.visit("/charter/history/", readable=[amended.title])
    diffed = ["".join(spoken(piece) for piece in diff.body) for diff in diffs]
    visitor.visit("/charter/diff/?old=1&new=2", readable=diffed)
    visitor.visit("/charter/proposals/", readable=[proposal.title for proposal in proposals])
    for proposal in proposals:
        proposal.refresh_from_db()
        visitor.visit(proposal.get_absolute_url(), readable=[plain_text(proposal.rationale_html)])
    discussion = Post.objects.get(thread=amended.thread, number=1)
    visitor.visit(amended.thread.get_absolute_url(), readable=[plain_text(discussion.html)])
    report(
        [visitor],
        {"article text": 2 * len(PAYLOADS), "proposal rationale": len(rationales)},
        started,
        seeded,
    )


def test_replies_by_email_stay_text(reader, settings):
    """Every payload arrives as the body of a reply by email, as plain text and, for a quarter
    of them, as HTML only (turned into Markdown), from a sender whose display name is a payload
    too: the posts they become run nothing and read as sent."""
    started = time.monotonic()
    settings.RATELIMIT_ENABLE = False
    category = CategoryFactory(name="By email", slug="by-email")
    watcher = MemberFactory(username="watcher", display_name="Watcher")
    thread = forum.create_thread(
        author=watcher, category=category, title="Answer by email", source="Reply with yours."
    )
    # An email per reply would only slow the seeding: the moderation test reads the emails.
    notifications.stop_emails(member=watcher, kinds=[Kind.REPLY])
    members = hostile_members()
    for n, (member, payload) in enumerate(zip(members, PAYLOADS, strict=True)):
        for as_html in (False, True) if n % 4 == 0 else (False,):
            raw = reply_to(
                thread,
                member,
                f"<p>{html.escape(payload)}</p>" if as_html else payload,
                message_id=f"<payload-{n}-{as_html}@mail.example.org>",
                html=as_html,
            )
            recipients = [reply_address(member_id=member.pk, thread_id=thread.pk)]
            incoming.receive(raw, sender=member.email, recipients=recipients)
        # As in the test above: left watching, each member would hear of every reply after
        # theirs, and seeding would take minutes.
        forum.watch_thread(member=member, thread=thread, level=WatchLevel.NORMAL)
    arrived = InboundMessage.objects.all()
    posted = arrived.filter(state=State.POSTED)
    # Some payloads are all quote or blank once cut: refused as "no text", never as an error.
    refused = arrived.exclude(state=State.POSTED)
    assert set(refused.values_list("reason", flat=True)) <= {Reason.TOO_SHORT}
    assert posted.count() > 0.9 * arrived.count()
    bodies = [
        plain_text(post_html)
        for post_html in Post.objects.filter(thread=thread, number__gt=1).values_list(
            "html", flat=True
        )
    ]
    assert len(bodies) == posted.count()

    seeded = time.monotonic()
    signed_in = reader(watcher)
    signed_in.visit(thread.get_absolute_url(), readable=bodies)
    report([signed_in], {"reply by email": len(bodies)}, started, seeded)


def test_new_threads_by_email_stay_text(reader, settings, signer):
    """Every payload arrives as the subject of a new thread by email, DKIM-signed, with the
    payload as its text too (a quarter as HTML only): the titles they become run nothing and
    read as sent, in the category's list and on each page of a sample."""
    started = time.monotonic()
    settings.RATELIMIT_ENABLE = False
    category = CategoryFactory(name="Started by email", slug="started-by-email")
    watcher = MemberFactory(username="watcher", display_name="Watcher")
    members = hostile_members()
    for n, (member, payload) in enumerate(zip(members, PAYLOADS, strict=True)):
        forum.watch_category(member=member, category=category, level=WatchLevel.WATCHING)
        as_html = n % 4 == 0
        raw = new_thread_in(
            category,
            member,
            subject=payload,
            body=f"<p>{html.escape(payload)}</p>" if as_html else payload,
            message_id=f"<new-thread-{n}@mail.example.org>",
            html=as_html,
        )
        incoming.receive(
            signer.sign(raw), sender=member.email, recipients=[new_thread_address(category.slug)]
        )
        # Left watching, each member would hear of every thread after theirs.
        forum.watch_category(member=member, category=category, level=WatchLevel.NORMAL)
    arrived = InboundMessage.objects.all()
    assert set(arrived.values_list("state", flat=True)) == {State.POSTED}
    threads = list(Thread.objects.filter(category=category).order_by("pk"))
    assert [thread.title for thread in threads] == [
        one_line(payload, django_settings.THREAD_TITLE_MAX_LENGTH) for payload in PAYLOADS
    ]

    seeded = time.monotonic()
    signed_in = reader(watcher)
    signed_in.visit(category.get_absolute_url(), readable=[thread.title for thread in threads])
    for thread in threads[::12]:
        post = thread.posts.get()
        signed_in.visit(thread.get_absolute_url(), readable=[thread.title, plain_text(post.html)])
    report([signed_in], {"thread title by email": len(threads)}, started, seeded)
