"""A member's personal data across the apps: what they may download, and what deleting their
account erases.

The download is one ZIP archive: `data.json`, which other programs can read, and the files the
member uploaded (their avatar, the images and files of their posts), which the sections name.

`members` knows no app above it, so each app that keeps personal data registers a `Section`
when it is ready: `export` returns the member's data in that app as JSON-ready values, in a
fixed number of queries whatever its amount, and `erase` removes or unlinks it when the member
deletes their account (see `members.services.delete_account`).

Sections are erased in the reverse order of their registration, as a teardown would: apps
register in the order of INSTALLED_APPS, the apps others build on first, so each app erases
while the rows it reaches through the apps below are still as it knows them.
"""

import json
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any, Protocol

from allauth.account.models import EmailAddress
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from core import stored_files
from members import avatars
from members.models import Member

logger = logging.getLogger(__name__)

FORMAT = "palabre-personal-data/1"

Export = Callable[[Member], Any]
# The member's files a section keeps: (their name in the archive, their name in the storage).
Files = Callable[[Member], Iterable[tuple[str, str]]]
# The archive is written to a temporary file past this size, not kept in memory.
ARCHIVE_MEMORY_BYTES = 8 * 1024 * 1024


class Erase(Protocol):
    def __call__(self, *, member: Member, remove_posts: bool) -> None: ...


@dataclass(frozen=True)
class Section:
    name: str
    export: Export
    erase: Erase
    files: Files | None = None


_sections: list[Section] = []


def register(section: Section) -> None:
    if section not in _sections:
        _sections.append(section)


def export(member: Member) -> dict[str, Any]:
    """Everything the site keeps about `member`, section by section, and nobody else's data."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "profile": profile(member),
    }
    for section in _sections:
        data[section.name] = section.export(member)
    return data


def archive(member: Member) -> IO[bytes]:
    """The member's download: `data.json` (`export`) and every file the sections name, read
    from the start."""
    # Closed by the response that sends it.
    output = tempfile.SpooledTemporaryFile(max_size=ARCHIVE_MEMORY_BYTES)  # noqa: SIM115
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        text = json.dumps(export(member), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        archive.writestr("data.json", text)
        for stored_as in avatars.stored_names(member):
            _copy(stored_as, archive, f"profile/{stored_as.rsplit('/', 1)[-1]}")
        for section in _sections:
            for archived_as, stored_as in section.files(member) if section.files else ():
                _copy(stored_as, archive, archived_as)
    output.seek(0)
    return output


def _copy(stored_as: str, archive: zipfile.ZipFile, archived_as: str) -> None:
    try:
        with (
            stored_files.open_for_reading(stored_as) as source,
            archive.open(archived_as, "w") as target,
        ):
            shutil.copyfileobj(source, target)
    except OSError:
        # A file the storage lost is not the member's fault: the rest of the export still goes.
        logger.warning("A member's file is missing from the storage: %s", stored_as)


def erase(member: Member, *, remove_posts: bool) -> None:
    for section in reversed(_sections):
        section.erase(member=member, remove_posts=remove_posts)


def profile(member: Member) -> dict[str, Any]:
    addresses = EmailAddress.objects.filter(user=member).order_by("-primary", "email")
    return {
        "username": member.username,
        "display_name": member.display_name,
        "email": member.email,
        "email_addresses": list(addresses.values("email", "verified", "primary")),
        "bio": member.bio,
        "language": member.language,
        "time_zone": member.time_zone,
        "theme": member.theme,
        # The picture's files are in the archive's profile/ folder, one per size.
        "picture": [name.rsplit("/", 1)[-1] for name in avatars.stored_names(member)],
        "joined": member.date_joined,
        "email_verified_at": member.email_verified_at,
        "last_login": member.last_login,
        "moderator": member.is_moderator,
        "standing": {
            "must_accept_charter": member.must_accept_charter,
            "suspended_until": member.suspended_until,
            "banned_since": member.banned_at,
        },
    }
