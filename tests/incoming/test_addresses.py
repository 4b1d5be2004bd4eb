"""A reply address names one member and one thread, and nobody can make one for another."""

from datetime import timedelta

from django.utils import timezone

from incoming.addresses import (
    ReplyTarget,
    new_thread_address,
    read_new_thread_address,
    read_reply_address,
    reply_address,
)


def test_an_address_reads_back_as_its_member_and_thread(settings):
    settings.REPLY_DOMAIN = "forum.example.org"
    address = reply_address(member_id=12, thread_id=345)
    assert address.startswith("reply+12-345-") and address.endswith("@forum.example.org")
    assert read_reply_address(address) == ReplyTarget(member_id=12, thread_id=345)


def test_a_mail_server_that_changes_its_case_does_not_break_it():
    address = reply_address(member_id=12, thread_id=345)
    assert read_reply_address(address.upper()) == ReplyTarget(member_id=12, thread_id=345)


def test_another_thread_or_member_in_the_same_address_is_refused():
    address = reply_address(member_id=12, thread_id=345)
    assert read_reply_address(address.replace("-345-", "-346-")) is None
    assert read_reply_address(address.replace("reply+12-", "reply+13-")) is None


def test_another_domain_or_a_made_up_signature_is_refused(settings):
    address = reply_address(member_id=12, thread_id=345)
    assert read_reply_address(address.replace(settings.REPLY_DOMAIN, "elsewhere.org")) is None
    assert read_reply_address(f"reply+12-345-{'a' * 26}@{settings.REPLY_DOMAIN}") is None
    assert read_reply_address("someone@example.org") is None


def test_an_address_made_under_another_secret_key_is_refused(settings):
    address = reply_address(member_id=12, thread_id=345)
    settings.SECRET_KEY = "another-key-after-a-rotation"
    assert read_reply_address(address) is None


def test_a_category_address_reads_back_as_its_slug_whatever_the_case(settings):
    address = new_thread_address("Garden-Tools")
    assert address == f"new+garden-tools@{settings.REPLY_DOMAIN}"
    assert read_new_thread_address(address.upper()) == "garden-tools"


def test_a_category_address_of_another_domain_or_shape_is_not_one(settings):
    assert read_new_thread_address("new+garden@elsewhere.org") is None
    assert read_new_thread_address(f"new+gar.den@{settings.REPLY_DOMAIN}") is None
    assert read_new_thread_address(f"garden@{settings.REPLY_DOMAIN}") is None


def test_an_address_tells_the_day_it_was_given_and_expires_after_reply_address_days(settings):
    today = timezone.localdate()
    recent = today - timedelta(days=settings.REPLY_ADDRESS_DAYS)
    old = today - timedelta(days=settings.REPLY_ADDRESS_DAYS + 1)

    fresh = read_reply_address(reply_address(member_id=12, thread_id=345, given_on=recent))
    stale = read_reply_address(reply_address(member_id=12, thread_id=345, given_on=old))

    assert (fresh.given_on, fresh.expired) == (recent, False)
    assert (stale.given_on, stale.expired) == (old, True)
