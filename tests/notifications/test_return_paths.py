"""Each email's return path names its record (a delivery, or a list email), signed for the
address it went to."""

import pytest

from notifications.return_paths import Record, Sent, email_named, is_genuine, is_return_path
from notifications.return_paths import return_path as path_of

DELIVERY = Sent(Record.DELIVERY, 42)
LIST_EMAIL = Sent(Record.LIST_EMAIL, 42)


@pytest.fixture(autouse=True)
def reply_domain(settings):
    settings.REPLY_DOMAIN = "forum.example.org"


def test_a_return_path_names_its_delivery_and_is_genuine_for_its_address():
    path = path_of(DELIVERY, address="alice@example.org")

    assert path.startswith("bounce+42-") and path.endswith("@forum.example.org")
    assert email_named(path) == DELIVERY
    assert is_genuine(path, sent=DELIVERY, sent_to="alice@example.org")


def test_a_list_email_s_return_path_names_it_apart_from_the_delivery_of_the_same_number():
    path = path_of(LIST_EMAIL, address="alice@example.org")

    assert path.startswith("bounce+l42-") and path.endswith("@forum.example.org")
    assert email_named(path) == LIST_EMAIL
    assert is_genuine(path, sent=LIST_EMAIL, sent_to="alice@example.org")
    assert not is_genuine(path, sent=DELIVERY, sent_to="alice@example.org")
    # The delivery's signature does not pass for the list email of its number.
    delivery_path = path_of(DELIVERY, address="alice@example.org")
    forged = delivery_path.replace("bounce+42-", "bounce+l42-")
    assert email_named(forged) == LIST_EMAIL
    assert not is_genuine(forged, sent=LIST_EMAIL, sent_to="alice@example.org")


def test_it_survives_a_mail_server_that_changes_its_case():
    for sent in (DELIVERY, LIST_EMAIL):
        path = path_of(sent, address="alice@example.org")
        assert email_named(path.upper()) == sent
        assert is_genuine(path.upper(), sent=sent, sent_to="Alice@Example.org")


def test_it_is_not_genuine_for_another_delivery_or_another_address():
    path = path_of(DELIVERY, address="alice@example.org")

    assert not is_genuine(path, sent=Sent(Record.DELIVERY, 43), sent_to="alice@example.org")
    assert not is_genuine(path, sent=DELIVERY, sent_to="alice.new@example.org")


def test_only_the_sites_bounce_addresses_are_return_paths(settings):
    path = path_of(DELIVERY, address="alice@example.org")

    assert is_return_path("bounce+anything@forum.example.org")
    assert not is_return_path(path.replace("forum.example.org", "elsewhere.org"))
    assert not is_return_path("reply+1-2-abc@forum.example.org")
    assert email_named("bounce+42@forum.example.org") is None
    assert email_named("bounce+l42@forum.example.org") is None
    assert email_named(path.replace("bounce+42-", "bounce+x42-")) is None
    settings.REPLY_DOMAIN = ""
    assert not is_return_path(path)
