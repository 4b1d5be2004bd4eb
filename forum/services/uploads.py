"""Images and files in posts: a member uploads one, the composer puts its Markdown in their
text, and the first post of theirs that uses it takes it (`attach_uploads`). What the site keeps
of the bytes is decided in core.uploaded_files; who may have them, in forum.rules."""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from core import stored_files, uploaded_files
from core.uploaded_files import Refused
from forum import rules
from forum.models import Post, Upload
from members.models import Member

# An upload's address in a post's text (forum.urls: "files/<token>/<name>").
UPLOAD_ADDRESS = re.compile(r"/files/([A-Za-z0-9_-]{24})/")
QUOTA_PERIOD = timedelta(days=1)
# What would make a description or name read otherwise than typed: Markdown's marks, "~"
# (struck through), and "&", which would turn "&lt;" into "<".
_MARKDOWN_SPECIALS = re.compile(r"([\\\[\]`*_<>!&~])")


def accepted_formats() -> list[uploaded_files.Format]:
    return uploaded_files.accepted_formats(
        [*settings.UPLOAD_IMAGE_TYPES, *settings.UPLOAD_FILE_TYPES]
    )


def upload(*, member: Member, file: UploadedFile, alt: str = "") -> Upload:
    """Keep `file` for `member` to put in a post; `Refused` says why not. An image needs `alt`,
    what it shows, for the readers who cannot see it: the Markdown it is put in holds it."""
    rules.require(rules.can_upload(member))
    inspected = uploaded_files.inspect(
        file,
        name=file.name or "",
        size=file.size or 0,
        formats=accepted_formats(),
        max_bytes=settings.UPLOAD_MAX_BYTES,
        max_pixels=settings.UPLOAD_IMAGE_MAX_PIXELS,
        max_side=settings.UPLOAD_IMAGE_MAX_SIDE,
    )
    if inspected.kind == uploaded_files.IMAGE and not alt.strip():
        raise Refused(
            _(
                "Say in a few words what the image shows, for the readers who cannot see it, "
                "then add it again."
            )
        )
    with transaction.atomic():
        # The member's simultaneous uploads count one after the other against the quota.
        Member.objects.select_for_update(no_key=True).only("pk").get(pk=member.pk)
        _require_quota(member, len(inspected.content))
        # Unguessable: a file is found only through the posts that show it.
        token = secrets.token_urlsafe(18)
        stored_as = stored_files.save(
            f"uploads/{token}.{inspected.format.extension}", inspected.content
        )
        try:
            with transaction.atomic():
                return Upload.objects.create(
                    token=token,
                    owner=member,
                    kind=inspected.kind,
                    content_type=inspected.format.content_type,
                    name=inspected.name,
                    stored_as=stored_as,
                    size=len(inspected.content),
                    width=inspected.width,
                    height=inspected.height,
                )
        except BaseException:
            stored_files.delete_now([stored_as])
            raise


def _require_quota(member: Member, size: int) -> None:
    since = timezone.now() - QUOTA_PERIOD
    used = (
        Upload.objects.filter(owner=member, created_at__gte=since).aggregate(total=Sum("size"))[
            "total"
        ]
        or 0
    )
    if used + size > settings.UPLOAD_DAILY_BYTES:
        raise Refused(
            _(
                "You have uploaded %(used)s in the last 24 hours, and this file would take you "
                "past the daily %(limit)s. Try again tomorrow, or upload a smaller file."
            )
            % {
                "used": filesizeformat(used),
                "limit": filesizeformat(settings.UPLOAD_DAILY_BYTES),
            }
        )


def markdown_for(upload: Upload, *, alt: str = "") -> str:
    """What the composer puts in the member's text: an image to show, or a link to the file."""
    if upload.is_image:
        return f"![{_escaped(alt)}]({upload.get_absolute_url()})"
    return f"[{_escaped(upload.name)}]({upload.get_absolute_url()})"


def _escaped(text: str) -> str:
    return _MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(text.split()))


def attach_uploads(post: Post) -> None:
    """The uploads of the post's author that its text uses, and no post took before, are the
    post's from now on: they are served as the post is (forum.rules.can_see_upload)."""
    tokens = set(UPLOAD_ADDRESS.findall(post.source))
    if tokens and post.author_id:
        Upload.objects.filter(token__in=tokens, owner_id=post.author_id, post=None).update(
            post=post
        )


def remove_orphans() -> int:
    """Remove the uploads no post took within UPLOAD_ORPHAN_HOURS; returns how many."""
    cutoff = timezone.now() - timedelta(hours=settings.UPLOAD_ORPHAN_HOURS)
    with transaction.atomic():
        orphans = list(
            Upload.objects.select_for_update(skip_locked=True)
            .filter(post=None, created_at__lt=cutoff)
            .values_list("pk", "stored_as")
        )
        Upload.objects.filter(pk__in=[pk for pk, _name in orphans]).delete()
        stored_files.delete_after_commit([name for _pk, name in orphans])
    return len(orphans)


def forget_uploads(*, member: Member, remove_posts: bool) -> None:
    """A member deletes their account: the uploads no post took go, and, if they asked for
    their posts to be removed, all of theirs. Those of the posts they leave stay with them."""
    uploads = Upload.objects.filter(owner=member)
    if not remove_posts:
        uploads = uploads.filter(post=None)
    names = list(uploads.values_list("stored_as", flat=True))
    uploads.delete()
    stored_files.delete_after_commit(names)
