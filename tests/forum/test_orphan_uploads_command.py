"""Without Celery (`make run`'s embedded setup), orphan uploads are removed by
`remove_orphan_uploads --every 3600`, a process of Procfile.embedded beside the server: it
speaks only when it removed something."""

import io
import shlex
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from forum import services
from forum.management.commands import remove_orphan_uploads
from forum.models import Upload
from tests.builders.files import as_upload, picture
from tests.live_stack import ROOT

pytestmark = pytest.mark.django_db


class Stopped(Exception):
    """Ends the command's loop after its first round."""


@pytest.fixture
def as_embedded(monkeypatch, django_capture_on_commit_callbacks):
    """Runs the command as Procfile.embedded does, for one round; returns what it printed."""
    [line] = [
        line
        for line in (ROOT / "Procfile.embedded").read_text().splitlines()
        if line.startswith("uploads:")
    ]
    _python, _manage, name, *arguments = shlex.split(line.partition(":")[2])

    def stop(seconds):
        raise Stopped

    monkeypatch.setattr(remove_orphan_uploads.time, "sleep", stop)

    def run() -> str:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(Stopped):
            call_command(name, *arguments, stdout=out)
        return out.getvalue()

    return run


def orphan(member, *, hours: int) -> Upload:
    upload = services.upload(member=member, file=as_upload("garden.png", picture()), alt="Garden")
    Upload.objects.filter(pk=upload.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    return upload


def test_kept_running_it_removes_orphans_and_says_how_many(as_embedded, member, settings):
    old = orphan(member, hours=settings.UPLOAD_ORPHAN_HOURS + 1)
    recent = orphan(member, hours=1)
    assert as_embedded() == "Orphan uploads removed: 1\n"
    assert list(Upload.objects.all()) == [recent]
    assert not default_storage.exists(old.stored_as)
    assert default_storage.exists(recent.stored_as)


def test_kept_running_it_says_nothing_when_nothing_was_removed(as_embedded, member):
    orphan(member, hours=1)
    assert as_embedded() == ""


def test_run_once_it_says_so_when_nothing_was_removed():
    out = io.StringIO()
    call_command("remove_orphan_uploads", stdout=out)
    assert out.getvalue() == "Orphan uploads removed: 0\n"
