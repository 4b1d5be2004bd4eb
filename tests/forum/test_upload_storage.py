"""Members' files kept through Django's storage API, on the filesystem (the default) and in an
S3-compatible store (moto's server, started by the tests: tests/s3.py), with the options
FILE_STORAGE=s3 gives (config/file_storage.py). Each test looks in the store itself: the
bucket through boto3, or the folder."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from core.stored_files import FILE_POLICY
from forum import services
from forum.models import Upload
from members.services import delete_account
from tests.builders.files import as_upload, pdf, picture
from tests.builders.forum import make_reply


class Folder:
    """The filesystem storage's files, named as the bucket names its objects."""

    def __init__(self, root: Path):
        self.root = root

    def keys(self) -> set[str]:
        return {path.relative_to(self.root).as_posix() for path in self.root.rglob("*")
                if path.is_file()}  # fmt: skip

    def read(self, key: str) -> bytes:
        return (self.root / key).read_bytes()


@pytest.fixture
def filesystem_files(settings, tmp_path):
    """The default storage, in a folder of this test's own: the run's MEDIA_ROOT holds the
    files of every test before it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    assert settings.FILE_STORAGE == "filesystem"
    return Folder(tmp_path)


@pytest.fixture(params=["s3_files", "filesystem_files"])
def store(request):
    return request.getfixturevalue(request.param)


def uploaded(client, name: str = "garden.png", content: bytes | None = None) -> Upload:
    response = client.post(
        reverse("forum:upload_new"),
        {"attachment": as_upload(name, content or picture()), "alt": "The garden in May"},
    )
    assert response.status_code == 201, response.content
    return Upload.objects.get(name=response.json()["name"])


def in_a_post(upload: Upload, thread) -> Upload:
    make_reply(thread, author=upload.owner, source=services.markdown_for(upload, alt="Garden"))
    upload.refresh_from_db()
    assert upload.post is not None
    return upload


def older_than_orphans_live(settings) -> None:
    hours = settings.UPLOAD_ORPHAN_HOURS + 1
    Upload.objects.update(created_at=timezone.now() - timedelta(hours=hours))


def test_it_keeps_an_uploaded_image_in_the_bucket_only(s3_files, member_client, settings):
    upload = uploaded(member_client)
    assert s3_files.keys() == {upload.stored_as}
    assert s3_files.read(upload.stored_as).startswith(b"\x89PNG")
    assert not (Path(settings.MEDIA_ROOT) / upload.stored_as).exists()


def test_it_serves_the_stored_bytes_with_the_files_headers(s3_files, member_client, thread,
                                                           other_client):  # fmt: skip
    upload = in_a_post(uploaded(member_client), thread)
    response = other_client.get(upload.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == s3_files.read(upload.stored_as)
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == FILE_POLICY
    assert response["Content-Disposition"].startswith("inline")
    assert response["ETag"] == f'"{upload.token}"'


def test_it_offers_a_document_from_the_bucket_for_download(s3_files, member_client):
    upload = uploaded(member_client, "minutes.pdf", pdf())
    response = member_client.get(upload.get_absolute_url())
    assert b"".join(response.streaming_content) == pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="minutes.pdf"'


def test_a_file_gone_from_the_store_is_not_found(s3_files, member_client):
    upload = uploaded(member_client)
    s3_files.empty()
    assert member_client.get(upload.get_absolute_url()).status_code == 404


def test_removing_orphans_removes_their_files_and_keeps_those_posts_use(
    store, member_client, thread, settings, django_capture_on_commit_callbacks
):
    used = in_a_post(uploaded(member_client), thread)
    orphan = uploaded(member_client, "unused.png")
    older_than_orphans_live(settings)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remove_orphans() == 1
    assert store.keys() == {used.stored_as}
    assert not Upload.objects.filter(pk=orphan.pk).exists()


def test_a_recent_orphan_stays(store, member_client):
    upload = uploaded(member_client)
    assert services.remove_orphans() == 0
    assert store.keys() == {upload.stored_as}


def test_deleting_an_account_with_its_posts_removes_all_its_files(
    store, member, member_client, thread, django_capture_on_commit_callbacks
):
    in_a_post(uploaded(member_client), thread)
    uploaded(member_client, "unused.png")
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(member=member, remove_posts=True)
    assert store.keys() == set()
    assert not Upload.objects.exists()


def test_deleting_an_account_keeping_its_posts_keeps_the_files_they_show(
    store, member, member_client, thread, django_capture_on_commit_callbacks
):
    used = in_a_post(uploaded(member_client), thread)
    uploaded(member_client, "unused.png")
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(member=member, remove_posts=False)
    assert store.keys() == {used.stored_as}
