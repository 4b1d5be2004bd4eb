import pytest

from tests.incoming.dkim import RECORDS, Signer, records_file


@pytest.fixture
def signer(tmp_path, monkeypatch) -> Signer:
    """Signs for example.org, the members' mail domain, whose key the site finds."""
    monkeypatch.setenv(RECORDS, str(records_file(tmp_path)))
    signer = Signer(records_file(tmp_path))
    signer.publish("example.org")
    return signer
