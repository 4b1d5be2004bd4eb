"""The record's canonical serialisation and digest, as docs/admin-guide.md ("The record")
documents them: anyone can recompute a digest with a few lines of their own."""

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from charter.models import CharterVersion, VersionState
from core.hash_chain import canonical, columns, digest_of

AT = datetime(2026, 3, 1, 9, 30, 5, 123, tzinfo=UTC)


def test_the_serialisation_is_sorted_compact_utf8_json_with_times_in_utc():
    content = {
        "rationale": 'Off topic: "buy now"\n— repeated',
        "id": 7,
        "kept": True,
        "created_at": AT.astimezone(timezone(timedelta(hours=2))),
        "identity": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "share": Decimal("0.25"),
        "citations": [3, 11],
        "parameters": {"quorum": 25, "majority": "2/3"},
    }
    assert (
        canonical(content)
        == (
            '{"citations":[3,11],"created_at":"2026-03-01T09:30:05.000123Z","id":7,"identity":'
            '"12345678-1234-5678-1234-567812345678","kept":true,"parameters":{"majority":"2/3",'
            '"quorum":25},"rationale":"Off topic: \\"buy now\\"\\n— repeated","share":"0.25"}'
        ).encode()
    )


def test_a_digest_is_the_sha256_anyone_recomputes_from_the_plain_json():
    content = {"title": "Respect", "number": 1, "entrenched": False}
    theirs = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert digest_of(content) == hashlib.sha256(theirs.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    "value", [0.5, datetime(2026, 3, 1), object()], ids=["float", "naive", "object"]
)
def test_a_value_without_one_canonical_form_is_refused(value):
    with pytest.raises(TypeError):
        canonical({"value": value})


def test_a_rows_content_is_its_columns_but_its_digest_and_its_nulls():
    version = CharterVersion(
        pk=3, state=VersionState.PROVISIONAL, parameters={"cosponsors": 3}, created_at=AT
    )
    assert columns(version) == {
        "id": 3,
        "state": "provisional",
        "parameters": {"cosponsors": 3},
        "created_at": AT,
        "previous_digest": "",
    }
