"""Markdown to safe HTML: markdown-it-py with raw HTML off, then nh3 with an explicit allow-list.

Mentions (`@name` of an existing member) become profile links; links to a post inside a
blockquote are read as quotes of that post. Both are collected while rendering, so what is
recorded always matches what readers see. An image from another site becomes a link to it:
nothing in a post makes a reader's browser call another host unless they follow the link.

Rendering costs time in proportion to the source's length (POST_MAX_LENGTH bounds it) times
what one character can make the parser build. Two limits keep the worst text a member can type
to a fraction of a second (tests/forum/test_rendering_cost.py): how deep Markdown nests, and
how many empty cells a table may fill in.
"""

import importlib
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import nh3
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

MENTION_PATTERN = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_]{3,30})\b")
POST_LINK_PATTERN = re.compile(r"^/p/(\d+)/(?:#.*)?$")

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "img", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
# What a post's HTML may hold, for the cleaner of every rendering and for emails' second pass.
_ALLOWED = {
    "tags": ALLOWED_TAGS,
    "attributes": ALLOWED_ATTRIBUTES,
    "allowed_classes": {"a": {"mention"}},
    "url_schemes": {"http", "https", "mailto"},
    "link_rel": "nofollow ugc noopener",
    "strip_comments": True,
}
_cleaner = nh3.Cleaner(**_ALLOWED)


@dataclass
class Rendered:
    html: str
    mentioned_usernames: set[str] = field(default_factory=set)
    quoted_post_ids: set[int] = field(default_factory=set)


def mention_candidates(source: str) -> set[str]:
    """Names that look like mentions, lower-cased; rendering decides which really are."""
    return {name.lower() for name in MENTION_PATTERN.findall(source)}


def _link_mentions_and_collect_quotes(state: StateCore) -> None:
    members: dict[str, str] = state.env.get("members", {})
    mentioned: set[str] = state.env.setdefault("mentioned", set())
    quoted: set[int] = state.env.setdefault("quoted", set())
    blockquote_depth = 0
    for block in state.tokens:
        if block.type == "blockquote_open":
            blockquote_depth += 1
        elif block.type == "blockquote_close":
            blockquote_depth -= 1
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        link_depth = 0
        for token in block.children:
            if token.type == "link_open":
                link_depth += 1
                match = POST_LINK_PATTERN.match(str(token.attrGet("href") or ""))
                if match and blockquote_depth:
                    quoted.add(int(match.group(1)))
            elif token.type == "link_close":
                link_depth -= 1
            if token.type == "text" and not link_depth and members:
                children.extend(_split_mentions(token, members, mentioned))
            else:
                children.append(token)
        block.children = children


def _split_mentions(token: Token, members: dict[str, str], mentioned: set[str]) -> list[Token]:
    pieces: list[Token] = []
    text = token.content
    cursor = 0
    for match in MENTION_PATTERN.finditer(text):
        username = members.get(match.group(1).lower())
        if username is None:
            continue
        if match.start() > cursor:
            pieces.append(_text(text[cursor : match.start()]))
        link = Token("link_open", "a", 1)
        link.attrs = {"href": reverse("forum:member", kwargs={"username": username}),
                      "class": "mention"}  # fmt: skip
        pieces += [link, _text("@" + username), Token("link_close", "a", -1)]
        mentioned.add(username)
        cursor = match.end()
    if not pieces:
        return [token]
    if cursor < len(text):
        pieces.append(_text(text[cursor:]))
    return pieces


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _remote_images_as_links(state: StateCore) -> None:
    """An image from another site would tell that site the address of everyone who reads the
    post, and when: it becomes a link to the image, which a reader may follow. The site's own
    images (relative addresses, or on SITE_URL) still show; the Content Security Policy's
    img-src refuses any other that would get through."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        link_depth = 0
        for token in block.children:
            if token.type in ("link_open", "link_close"):
                link_depth += token.nesting
            src = str(token.attrGet("src") or "") if token.type == "image" else ""
            if src and _is_remote(src):
                children.extend(_link_to_image(token, src, inside_link=link_depth > 0))
            else:
                children.append(token)
        block.children = children


def _is_remote(src: str) -> bool:
    address = urlsplit(src)
    if address.scheme in ("http", "https"):
        site = urlsplit(settings.SITE_URL)
        return (address.scheme, address.netloc.lower()) != (site.scheme, site.netloc.lower())
    # "//host/…" takes the page's scheme. A relative address is the site's own, and other
    # schemes (data:, mailto:) call no host: nh3 drops them from an image.
    return not address.scheme and bool(address.netloc)


def _link_to_image(image: Token, src: str, *, inside_link: bool) -> list[Token]:
    description = _markdown.renderer.renderInlineAsText(image.children, _markdown.options, {})
    # The host the address really goes to (not a "name@" before it), in ASCII as
    # markdown-it wrote it, so that a look-alike of another name shows as what it is.
    host = urlsplit(src).hostname or src
    if inside_link:
        # A link cannot hold another: the image reads as a browser shows one it cannot load.
        return [_text(description or host)]
    # Stored, and shown to every reader: in the site's language, whoever wrote the post.
    with translation.override(settings.LANGUAGE_CODE):
        if description:
            # Translators: a link in a post, in place of an image from another web site
            # (host), which the author described (description).
            label = _("Show the image from %(host)s: %(description)s") % {
                "host": host,
                "description": description,
            }
        else:
            label = _("Show the image from %(host)s") % {"host": host}
    link = Token("link_open", "a", 1)
    link.attrs = {"href": src}
    if title := image.attrGet("title"):
        link.attrs["title"] = title
    return [link, _text(label), Token("link_close", "a", -1)]


# A table row shorter than its header is filled in with empty cells, so a line of "|" under a
# wide header makes as many cells as the header has columns: markdown-it stops a table at
# 65,536 filled-in cells, most of a second of work from 20,000 characters. A table a person
# writes leaves a few cells empty; past 4,096 the rest of the text is shown as written. (The
# package exports the rule under its module's name: the module is taken by its full name.)
importlib.import_module("markdown_it.rules_block.table").MAX_AUTOCOMPLETED_CELLS = 4_096

_markdown = MarkdownIt(
    "commonmark",
    {
        "html": False,
        "linkify": True,
        "typographer": False,
        # CommonMark's own limit, written out because the cost depends on it: each "[" looks
        # ahead through brackets nested up to this deep. It is not lower because a list level
        # counts two (list and item) and a quote one: deep outlines and long chains of quoted
        # replies would lose what is below the limit.
        "maxNesting": 20,
    },
).enable(["table", "strikethrough", "linkify"])
_markdown.core.ruler.push("mentions_and_quotes", _link_mentions_and_collect_quotes)
_markdown.core.ruler.push("remote_images_as_links", _remote_images_as_links)


def render_markdown(source: str, *, members: dict[str, str] | None = None) -> Rendered:
    """Render `source`; `members` maps lower-cased usernames to usernames that may be mentioned."""
    env: dict = {"members": members or {}}
    html = _cleaner.clean(_markdown.render(source, env))
    return Rendered(html=html, mentioned_usernames=env["mentioned"], quoted_post_ids=env["quoted"])


def with_absolute_links(html: str) -> str:
    """A post's HTML for an email, where a link to /p/12/ leads nowhere: cleaned again by the
    same allow-list, every link and image made absolute on SITE_URL."""

    def absolute(tag: str, attribute: str, value: str) -> str:
        if attribute in {"href", "src"}:
            return urljoin(f"{settings.SITE_URL}/", value)
        return value

    return nh3.clean(html, **_ALLOWED, attribute_filter=absolute)
