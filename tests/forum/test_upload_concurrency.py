"""A member's simultaneous uploads count one after the other against the daily quota (on
PostgreSQL, the member's row lock)."""

import time
from functools import partial

import pytest

from core import stored_files
from core.uploaded_files import Refused
from forum import services
from forum.models import Upload
from tests.builders import files
from tests.builders.members import MemberFactory
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

UPLOADERS = 6


def test_simultaneous_uploads_near_the_quota_cannot_all_pass_it(settings, monkeypatch):
    document = files.pdf()
    member = MemberFactory()
    services.upload(member=member, file=files.as_upload("first.pdf", document))
    # Storage as slow as a remote one: every upload has read the day's total before the first
    # is saved, unless they wait for each other.
    save = stored_files.save
    monkeypatch.setattr(stored_files, "save", lambda *args: time.sleep(0.3) or save(*args))
    # Room for one more file today, not two.
    settings.UPLOAD_DAILY_BYTES = len(document) * 2 + len(document) // 2
    results, errors = run_together(
        [
            partial(services.upload, member=member, file=files.as_upload(f"{n}.pdf", document))
            for n in range(UPLOADERS)
        ]
    )
    assert len(results) == 1
    assert len(errors) == UPLOADERS - 1
    assert all(isinstance(error, Refused) for error in errors), errors
    assert all("past the daily" in str(error) for error in errors)
    assert Upload.objects.filter(owner=member).count() == 2
    total = sum(Upload.objects.filter(owner=member).values_list("size", flat=True))
    assert total <= settings.UPLOAD_DAILY_BYTES
