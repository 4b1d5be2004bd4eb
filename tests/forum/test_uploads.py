"""Images and files in posts, through the composer's views and the file's address: who may
upload, what is kept, what the served file's headers say, and who may have it."""

import copy
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from forum import services
from forum.models import Upload
from members.models import Member
from tests.builders import files
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory, signed_in
from tests.hostile_payloads import PAYLOADS

pytestmark = pytest.mark.django_db

UPLOAD = reverse("forum:upload_new")
ADDRESS = r"/files/[A-Za-z0-9_-]{24}/"
NO_ALT = (
    "Say in a few words what the image shows, for the readers who cannot see it, then add it again."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test's files in a folder of its own, to see what was stored and what was not."""
    storages = copy.deepcopy(settings.STORAGES)
    storages["default"]["OPTIONS"]["location"] = tmp_path
    settings.STORAGES = storages
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(media) -> list[str]:
    return sorted(path.name for path in media.rglob("*") if path.is_file())


def add(client, content: bytes, name: str, *, alt: str = "", claimed: str = "image/png"):
    """The composer's script sending a file."""
    return client.post(UPLOAD, {"attachment": files.as_upload(name, content, claimed), "alt": alt})


def added(client, content: bytes, name: str, *, alt: str = "", claimed: str = "image/png"):
    """The Markdown of a file the composer added, and its Upload."""
    response = add(client, content, name, alt=alt, claimed=claimed)
    assert response.status_code == 201, response.content
    markdown = response.json()["markdown"]
    token = re.search(r"/files/([A-Za-z0-9_-]{24})/", markdown)[1]
    return markdown, Upload.objects.get(token=token)


def body(response) -> bytes:
    """A served file's bytes. Read to the end, the response closes as a server would close it
    (the test client's way, which keeps the test's database connection open)."""
    return b"".join(response.streaming_content)


def photo_in_post(client, thread, *, content=None, name="garden.jpg", alt="The garden"):
    """A reply by `client`'s member showing a photo; the post and its upload."""
    markdown, upload = added(client, content or files.photo_with_gps(), name, alt=alt)
    response = client.post(f"/t/{thread.pk}/reply/", {"source": f"Look:\n\n{markdown}"})
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.post is not None
    return upload.post, upload


# Uploading


def test_an_image_added_by_the_composer_gives_its_markdown(member_client, member):
    response = add(member_client, files.picture("PNG"), "barn.png", alt="A red barn")
    assert response.status_code == 201
    assert re.fullmatch(rf"!\[A red barn\]\({ADDRESS}barn\.png\)", response.json()["markdown"])
    upload = Upload.objects.get()
    assert upload.owner == member and upload.post is None and upload.kind == "image"
    assert (upload.width, upload.height) == (64, 48)


@pytest.mark.parametrize(
    ("content", "name", "kept_as"),
    [
        (files.pdf(), "minutes.pdf", "minutes.pdf"),
        (files.odt(), "minutes.odt", "minutes.odt"),
        (b"Semis : mars\n", "seeds.txt", "seeds.txt"),
    ],
)
def test_a_file_added_by_the_composer_gives_a_link(member_client, content, name, kept_as):
    response = add(member_client, content, name, claimed="application/octet-stream")
    assert response.status_code == 201
    escaped = re.escape(kept_as)
    assert re.fullmatch(rf"\[{escaped}\]\({ADDRESS}{escaped}\)", response.json()["markdown"])


def test_an_image_without_alt_text_is_refused_and_nothing_is_kept(member_client, media):
    response = add(member_client, files.picture("PNG"), "barn.png", alt="  ")
    assert response.status_code == 400 and response.json() == {"error": NO_ALT}
    assert not Upload.objects.exists() and stored(media) == []


def test_a_nine_megabyte_file_is_refused_and_nothing_is_kept(member_client, media):
    response = add(member_client, b"a" * (9 * 1024 * 1024), "big.txt", claimed="text/plain")
    assert response.status_code == 400
    assert response.json()["error"] == "This file is 9.0\xa0MB: files can be at most 8.0\xa0MB."
    assert not Upload.objects.exists() and stored(media) == []


def test_a_refused_type_is_a_clear_error(member_client, media):
    response = add(member_client, files.svg(), "logo.svg", claimed="image/svg+xml")
    assert response.status_code == 400 and "HTML, SVG, XML" in response.json()["error"]
    assert not Upload.objects.exists() and stored(media) == []


def test_no_file_at_all_is_a_clear_error(member_client):
    response = member_client.post(UPLOAD, {"alt": "Nothing"})
    assert response.status_code == 400 and response.json() == {"error": "Choose a file to add."}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"alt": "A barn\x00"}, "Null characters are not allowed."),
        ({"alt": "x" * 301}, "A description can be at most 300 characters long (it has 301)."),
        ({"attachment": "not a file"}, "Choose a file to add."),
        ({"attachment": files.as_upload("empty.png", b"")}, "This file is empty."),
    ],
    ids=["NUL in the description", "long description", "text for a file", "empty file"],
)
def test_odd_input_is_a_clear_error_not_a_crash(member_client, media, fields, message):
    fields = {"attachment": files.as_upload("barn.png", files.picture("PNG")), **fields}
    response = member_client.post(UPLOAD, fields)
    assert response.status_code == 400 and response.json() == {"error": message}
    assert not Upload.objects.exists() and stored(media) == []


def test_a_nul_in_the_name_is_dropped(member_client):
    _, upload = added(member_client, files.pdf(), "min\x00utes.pdf")
    assert upload.name == "minutes.pdf"


def test_the_daily_quota_refuses_the_upload_past_it(member_client, settings, media):
    first = files.picture("PNG")
    _, kept = added(member_client, first, "one.png", alt="One")
    settings.UPLOAD_DAILY_BYTES = kept.size + 100
    response = add(member_client, files.picture("PNG"), "two.png", alt="Two")
    assert response.status_code == 400
    assert response.json()["error"] == (
        f"You have uploaded {filesizeformat(kept.size)} in the last 24 hours, and this file "
        f"would take you past the daily {filesizeformat(kept.size + 100)}. Try again "
        "tomorrow, or upload a smaller file."
    )
    assert Upload.objects.count() == 1 and len(stored(media)) == 1


def test_yesterdays_uploads_do_not_count_against_the_quota(member_client, settings):
    _, kept = added(member_client, files.picture("PNG"), "one.png", alt="One")
    Upload.objects.filter(pk=kept.pk).update(created_at=timezone.now() - timedelta(days=1, hours=1))
    settings.UPLOAD_DAILY_BYTES = kept.size + 100
    assert add(member_client, files.picture("PNG"), "two.png", alt="Two").status_code == 201


def test_a_visitor_is_sent_to_sign_in(visitor_client):
    response = add(visitor_client, files.picture("PNG"), "barn.png", alt="A barn")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Upload.objects.exists()


@pytest.mark.parametrize(
    "standing",
    [
        {"suspended_until": timezone.now() + timedelta(days=3)},
        {"must_accept_charter": True},
    ],
    ids=["suspended", "must accept the charter"],
)
def test_a_member_who_may_not_post_may_not_upload(member_client, member, media, standing):
    Member.objects.filter(pk=member.pk).update(**standing)
    response = add(member_client, files.picture("PNG"), "barn.png", alt="A barn")
    assert response.status_code == 403
    assert not Upload.objects.exists() and stored(media) == []


def test_the_upload_view_refuses_get(member_client):
    assert member_client.get(UPLOAD).status_code == 405


def test_uploading_past_the_rate_limit_is_refused(member_client, settings):
    settings.MEMBER_RATE_LIMITS = {**settings.MEMBER_RATE_LIMITS, "uploading": "2/m"}
    for n in range(2):
        assert add(member_client, files.pdf(), f"{n}.pdf").status_code == 201
    response = add(member_client, files.pdf(), "3.pdf")
    assert response.status_code == 429 and "Retry-After" in response
    assert Upload.objects.count() == 2


# The composer without JavaScript


def attach(client, url: str, content: bytes, name: str, **fields):
    return client.post(
        url,
        {"attach": "1", "attachment": files.as_upload(name, content, "image/png"), **fields},
    )


def test_attach_without_javascript_adds_the_markdown_to_what_was_typed(other_client, thread):
    response = attach(
        other_client,
        f"/t/{thread.pk}/reply/",
        files.picture("PNG"),
        "barn.png",
        alt="A red barn",
        source="My barn, before & after:",
    )
    assert response.status_code == 200
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", response.text, re.S)[1]
    assert re.fullmatch(
        rf"\s*My barn, before &amp; after:\n\n!\[A red barn\]\({ADDRESS}barn\.png\)\n",
        textarea,
    )
    assert thread.posts.count() == 1  # nothing posted yet
    assert Upload.objects.get().post is None


def test_posting_with_a_file_still_chosen_adds_it_and_does_not_post_yet(other_client, thread):
    response = other_client.post(
        reverse("forum:reply", args=[thread.pk]),
        {"source": "Here is the plan.", "attachment": files.as_upload("plan.pdf", files.pdf())},
        follow=True,
    )
    assert response.status_code == 200
    assert thread.posts.count() == 1
    upload = Upload.objects.get()
    assert f"Here is the plan.\n\n[plan.pdf]({upload.get_absolute_url()})" in response.text
    assert "The file you had chosen is now in your message" in response.text


def test_attach_without_javascript_keeps_the_new_threads_title(member_client, category):
    response = attach(
        member_client,
        "/c/gardens/new/",
        files.pdf(),
        "plan.pdf",
        title="Our allotment plan",
        source="",
    )
    assert response.status_code == 200
    assert 'value="Our allotment plan"' in response.text
    assert re.search(rf"\[plan\.pdf\]\({ADDRESS}plan\.pdf\)", response.text)
    assert not category.threads.exists()


def test_attach_without_javascript_shows_a_refusal_and_keeps_the_text(other_client, thread):
    response = attach(
        other_client, f"/t/{thread.pk}/reply/", files.picture("PNG"), "barn.png", source="Draft"
    )
    assert response.status_code == 200
    assert NO_ALT in response.text and "Draft</textarea>" in response.text
    assert not Upload.objects.exists() and thread.posts.count() == 1


def test_attach_while_editing_adds_to_the_post_being_edited(member_client, thread):
    opening = thread.posts.get()
    response = attach(
        member_client,
        f"/p/{opening.pk}/edit/",
        files.picture("PNG"),
        "map.png",
        alt="A map",
        source="The opening post, with a map.",
    )
    assert response.status_code == 200
    assert re.search(rf"!\[A map\]\({ADDRESS}map\.png\)", response.text)
    opening.refresh_from_db()
    assert opening.source == "The opening post."


# Attaching to a post


def test_a_reply_that_uses_an_upload_takes_it(member_client, member, thread):
    post, upload = photo_in_post(member_client, thread)
    assert post.author == member and upload.post == post
    assert f'src="{upload.get_absolute_url()}"' in post.html


def test_an_edit_that_adds_an_upload_takes_it(member_client, thread):
    opening = thread.posts.get()
    markdown, upload = added(member_client, files.pdf(), "plan.pdf")
    member_client.post(f"/p/{opening.pk}/edit/", {"source": f"With the plan: {markdown}"})
    upload.refresh_from_db()
    assert upload.post == opening


def test_an_upload_is_not_taken_by_another_members_post_citing_it(
    member_client, other_client, visitor_client, thread
):
    markdown, upload = added(member_client, files.picture("PNG"), "barn.png", alt="A barn")
    response = other_client.post(f"/t/{thread.pk}/reply/", {"source": f"Mine! {markdown}"})
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.post is None
    assert visitor_client.get(upload.get_absolute_url()).status_code == 404


def test_an_upload_taken_by_one_post_stays_with_it(member_client, thread):
    first, upload = photo_in_post(member_client, thread)
    member_client.post(f"/t/{thread.pk}/reply/", {"source": f"Again: {first.source}"})
    upload.refresh_from_db()
    assert upload.post == first


# The served file


def test_an_image_is_served_inline_as_the_type_its_bytes_say(member_client, thread):
    _, upload = photo_in_post(member_client, thread, content=files.picture("PNG"), name="a.gif")
    response = member_client.get(upload.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="a.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert opened(body(response)).format == "PNG"


def test_a_head_request_gets_the_headers_and_the_same_checks(member_client, visitor_client, thread):
    _, upload = photo_in_post(member_client, thread)
    response = visitor_client.head(upload.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    services.hide_post(post=upload.post)
    assert visitor_client.head(upload.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (files.pdf(), "minutes.pdf", "application/pdf"),
        (files.odt(), "minutes.odt", "application/vnd.oasis.opendocument.text"),
        (b"Semis en mars\n", "minutes.txt", "text/plain; charset=utf-8"),
    ],
)
def test_a_file_is_served_as_a_download(member_client, content, name, content_type):
    _, upload = added(member_client, content, name, claimed="text/html")
    response = member_client.get(upload.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert body(response) == content


def opened(content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(content))


def test_the_served_photo_has_no_gps_position(member_client, visitor_client, thread):
    assert 0x8825 in opened(files.photo_with_gps()).getexif()
    _, upload = photo_in_post(member_client, thread)
    served = opened(body(visitor_client.get(upload.get_absolute_url())))
    exif = served.getexif()
    assert served.format == "JPEG"
    assert 0x8825 not in exif and 0x010F not in exif and "exif" not in served.info


def test_a_wrong_name_in_the_address_is_a_404(member_client):
    _, upload = added(member_client, files.pdf(), "minutes.pdf")
    assert member_client.get(f"/files/{upload.token}/other.pdf").status_code == 404
    assert member_client.get("/files/AAAAAAAAAAAAAAAAAAAAAAAA/minutes.pdf").status_code == 404


def test_a_name_in_another_alphabet_is_served_at_its_address(member_client):
    _, upload = added(member_client, files.pdf(), "Огород été.pdf")
    assert upload.name == "Огород_été.pdf"
    response = member_client.get(upload.get_absolute_url())
    assert response.status_code == 200 and body(response) == files.pdf()


# Who may have a file


def test_an_upload_no_post_took_is_served_to_its_owner_only(
    member_client, other_client, visitor_client
):
    _, upload = added(member_client, files.pdf(), "draft.pdf")
    url = upload.get_absolute_url()
    assert member_client.get(url).status_code == 200
    assert other_client.get(url).status_code == 404
    assert visitor_client.get(url).status_code == 404


def test_a_visible_posts_file_is_served_to_a_visitor(member_client, visitor_client, thread):
    _, upload = photo_in_post(member_client, thread)
    assert visitor_client.get(upload.get_absolute_url()).status_code == 200


def test_a_hidden_posts_file_is_served_to_its_author_and_moderators_only(
    member_client, other_client, visitor_client, moderator_client, thread
):
    post, upload = photo_in_post(member_client, thread)
    services.hide_post(post=post)
    url = upload.get_absolute_url()
    assert visitor_client.get(url).status_code == 404
    assert other_client.get(url).status_code == 404
    assert member_client.get(url).status_code == 200
    assert moderator_client.get(url).status_code == 200


def test_a_deleted_posts_file_is_served_to_its_author_and_moderators_only(
    member, member_client, other_client, visitor_client, moderator_client, thread
):
    post, upload = photo_in_post(member_client, thread)
    services.delete_post(member=member, post=post)
    url = upload.get_absolute_url()
    assert visitor_client.get(url).status_code == 404
    assert other_client.get(url).status_code == 404
    assert member_client.get(url).status_code == 200
    assert moderator_client.get(url).status_code == 200


def test_a_file_in_a_moderators_only_category_is_not_served_to_members(
    moderator, moderator_client, member_client, visitor_client
):
    room = CategoryFactory(name="Moderators room", slug="room", read_restricted=True)
    secret = make_thread(category=room, author=moderator, title="Secret")
    _, upload = photo_in_post(moderator_client, secret)
    url = upload.get_absolute_url()
    assert member_client.get(url).status_code == 404
    assert visitor_client.get(url).status_code == 404
    assert signed_in(MemberFactory(is_moderator=True)).get(url).status_code == 200


def test_a_second_request_is_not_modified_until_the_post_is_hidden(
    member_client, visitor_client, thread
):
    post, upload = photo_in_post(member_client, thread)
    url = upload.get_absolute_url()
    first = visitor_client.get(url)
    assert first["ETag"] == f'"{upload.token}"' and first["Cache-Control"] == "private, no-cache"
    again = visitor_client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    services.hide_post(post=post)
    assert visitor_client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 404


# Uploads no post took


def test_old_uploads_no_post_took_are_removed_with_their_files(
    member_client, thread, media, django_capture_on_commit_callbacks
):
    _, old = added(member_client, files.pdf(), "old.pdf")
    _, recent = added(member_client, files.pdf(), "recent.pdf")
    _, used = photo_in_post(member_client, thread)
    long_ago = timezone.now() - timedelta(days=2)
    Upload.objects.filter(pk__in=[old.pk, used.pk]).update(created_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remove_orphans() == 1
    assert set(Upload.objects.values_list("pk", flat=True)) == {recent.pk, used.pk}
    assert sorted(stored(media)) == sorted(
        [recent.stored_as.split("/")[-1], used.stored_as.split("/")[-1]]
    )
    assert member_client.get(old.get_absolute_url()).status_code == 404


# Hostile names and descriptions


def test_hostile_names_and_descriptions_come_out_inert_in_the_post(
    member_client, visitor_client, thread, without_rate_limits
):
    """Every payload of the corpus as a file's name and as an image's description, through the
    composer, then posted: the post's HTML holds none of their markup (the browser test checks
    that nothing runs)."""
    markdowns, failures = [], []
    for n, payload in enumerate(PAYLOADS):
        as_name = add(member_client, b"Notes\n", f"{payload}.txt", claimed="text/html")
        as_alt = add(member_client, files.picture("PNG"), f"{n}.png", alt=payload[:300])
        for response in (as_name, as_alt):
            if response.status_code == 201:
                markdowns.append(response.json()["markdown"])
            else:
                failures.append((payload, response.status_code, response.content))
    assert failures == []
    for chunk in chunks(markdowns, limit=settings.POST_MAX_LENGTH):
        response = member_client.post(f"/t/{thread.pk}/reply/", {"source": chunk})
        assert response.status_code == 302, response.content[:2000]
    assert not Upload.objects.filter(post=None).exists()
    pages = [
        visitor_client.get(f"/t/{thread.pk}/?page={page}").text
        for page in range(1, thread.posts.count() // settings.POSTS_PER_PAGE + 2)
    ]
    bodies = [post.html for post in thread.posts.all()] + [
        body for page in pages for body in POST_BODY.findall(page)
    ]
    assert len(bodies) > 2
    for html in bodies:
        elements = Elements()
        elements.feed(html)
        assert elements.tags <= {"p", "a", "img", "br"}, html
        for tag, name, value in elements.attributes:
            assert name in {"href", "src", "alt", "rel"}, (tag, name, value)
            if name in {"href", "src"}:
                assert re.fullmatch(rf"{ADDRESS}[\w.%-]+", value), (tag, name, value)


class Elements(HTMLParser):
    """The elements and attributes of an HTML fragment, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.add(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]


POST_BODY = re.compile(r'<div class="post__body prose"[^>]*>(.*?)</div>\s*<footer', re.S)


def chunks(markdowns: list[str], *, limit: int) -> list[str]:
    """The Markdown pieces joined into posts of at most `limit` characters."""
    posts, current = [], ""
    for markdown in markdowns:
        if current and len(current) + 2 + len(markdown) > limit:
            posts.append(current)
            current = ""
        current = f"{current}\n\n{markdown}" if current else markdown
    return [*posts, current]
