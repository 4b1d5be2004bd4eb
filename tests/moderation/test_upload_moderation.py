"""Images in signalled posts: the case keeps them as they were signalled, a decision that hides
the post hides them, and the public journal never shows them."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from forum.models import PostState, Upload
from tests.builders import files
from tests.builders.forum import make_thread
from tests.builders.members import signed_in
from tests.builders.moderation import signal, uphold

pytestmark = pytest.mark.django_db

UPLOAD = reverse("forum:upload_new")


@pytest.fixture
def author_client(author) -> Client:
    return signed_in(author)


def added(client: Client, content: bytes, name: str, alt: str) -> tuple[str, Upload]:
    response = client.post(
        UPLOAD, {"attachment": files.as_upload(name, content, "image/jpeg"), "alt": alt}
    )
    assert response.status_code == 201, response.content
    markdown = response.json()["markdown"]
    return markdown, Upload.objects.get(token=re.search(r"/files/([\w-]{24})/", markdown)[1])


def served(client: Client, upload: Upload) -> int:
    response = client.get(upload.get_absolute_url())
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end, as a browser would
    return response.status_code


@pytest.fixture
def signalled(author_client, charter):
    """A post with a photo, signalled; then its author swaps the photo for another."""
    thread = make_thread(title="Gardening tips", source="Let us talk about tomatoes.")
    markdown, photo = added(author_client, files.photo_with_gps(), "offer.jpg", "A price list")
    response = author_client.post(f"/t/{thread.pk}/reply/", {"source": f"Buy!\n\n{markdown}"})
    assert response.status_code == 302
    photo.refresh_from_db()
    post = photo.post
    signal(post)
    markdown, replacement = added(author_client, files.picture("PNG"), "tomato.png", "A tomato")
    response = author_client.post(
        f"/p/{post.pk}/edit/", {"source": f"Just a tomato.\n\n{markdown}"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert photo.get_absolute_url() not in post.html
    return post, photo, replacement


def test_the_case_shows_the_image_as_it_was_signalled(moderator_client, signalled):
    post, photo, replacement = signalled
    case_page = moderator_client.get(reverse("moderation:case", args=[post.moderation_case.pk]))
    assert case_page.status_code == 200
    snapshot, now = case_page.text.split("The post now", 1)
    assert f'src="{photo.get_absolute_url()}"' in snapshot
    assert f'src="{replacement.get_absolute_url()}"' in now
    assert served(moderator_client, photo) == 200


def test_a_decision_hiding_the_post_hides_its_images(
    moderator, moderator_client, visitor_client, member_client, author_client, signalled
):
    post, photo, replacement = signalled
    assert served(visitor_client, replacement) == 200
    uphold(post.moderation_case, moderator, action="hide")
    post.refresh_from_db()
    assert post.state == PostState.HIDDEN
    for upload in (photo, replacement):
        assert served(visitor_client, upload) == 404
        assert served(member_client, upload) == 404
        assert served(author_client, upload) == 200
        assert served(moderator_client, upload) == 200
    assert "/files/" not in visitor_client.get(f"/t/{post.thread_id}/").text


def test_the_journal_never_shows_a_posts_images(
    moderator, visitor_client, member_client, moderator_client, signalled
):
    post, _photo, _replacement = signalled
    uphold(post.moderation_case, moderator, action="hide")
    for client in (visitor_client, member_client, moderator_client):
        for page in ("/moderation/journal/", "/moderation/journal/feed/"):
            response = client.get(page)
            assert response.status_code == 200
            assert "Advertising is off topic here." in response.content.decode()
            assert "/files/" not in response.content.decode()
