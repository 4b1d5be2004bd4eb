"""Whatever a member types, the Markdown pipeline puts out only allow-listed HTML.

Checked on the corpus of hostile payloads, then as properties (Hypothesis) on arbitrary text
and on text assembled from Markdown syntax, raw HTML and those payloads. The output is parsed
as a browser would see it: every element and attribute allow-listed, every link and image
address relative or http(s)/mailto once entities, whitespace and control characters are
taken out, no comment, declaration or processing instruction. And raw HTML, which Markdown
does not interpret here, reads back as the member typed it.
"""

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown
from tests.hostile_payloads import FAMILIES, PAYLOADS

# What nh3 adds on its own: rel on every link; class="mention" comes from the mention rule.
LINK_REL = "nofollow ugc noopener"
SAFE_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src"}
# A browser drops tabs and newlines anywhere in a URL and C0 controls and spaces around it,
# so "java\tscript:" is "javascript:" to it.
_URL_NOISE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")

BOUNDED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Inspector(HTMLParser):
    """Collects every way the HTML strays from the allow-list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}> is not allowed")
        for name, value in attrs:
            self._check_attribute(tag, name, value or "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"</{tag}> is not allowed")

    def handle_comment(self, data):
        self.problems.append(f"comment <!--{data}-->")

    def handle_decl(self, decl):
        self.problems.append(f"declaration <!{decl}>")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction <?{data}>")

    def unknown_decl(self, data):
        self.problems.append(f"declaration <![{data}]>")

    def _check_attribute(self, tag: str, name: str, value: str) -> None:
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        if name.startswith("on"):
            self.problems.append(f"event handler {name} on <{tag}>")
        elif tag == "a" and name == "rel":
            if value != LINK_REL:
                self.problems.append(f'<a rel="{value}">')
        elif tag == "a" and name == "class":
            if value != "mention":
                self.problems.append(f'<a class="{value}">')
        elif name not in allowed:
            self.problems.append(f"attribute {name} on <{tag}>")
        if name in URL_ATTRIBUTES:
            scheme = url_scheme(value)
            if scheme is not None and scheme not in SAFE_SCHEMES:
                self.problems.append(f'{name}="{value}" on <{tag}>')


def url_scheme(url: str) -> str | None:
    """The scheme a browser would read in `url` (entities already decoded), or None if the
    address is relative."""
    cleaned = _URL_NOISE.sub("", url).strip("".join(chr(c) for c in range(0x21)))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def problems_in(source: str, **options) -> list[str]:
    inspector = Inspector()
    inspector.feed(render_markdown(source, **options).html)
    inspector.close()
    return inspector.problems


def test_the_inspector_sees_what_the_allow_list_refuses():
    inspector = Inspector()
    inspector.feed(
        '<p onclick="x"><a href="java&#x09;script:alert(1)" rel="opener">x</a>'
        '<img src=" data:image/png,x"><script>x</script><!-- c --></p>'
    )
    assert inspector.problems == [
        "event handler onclick on <p>",
        'href="java\tscript:alert(1)" on <a>',
        '<a rel="opener">',
        'src=" data:image/png,x" on <img>',
        "<script> is not allowed",
        "</script> is not allowed",
        "comment <!-- c -->",
    ]


def test_the_corpus_holds_at_least_200_distinct_payloads_in_every_family():
    assert len(set(PAYLOADS)) == len(PAYLOADS) >= 200
    assert all(FAMILIES.values())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_hostile_payload_comes_out_allow_listed(payload):
    assert problems_in(payload) == []


def test_links_with_safe_addresses_survive_and_others_stay_text():
    html = render_markdown(
        "[a](https://example.org) [b](mailto:a@example.org) [c](/t/1/) [d](javascript:x)"
    ).html
    assert 'href="https://example.org"' in html
    assert 'href="mailto:a@example.org"' in html
    assert 'href="/t/1/"' in html
    assert "[d](javascript:x)" in html


@BOUNDED
@given(st.text())
def test_any_text_renders_to_allow_listed_html(source):
    assert problems_in(source) == []


MARKDOWN = [
    "# ", "## ", "> ", "- ", "1. ", "    ", "```", "```html\n", "~~~", "---", "***", "___",
    "**", "*", "_", "__", "~~", "`", "``", "|", "|---|---|", "\\", "[", "]", "(", ")", "![",
    "](", "<", ">", "<<", "[x]: ", '"', "'", "\n", "\n\n", " ", "\t", "&", "&amp;", "&#",
    "&#x", ";", ":", "@alice", "@bob", "/p/1/", "https://example.org", "www.example.org",
]  # fmt: skip
HTML = [
    "<script>", "</script>", "<img", "<svg", "<math", "<a", "</a>", "<style>", "<iframe",
    "<textarea>", "<!--", "-->", "<![CDATA[", "]]>", "<?", "?>", "<!DOCTYPE html>", " src=",
    " href=", " onerror=", " onload=", " style=", " hx-get=", " hx-on:click=", "alert(1)",
]  # fmt: skip
SCHEMES = [
    "javascript:", "JaVaScRiPt:", "java\tscript:", "java&#x09;script:", "&#106;avascript:",
    "javascript&colon;", " javascript:", "\x01javascript:", "vbscript:", "data:",
    "data:text/html,", "data:image/png;base64,", "DATA:", "file:", "mailto:", "https:",
]  # fmt: skip
URLS = st.builds(
    "".join,
    st.tuples(
        st.sampled_from(SCHEMES), st.from_regex(r"[a-z0-9()/%#?=&;:.\"' <>]{0,20}", fullmatch=True)
    ),
)
LINKS = st.one_of(
    st.builds("[{}]({})".format, st.text(max_size=10), URLS),
    st.builds("![{}]({})".format, st.text(max_size=10), URLS),
    st.builds('[{}]({} "{}")'.format, st.text(max_size=10), URLS, st.text(max_size=10)),
    st.builds("[{0}]\n\n[{0}]: {1}".format, st.from_regex(r"[a-z]{1,8}", fullmatch=True), URLS),
    st.builds("<{}>".format, URLS),
)
FRAGMENT = st.one_of(
    st.sampled_from(MARKDOWN),
    st.sampled_from(HTML),
    st.sampled_from(SCHEMES),
    st.sampled_from(PAYLOADS),
    LINKS,
    st.text(max_size=8),
)
DOCUMENTS = st.lists(FRAGMENT, max_size=25).map("".join)


@BOUNDED
@given(DOCUMENTS)
def test_markdown_html_and_hostile_fragments_in_any_order_render_to_allow_listed_html(source):
    assert problems_in(source) == []


@BOUNDED
@given(LINKS)
def test_links_and_images_to_any_address_keep_only_safe_schemes(source):
    assert problems_in(source) == []


@BOUNDED
@given(
    st.lists(st.one_of(FRAGMENT, st.sampled_from(["@alice", "@Alice", "@bob_2", "@"])), max_size=15)
)
def test_mentions_among_hostile_text_add_only_mention_links(fragments):
    source = " ".join(fragments)
    assert problems_in(source, members={"alice": "alice", "bob_2": "bob_2"}) == []


# Raw HTML with none of Markdown's own syntax: no emphasis, links, entities, escapes, code,
# autolinks (":"), quotes (">" first) or list items ("1)" first).
RAW_HTML = st.from_regex(r"[A-Za-z0-9 </>=\"'();,]{1,80}", fullmatch=True).filter(
    lambda text: text.strip() and not re.match(r"\s*(>|\d+\))", text)
)


@BOUNDED
@given(st.one_of(RAW_HTML, st.sampled_from(HTML).map(lambda tag: f"{tag} x")))
def test_raw_html_reads_back_as_typed(source):
    rendered = render_markdown(source).html
    text = html.unescape(re.sub(r"<[^>]*>", "", rendered))
    assert text.split() == source.split()
