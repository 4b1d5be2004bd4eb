"""Each email's return path names its delivery, signed for the address it went to."""

import pytest

from notifications.return_paths import delivery_named, is_genuine, is_return_path, return_path


@pytest.fixture(autouse=True)
def reply_domain(settings):
    settings.REPLY_DOMAIN = "forum.example.org"


def test_a_return_path_names_its_delivery_and_is_genuine_for_its_address():
    path = return_path(delivery_id=42, address="alice@example.org")

    assert path.startswith("bounce+42-") and path.endswith("@forum.example.org")
    assert delivery_named(path) == 42
    assert is_genuine(path, delivery_id=42, sent_to="alice@example.org")


def test_it_survives_a_mail_server_that_changes_its_case():
    path = return_path(delivery_id=42, address="alice@example.org")
    assert is_genuine(path.upper(), delivery_id=42, sent_to="Alice@Example.org")


def test_it_is_not_genuine_for_another_delivery_or_another_address():
    path = return_path(delivery_id=42, address="alice@example.org")

    assert not is_genuine(path, delivery_id=43, sent_to="alice@example.org")
    assert not is_genuine(path, delivery_id=42, sent_to="alice.new@example.org")


def test_only_the_sites_bounce_addresses_are_return_paths(settings):
    path = return_path(delivery_id=42, address="alice@example.org")

    assert is_return_path("bounce+anything@forum.example.org")
    assert not is_return_path(path.replace("forum.example.org", "elsewhere.org"))
    assert not is_return_path("reply+1-2-abc@forum.example.org")
    assert delivery_named("bounce+42@forum.example.org") is None
    settings.REPLY_DOMAIN = ""
    assert not is_return_path(path)
