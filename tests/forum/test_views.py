import re

import pytest
from django.conf import settings

from forum import services
from forum.models import Post, PostState, Thanks, Thread
from forum.selectors import SEARCH_CANDIDATES, SEARCH_PAGE_SIZE
from tests.builders.forum import CategoryFactory, make_reply, make_thread
from tests.builders.members import MemberFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_it_shows_categories_and_recent_threads_to_visitors(visitor_client, thread):
    response = visitor_client.get("/")
    assert response.status_code == 200
    assert "Gardens" in response.text and "Seed swap in spring" in response.text


@pytest.mark.parametrize("persona", ["visitor_client", "member_client"])
def test_the_index_shows_each_thread_once(request, persona):
    """A category's latest thread is on its row; the other recent threads list the rest."""
    for name in ("Gardens", "Café"):
        category = CategoryFactory(name=name)
        for n in range(3):
            make_thread(category=category, title=f"{name} thread {n}")
    text = request.getfixturevalue(persona).get("/").text
    for name in ("Gardens", "Café"):
        for n in range(3):
            assert text.count(f"{name} thread {n}") == 1, f"{name} thread {n}"


def test_it_lists_pinned_threads_first_then_newest_activity(visitor_client, category):
    old = make_thread(category=category, title="Old news")
    pinned = make_thread(category=category, title="Read me first")
    Thread.objects.filter(pk=pinned.pk).update(pinned=True)
    fresh = make_thread(category=category, title="Fresh topic")
    make_reply(old)  # the oldest thread becomes the most recently active
    text = visitor_client.get("/c/gardens/").text
    positions = [text.index(t.title) for t in (pinned, old, fresh)]
    assert positions == sorted(positions)


def test_it_hides_moderator_only_categories_from_members(member_client, moderator_client):
    room = CategoryFactory(name="Moderators room", slug="room", read_restricted=True)
    secret = make_thread(category=room, author=MemberFactory(is_moderator=True), title="Secret")
    assert "Moderators room" not in member_client.get("/").text
    assert member_client.get("/c/room/").status_code == 404
    assert member_client.get(f"/t/{secret.pk}/").status_code == 404
    assert "search-hit" not in member_client.get("/search/?q=Secret").text
    assert moderator_client.get(f"/t/{secret.pk}/").status_code == 200


def test_a_missing_thread_or_post_is_a_404(visitor_client):
    assert visitor_client.get("/t/424242/").status_code == 404
    assert visitor_client.get("/p/424242/").status_code == 404
    assert visitor_client.get("/c/nowhere/").status_code == 404


@pytest.mark.parametrize("page", ["abc", "-3", "0", "1e9", "99999999999999999999"])
def test_odd_page_numbers_never_fail(visitor_client, thread, page):
    assert visitor_client.get(f"/t/{thread.pk}/?page={page}").status_code in (200, 404)


def test_a_page_past_the_end_is_a_404(visitor_client, thread):
    assert visitor_client.get(f"/t/{thread.pk}/?page=2").status_code == 404


def test_a_member_starts_a_thread(member_client, category, member):
    response = member_client.post(
        "/c/gardens/new/", {"title": "Tomatoes", "source": "Which **varieties**?"}
    )
    thread = Thread.objects.get(title="Tomatoes")
    assert response.status_code == 302 and response["Location"] == f"/t/{thread.pk}/"
    assert thread.author == member and thread.posts.get().source == "Which **varieties**?"


def test_a_title_is_kept_on_one_line(member_client, category):
    member_client.post(
        "/c/gardens/new/", {"title": "Seed swap\nin\u2028 spring\t", "source": "Bring seeds."}
    )
    thread = Thread.objects.get()
    assert thread.title == "Seed swap in spring"
    services.update_thread(thread=thread, title="Seed\r\nswap", pinned=False, locked=False)
    thread.refresh_from_db()
    assert thread.title == "Seed swap"


def test_visitors_are_sent_to_sign_in_before_posting(visitor_client, thread):
    response = visitor_client.post(f"/t/{thread.pk}/reply/", {"source": "Hello"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert thread.posts.count() == 1


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "Write something before posting."),
        ("   \n  ", "Write something before posting."),
        ("x" * 100_000, f"at most {settings.POST_MAX_LENGTH} characters"),
    ],
)
def test_empty_or_huge_posts_get_a_clear_error_and_nothing_is_saved(
    other_client, thread, source, message
):
    response = other_client.post(f"/t/{thread.pk}/reply/", {"source": source})
    assert response.status_code == 200
    assert message in response.text
    assert thread.posts.count() == 1


def test_a_rejected_reply_keeps_what_was_typed(other_client, thread):
    response = other_client.post(f"/t/{thread.pk}/reply/", {"source": "x" * 20_001})
    assert "x" * 20_001 in response.text


def test_a_thread_needs_a_title(member_client, category):
    response = member_client.post("/c/gardens/new/", {"title": " ", "source": "Body"})
    assert "Give your thread a title." in response.text
    assert not Thread.objects.exists()


def test_a_null_byte_is_a_form_error_not_a_crash(other_client, thread):
    response = other_client.post(f"/t/{thread.pk}/reply/", {"source": "nul \x00 byte"})
    assert response.status_code == 200 and thread.posts.count() == 1


def test_script_payloads_in_titles_and_posts_come_out_inert(member_client, category):
    member_client.post(
        "/c/gardens/new/",
        {
            "title": "<script>window.pwned=1</script>",
            "source": '<img src=x onerror="window.pwned=1"> [x](javascript:window.pwned=1)',
        },
    )
    thread = Thread.objects.get()
    for url in ("/", "/c/gardens/", f"/t/{thread.pk}/"):
        text = member_client.get(url).text
        assert "<script>window.pwned" not in text
        assert "<img src=x" not in text and 'href="javascript:' not in text
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in text


def test_a_reply_lands_on_its_post(other_client, thread):
    response = other_client.post(f"/t/{thread.pk}/reply/", {"source": "Count me in"})
    assert response["Location"] == f"/t/{thread.pk}/#post-2"


def test_the_author_edits_their_post_and_readers_see_edited_and_history(member_client, thread):
    post = thread.posts.get()
    member_client.post(f"/p/{post.pk}/edit/", {"source": "Seed swap on *Saturday*"})
    page = member_client.get(f"/t/{thread.pk}/").text
    assert "<em>Saturday</em>" in page and f"/p/{post.pk}/history/" in page
    history = member_client.get(f"/p/{post.pk}/history/").text
    assert "The opening post." in history and "Saturday" in history


def test_editing_someone_elses_post_is_refused_and_changes_nothing(other_client, thread):
    post = thread.posts.get()
    assert other_client.get(f"/p/{post.pk}/edit/").status_code == 403
    assert other_client.post(f"/p/{post.pk}/edit/", {"source": "Hacked"}).status_code == 403
    post.refresh_from_db()
    assert post.source == "The opening post." and not post.revisions.exists()


def test_deleting_someone_elses_post_is_refused_and_changes_nothing(other_client, thread):
    post = thread.posts.get()
    assert other_client.post(f"/p/{post.pk}/delete/").status_code == 403
    post.refresh_from_db()
    assert post.state == PostState.VISIBLE


def test_a_deleted_post_shows_a_placeholder(member_client, visitor_client, thread):
    post = thread.posts.get()
    member_client.post(f"/p/{post.pk}/delete/")
    page = visitor_client.get(f"/t/{thread.pk}/").text
    assert "This post was deleted by its author." in page
    assert "The opening post." not in page


def test_state_changing_views_refuse_get(other_client, thread):
    post = thread.posts.get()
    assert other_client.get(f"/p/{post.pk}/thanks/").status_code == 405
    assert other_client.get(f"/t/{thread.pk}/watch/").status_code == 405
    assert not Thanks.objects.exists()


def test_thanks_with_htmx_returns_the_button_and_count(other_client, thread):
    post = thread.posts.get()
    response = other_client.post(f"/p/{post.pk}/thanks/", **HTMX)
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.text and "1 thank-you" in response.text
    other_client.post(f"/p/{post.pk}/thanks/", **HTMX)
    assert Thanks.objects.count() == 1


def test_one_thanks_reads_in_the_singular_and_two_in_the_plural(visitor_client, thread):
    post = thread.posts.get()
    services.thank(member=MemberFactory(), post=post)
    assert "1 thank-you" in visitor_client.get(thread.get_absolute_url()).text
    services.thank(member=MemberFactory(), post=post)
    page = visitor_client.get(thread.get_absolute_url()).text
    assert "2 thanks" in page and "thank-you" not in page


def test_the_author_sees_who_thanked_them(member_client, other_client, thread):
    other_client.post(f"/p/{thread.posts.get().pk}/thanks/")
    assert "Thanked by" in member_client.get(f"/t/{thread.pk}/").text
    assert "Bruno Petit" in member_client.get(f"/t/{thread.pk}/").text


def test_quote_without_javascript_prefills_the_reply(other_client, thread):
    post = thread.posts.get()
    response = other_client.get(f"/t/{thread.pk}/reply/?quote={post.pk}")
    assert f"&gt; **alice** [wrote](/p/{post.pk}/):\n&gt; The opening post." in response.text


def test_quote_with_htmx_appends_to_what_was_typed(other_client, thread):
    post = thread.posts.get()
    response = other_client.post(f"/p/{post.pk}/quote/", {"source": "My draft"}, **HTMX)
    assert 'id="id_source"' in response.text
    assert f"My draft\n\n&gt; **alice** [wrote](/p/{post.pk}/):" in response.text


def test_preview_renders_markdown_without_saving(other_client, thread):
    response = other_client.post("/preview/", {"source": "**bold**"}, **HTMX)
    assert "<strong>bold</strong>" in response.text
    assert Post.objects.count() == 1


def test_preview_without_javascript_keeps_the_form(other_client, thread):
    response = other_client.post(f"/t/{thread.pk}/reply/", {"source": "*draft*", "preview": "1"})
    assert response.status_code == 200 and "<em>draft</em>" in response.text
    assert thread.posts.count() == 1


def test_a_member_sees_unread_posts_and_opens_at_the_first_one(member_client, thread):
    member_client.get(f"/t/{thread.pk}/")
    make_reply(thread)
    make_reply(thread)
    assert '<span class="unread">2 unread</span>' in member_client.get("/c/gardens/").text
    response = member_client.get(f"/t/{thread.pk}/unread/")
    assert response["Location"] == f"/t/{thread.pk}/#post-2"
    member_client.get(f"/t/{thread.pk}/")
    assert 'class="unread"' not in member_client.get("/c/gardens/").text


def test_the_first_unread_post_can_be_on_a_later_page(member_client, thread):
    for _ in range(settings.POSTS_PER_PAGE + 2):
        make_reply(thread)
    response = member_client.get(f"/t/{thread.pk}/unread/")
    assert response["Location"] == f"/t/{thread.pk}/#post-2"
    member_client.get(f"/t/{thread.pk}/")  # reads page 1
    response = member_client.get(f"/t/{thread.pk}/unread/")
    first_unread = settings.POSTS_PER_PAGE + 1
    assert response["Location"] == f"/t/{thread.pk}/?page=2#post-{first_unread}"


def test_a_member_mutes_a_thread(member_client, thread, member):
    member_client.post(f"/t/{thread.pk}/watch/", {"level": "muted"})
    assert thread.subscriptions.get(member=member).level == "muted"
    assert member_client.post(f"/t/{thread.pk}/watch/", {"level": "bogus"}).status_code == 302
    assert thread.subscriptions.get(member=member).level == "muted"


def test_a_member_watches_a_category(member_client, category, member):
    member_client.post("/c/gardens/watch/", {"level": "watching"})
    assert category.subscriptions.get(member=member).level == "watching"


@pytest.mark.both_databases  # PostgreSQL searches its own way (forum.selectors)
def test_search_finds_posts_and_thread_titles(visitor_client, category):
    make_thread(category=category, title="Rainwater barrels", source="We need a pump.")
    thread = make_thread(category=category, title="Bees", source="Hives arrive in May.")
    make_reply(thread, source="The <b>hives</b> are ready")
    response = visitor_client.get("/search/?q=hives")
    assert response.status_code == 200
    assert response.text.count('class="search-hit"') == 2
    assert "<mark>" in response.text and "<b>hives</b>" not in response.text
    assert "Rainwater barrels" in visitor_client.get("/search/?q=rainwater").text


@pytest.mark.both_databases  # PostgreSQL searches its own way (forum.selectors)
def test_search_with_an_overlong_query_says_so(visitor_client):
    response = visitor_client.get("/search/?q=" + "a" * 500)
    assert response.status_code == 200 and "Keep your search under 200" in response.text


@pytest.mark.postgresql
@pytest.mark.parametrize("dashes", ["-" * 40 + "x", "x " + "- " * 40, "-(" * 40 + "x"])
@pytest.mark.both_databases  # PostgreSQL searches its own way (forum.selectors)
def test_a_search_of_many_dashes_finds_nothing_rather_than_failing(visitor_client, dashes):
    # 32 "-" (websearch's "not") before a word overflowed PostgreSQL's tsquery parser.
    response = visitor_client.get("/search/", {"q": dashes})
    assert response.status_code == 200 and "Nothing matches" in response.text


@pytest.mark.postgresql
def test_a_dash_before_a_word_still_leaves_it_out(visitor_client, category):
    make_thread(category=category, title="Tomatoes", source="Tomatoes with basil.")
    make_thread(category=category, title="More tomatoes", source="Tomatoes alone.")
    response = visitor_client.get("/search/", {"q": "tomatoes ---basil"})
    assert response.text.count('class="search-hit"') == 1 and "More tomatoes" in response.text


@pytest.mark.both_databases  # PostgreSQL searches its own way (forum.selectors)
def test_search_pages_end_with_the_candidates(visitor_client, category):
    make_thread(category=category, title="Hives", source="Hives arrive in May.")
    last = SEARCH_CANDIDATES // SEARCH_PAGE_SIZE
    assert visitor_client.get("/search/", {"q": "hives", "page": last}).status_code == 200
    for past in (last + 1, 99999999999999999999):  # the second overflowed a bigint
        assert visitor_client.get("/search/", {"q": "hives", "page": past}).status_code == 404


def test_a_nul_character_in_the_path_or_the_query_is_a_bad_request(visitor_client, member):
    assert visitor_client.get("/m/%00/").status_code == 400
    assert visitor_client.get(f"/m/{member.username}%00/").status_code == 400
    assert visitor_client.get("/search/?q=hives%00").status_code == 400


def test_a_bad_request_says_so_in_the_visitors_language(visitor_client):
    english = visitor_client.get("/m/%00/")
    french = visitor_client.get("/m/%00/", headers={"accept-language": "fr"})
    assert "This address cannot be read" in english.text
    assert french.status_code == 400
    assert '<html lang="fr">' in french.text
    assert "Cette adresse est illisible" in french.text
    assert visitor_client.get("/search/?q=hives%2500").status_code == 200  # a "%00" typed


@pytest.mark.parametrize("quote", ["²", "9" * 5000, "-1", "99999999999999999999"])
def test_a_quote_of_no_post_leaves_the_reply_empty(other_client, thread, quote):
    response = other_client.get(f"/t/{thread.pk}/reply/", {"quote": quote})
    assert response.status_code == 200 and "wrote" not in response.text


def test_member_profiles_are_public(visitor_client, thread):
    response = visitor_client.get("/m/alice/")
    assert response.status_code == 200
    assert "Alice Martin" in response.text and "Seed swap in spring" in response.text
    assert visitor_client.get("/m/nobody/").status_code == 404


def test_moderators_are_shown_as_such_on_their_profile(visitor_client, moderator):
    assert "Moderator" in visitor_client.get("/m/noor/").text


def test_the_history_of_a_deleted_post_is_not_shown(member_client, visitor_client, thread):
    post = thread.posts.get()
    member_client.post(f"/p/{post.pk}/edit/", {"source": "Second version"})
    member_client.post(f"/p/{post.pk}/delete/")
    history = visitor_client.get(f"/p/{post.pk}/history/").text
    assert "The opening post." not in history and "Second version" not in history


@pytest.mark.both_databases  # PostgreSQL searches its own way (forum.selectors)
def test_search_and_profile_excerpts_read_as_text_not_markdown(visitor_client, category, member):
    make_thread(category=category, author=member, title="Compost", source="**Worms** & *leaves*")
    for url in ("/search/?q=worms", "/m/alice/"):
        text = visitor_client.get(url).text
        assert "**" not in text.split("<main")[1]
        assert re.search(r"&amp;\s+leaves", text) and "&amp;amp;" not in text


def test_the_preview_links_mentions_as_the_saved_post_will(other_client, thread, member):
    response = other_client.post("/preview/", {"source": "Thanks @alice"}, **HTMX)
    assert 'href="/m/alice/"' in response.text
