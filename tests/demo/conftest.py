"""The demo community, loaded once for a module's tests, with the site in French: a load plays
the whole history through the services, belenios-tool included (some 15 seconds). The module's
tests run inside the transaction that loaded it, each in a savepoint of its own, and the whole
is rolled back after the module's last test."""

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone


@dataclass(frozen=True)
class LoadedDemo:
    trustee_keys: Path
    output: str
    emails: list
    started_at: datetime


@pytest.fixture(scope="module")
def loaded_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    directory = tmp_path_factory.mktemp("demo-trustees")
    output = io.StringIO()
    with django_db_blocker.unblock():
        loading = transaction.atomic()
        loading.__enter__()
        try:
            mail.outbox = []
            started_at = timezone.now()
            # In French: the demo's charter and moderation follow the site's language, and
            # the English ones are what `make run` and the trial load in their own tests.
            with override_settings(LANGUAGE_CODE="fr"):
                call_command("load_demo", trustee_keys=directory, stdout=output)
            yield LoadedDemo(directory, output.getvalue(), list(mail.outbox), started_at)
        finally:
            transaction.set_rollback(True)
            loading.__exit__(None, None, None)
