"""Content in another language than the page's is marked with `lang`, so that a screen reader
reads it with the right voice: a post and its thread's title in their author's language, the
charter's texts in the site's."""

import re

import pytest
from django.test import Client

from forum import services
from tests.builders.charter import charter_in_force
from tests.builders.forum import make_reply, make_thread
from tests.builders.members import MemberFactory, signed_in

pytestmark = pytest.mark.django_db


def english_page(client: Client, url: str) -> str:
    client.cookies["django_language"] = "en"
    text = client.get(url).text
    assert '<html lang="en"' in text
    return text


def test_a_post_is_taken_to_be_in_the_language_its_author_chose(category):
    camille = MemberFactory(language="fr")
    thread = make_thread(category=category, author=camille, title="Troc de graines")
    assert (thread.language, thread.posts.get().language) == ("fr", "fr")
    assert make_reply(thread, author=MemberFactory(language="en")).language == "en"


def test_a_member_who_chose_no_language_writes_in_the_one_they_read(thread):
    reader = MemberFactory(language="")
    client = signed_in(reader)
    client.cookies["django_language"] = "fr"
    client.post(f"/t/{thread.pk}/reply/", {"source": "Je viendrai avec des semis."})
    assert thread.posts.get(author=reader).language == "fr"


def test_a_french_post_on_an_english_page_carries_lang_fr(visitor_client, category):
    camille = MemberFactory(language="fr")
    thread = make_thread(category=category, author=camille, title="Troc de graines")
    make_reply(thread, author=MemberFactory(language="en"), source="Count me in.")
    page = english_page(visitor_client, thread.get_absolute_url())
    assert re.search(r'<h1 lang="fr">\s*Troc de graines', page)
    bodies = re.findall(r'<div class="post__body prose" lang="(\w+)">', page)
    assert bodies == ["fr", "en"]
    listing = english_page(visitor_client, category.get_absolute_url())
    assert re.search(r'class="thread-row__title" href="[^"]+" lang="fr">Troc de graines', listing)


def test_a_search_hit_carries_the_language_of_its_post(visitor_client, category):
    make_thread(category=category, author=MemberFactory(language="fr"), title="Troc de graines")
    page = english_page(visitor_client, "/search/?q=graines")
    assert re.search(r'class="search-hit__title" href="[^"]+" lang="fr">Troc de graines', page)


def test_a_post_of_unknown_language_carries_no_lang(visitor_client, thread):
    thread.posts.update(language="")
    page = english_page(visitor_client, thread.get_absolute_url())
    assert '<div class="post__body prose">' in page


def test_the_charter_is_marked_in_the_sites_language_on_a_page_in_the_other(
    settings, visitor_client
):
    settings.LANGUAGE_CODE = "fr"
    charter_in_force()
    page = english_page(visitor_client, "/charter/")
    assert re.search(r'<div class="prose" lang="fr">\s*<p>Members address each other', page)


def test_an_amendments_discussion_is_in_the_sites_language_like_the_charter(category):
    """The charter app writes the opening of the discussion, in the site's language, in the
    name of the proposal's author, whatever theirs."""
    english = MemberFactory(language="en")
    thread = services.start_thread_for(
        author=english, category=category, title="Amendement", source="Ouvert.", language="fr"
    )
    assert (thread.language, thread.posts.get().language) == ("fr", "fr")
