"""docs/admin-guide.md, "Recomputing a digest yourself": the guide's own few lines, run against
the database, give the digests the site wrote."""

import re

import psycopg
import pytest
from django.db import connection

from charter.models import CharterVersion
from forum import services as forum
from moderation.models import JournalEntry
from tests.builders.charter import charter_in_force, ratify_amendment, reword
from tests.builders.forum import make_thread
from tests.builders.members import MemberFactory
from tests.builders.moderation import appeal, signal, uphold
from tests.live_stack import ROOT

# Committed, for the guide's reader's own connection to see.
pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

GUIDE = (ROOT / "docs" / "admin-guide.md").read_text()


def the_guides_code() -> dict:
    section = GUIDE[GUIDE.index("### 9.3 Recomputing a digest yourself") :]
    [code] = re.findall(r"```python\n(.*?)```", section, re.DOTALL)[:1]
    namespace: dict = {}
    exec(compile(code, "admin-guide.md", "exec"), namespace)  # the guide is ours
    return namespace


def test_the_guides_code_recomputes_every_digest_of_the_record(moderator):
    charter = charter_in_force()
    ratify_amendment(charter, [reword(charter, 2, "Posts stay on topic, always.")])
    thread = make_thread(title="Gardening tips", source="Let us talk about tomatoes.")
    post = forum.reply(author=MemberFactory(), thread=thread, source="Buy my fertiliser!")
    appeal(uphold(signal(post).case, moderator, articles=(2, 3)))
    guide = the_guides_code()
    # A plain psycopg connection, as the guide's reader would open: without Django's own
    # adapters (which leave JSON as text for Django to read).
    params = connection.get_connection_params()
    plain = {key: params[key] for key in ("dbname", "user", "host", "port") if key in params}
    with psycopg.connect(**plain) as theirs, theirs.cursor() as cursor:
        for version in CharterVersion.objects.filter(state="ratified"):
            assert guide["charter_version_digest"](cursor, version.number) == version.digest
        for entry in JournalEntry.objects.all():
            assert guide["journal_entry_digest"](cursor, entry.pk) == entry.digest
