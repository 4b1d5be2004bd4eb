"""/healthz says when belenios-tool, which every ballot needs, is missing on the machine that
answers: ballots would fail there, so the operator must hear of it before a member does."""

import pytest

from charter import belenios

pytestmark = pytest.mark.django_db


def checks(client) -> dict[str, dict]:
    return client.get("/healthz").json()["checks"]


def test_the_health_check_passes_where_belenios_tool_is_installed(client):
    assert belenios.available()
    assert checks(client)["ballot_engine"]["status"] == "ok"


def test_the_health_check_fails_where_belenios_tool_is_missing(client, monkeypatch):
    monkeypatch.setattr(belenios, "TOOL", "belenios-tool-not-installed")
    check = checks(client)["ballot_engine"]
    assert check["status"] == "failing"
    assert "belenios-tool is not installed on this machine" in check["reason"]
