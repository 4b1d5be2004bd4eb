import importlib
from html.parser import HTMLParser

import pytest
from django.apps import apps as django_apps

from forum.models import Post
from forum.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, mention_candidates, render_markdown
from tests.builders.forum import make_thread
from tests.builders.members import MemberFactory


class ElementCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = ElementCollector()
    collector.feed(html)
    return collector.elements


def test_markdown_is_rendered_to_html():
    html = render_markdown("**bold** and *italic*\n\n- one\n- two").html
    assert "<strong>bold</strong>" in html
    assert "<em>italic</em>" in html
    assert "<li>one</li>" in html


def test_raw_html_is_shown_as_text_not_markup():
    html = render_markdown("<b>not bold</b>").html
    assert "<b>" not in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "![x](javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="#" onclick="alert(1)">x</a>',
        "<svg onload=alert(1)>",
        "[x](JaVaScRiPt:alert(1))",
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_hostile_payloads_come_out_inert(payload):
    for tag, attrs in elements(render_markdown(payload).html):
        assert tag in ALLOWED_TAGS
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel", "class"}
        for url in (attrs.get("href"), attrs.get("src")):
            assert url is None or url.startswith(("http://", "https://", "/", "mailto:"))


def test_links_are_marked_nofollow_ugc_noopener():
    html = render_markdown("[site](https://example.org) and https://example.com/page").html
    assert html.count('rel="nofollow ugc noopener"') == 2


def test_only_allowed_tags_survive():
    html = render_markdown("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~").html
    assert "<h1>" in html and "<table>" in html and "<s>gone</s>" in html
    assert "style=" not in html


def test_a_mention_of_an_existing_member_links_to_their_profile():
    rendered = render_markdown("Thanks @Alice!", members={"alice": "alice"})
    assert '<a href="/m/alice/" class="mention" rel="nofollow ugc noopener">@alice</a>' in (
        rendered.html
    )
    assert rendered.mentioned_usernames == {"alice"}


def test_unknown_names_and_code_and_emails_are_not_mentions():
    rendered = render_markdown(
        "@nobody, `@alice` and mail alice@example.org", members={"alice": "alice"}
    )
    assert 'class="mention"' not in rendered.html
    assert rendered.mentioned_usernames == set()


def test_mention_candidates_are_lowercased_names():
    assert mention_candidates("hi @Alice and @bob_2, not an@email") == {"alice", "bob_2"}


def test_a_post_link_inside_a_blockquote_is_a_quote():
    rendered = render_markdown("> **alice** [wrote](/p/42/):\n> hello\n\nand [see](/p/7/)")
    assert rendered.quoted_post_ids == {42}


@pytest.mark.parametrize(
    ("source", "host"),
    [
        ("![x](https://tracker.example/a.png)", "tracker.example"),
        ("![x](HTTP://Tracker.Example/a.png)", "tracker.example"),
        ("![x](//tracker.example/a.png)", "tracker.example"),
        ("![x](https://testserver.example@tracker.example:8443/a.png)", "tracker.example"),
        ("![x][pic]\n\n[pic]: https://tracker.example/a.png", "tracker.example"),
    ],
)
def test_an_image_from_another_site_is_a_link_to_it_and_loads_nothing(source, host):
    html = render_markdown(source).html
    assert not [tag for tag, _ in elements(html) if tag == "img"]
    [(tag, attrs)] = elements(html)[1:]
    assert tag == "a"
    assert host in attrs["href"].lower()
    assert f">Show the image from {host}: x</a>" in html


def test_an_image_from_another_site_without_a_description_names_its_host():
    html = render_markdown('![](https://tracker.example/a.png "A title")').html
    assert (
        '<a href="https://tracker.example/a.png" title="A title" rel="nofollow ugc noopener">'
        "Show the image from tracker.example</a>"
    ) in html


def test_an_image_from_another_site_inside_a_link_is_its_description():
    html = render_markdown("[![badge](https://tracker.example/b.svg)](https://example.org)").html
    assert html == ('<p><a href="https://example.org" rel="nofollow ugc noopener">badge</a></p>\n')


@pytest.mark.parametrize("src", ["/media/a.png", "a.png", "http://testserver/media/a.png"])
def test_the_sites_own_images_still_show(src):
    [_, (tag, attrs)] = elements(render_markdown(f"![A garden]({src})").html)
    assert (tag, attrs) == ("img", {"src": src, "alt": "A garden"})


@pytest.mark.django_db
def test_posts_stored_with_an_image_from_another_site_are_rendered_again():
    """Posts written before the change: the migration renders them again from their source,
    and leaves the others, and a mention's link, as they were."""
    migration = importlib.import_module("forum.migrations.0009_remote_images_as_links")
    mentioned = MemberFactory(username="noor")
    thread = make_thread(source="@noor, look: ![hives](https://tracker.example/a.png)")
    post = thread.posts.get()
    Post.objects.filter(pk=post.pk).update(
        html='<p>look: <img src="https://tracker.example/a.png" alt="hives"></p>'
    )
    untouched = make_thread(source="Nothing to load.").posts.get()

    migration.render_remote_images_as_links(django_apps, schema_editor=None)

    post.refresh_from_db()
    assert "<img" not in post.html
    assert 'href="https://tracker.example/a.png"' in post.html
    assert f'href="/m/{mentioned.username}/"' in post.html
    assert Post.objects.get(pk=untouched.pk).html == untouched.html
