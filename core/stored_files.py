"""Members' files, kept and served through Django's storage API.

Whatever a file holds, its response cannot run anything on the site's origin: it comes with
the type the site decided from its content (core.uploaded_files), `nosniff` so that no browser
guesses another, a Content Security Policy that sandboxes it and allows nothing to load, and,
unless it is an image written anew by the site, `Content-Disposition: attachment`, so that
the browser downloads it rather than opening it as a page.

With X_ACCEL_FILES (filesystem storage behind nginx), the view still decides who may have the
file and sets these headers; nginx sends the bytes (docs/admin-guide.md).
"""

from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

# Nothing in a file's response may run, load or be framed.
FILE_POLICY = "default-src 'none'; img-src 'self'; sandbox"
# Immutable content under a name that changes with it (avatars).
CACHED_FOR_A_YEAR = "public, max-age=31536000, immutable"
# Who may see a post's file can change (a moderator hides the post): the browser asks again each
# time, and the site answers "not modified" (no bytes) while it still may.
ASK_EACH_TIME = "private, no-cache"


def save(name: str, content: bytes) -> str:
    """Keep `content` under `name` (or a name the storage picks if it is taken); returns it."""
    return default_storage.save(name, ContentFile(content))


def delete_after_commit(names: list[str]) -> None:
    """Remove the files once the rows that name them are gone for good: a rolled-back
    transaction leaves them in place."""
    if names:
        transaction.on_commit(lambda: delete_now(names))


def delete_now(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def open_for_reading(name: str):
    return default_storage.open(name, "rb")


def serve(
    name: str,
    *,
    content_type: str,
    download_name: str,
    inline: bool,
    cache_control: str,
    etag: str | None = None,
) -> HttpResponse:
    """The response that sends the stored file `name`, with the headers above."""
    if settings.X_ACCEL_FILES and settings.FILE_STORAGE == "filesystem":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.X_ACCEL_FILES.rstrip("/") + "/" + quote(name)
    else:
        if not default_storage.exists(name):
            raise Http404
        response = FileResponse(open_for_reading(name), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = cache_control
    if etag:
        response["ETag"] = f'"{etag}"'
    return response
