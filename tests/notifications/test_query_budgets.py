"""Notification pages run a fixed number of SQL queries, whatever the number of entries."""

import pytest

from members.models import Member
from notifications import selectors, services
from notifications.models import Kind, Notification
from tests.builders.members import MemberFactory
from tests.query_budget import queries_for, recorded_queries

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def big_pages(monkeypatch):
    monkeypatch.setattr(selectors, "ENTRIES_PER_PAGE", 50)


def add_group(member: Member, *, key: str, size: int) -> Notification:
    """`size` replies in one thread, each from someone else; returns the latest."""
    for actor in [MemberFactory() for _ in range(size)]:
        services.notify(
            kind=Kind.REPLY,
            recipients=[member.pk],
            actor=actor,
            event_key=f"{key}:{actor.pk}",
            group_key=key,
            title="Seed swap",
            url="/p/1/",
        )
    return Notification.objects.filter(group_key=key).latest("pk")


def add_entries(member: Member, n: int) -> None:
    """`n` more entries for `member`, each a group of two notifications."""
    start = Notification.objects.values("group_key").distinct().count()
    for entry in range(start, start + n):
        add_group(member, key=f"thread:{entry}", size=2)


# The session, the member, then: the number of groups (for the pages), one page of groups with
# their counts, the latest notification of each group with its actor (one query for them all),
# and the bell's unread count.
INBOX_QUERIES = 6
# The session, the member, the unread count.
BELL_QUERIES = 3
# The session, the member, the notification, marking its group read, the entry's counts
# afresh, and the bell's unread count for the out-of-band swap.
MARK_READ_QUERIES = 6


def test_the_inbox_costs_the_same_for_5_or_50_entries(member_client, member):
    add_entries(member, 5)
    with_5 = queries_for(member_client, "/notifications/", warm=False)
    add_entries(member, 45)
    response = member_client.get("/notifications/")
    assert response.text.count('<li class="notification') == 50
    with_50 = queries_for(member_client, "/notifications/", warm=False)
    assert with_5 == with_50 == INBOX_QUERIES


def test_the_bell_costs_the_same_for_5_or_150_unread(member_client, member):
    add_entries(member, 3)
    with_6 = queries_for(member_client, "/notifications/bell/", warm=False, **HTMX)
    add_entries(member, 72)
    with_150 = queries_for(member_client, "/notifications/bell/", warm=False, **HTMX)
    assert with_6 == with_150 == BELL_QUERIES


def test_marking_an_entry_read_costs_the_same_for_a_group_of_2_or_40(member_client, member):
    counts = []
    for size in (2, 40):
        latest = add_group(member, key=f"thread:{size}", size=size)
        with recorded_queries() as captured:
            response = member_client.post(f"/notifications/{latest.pk}/read/", **HTMX)
        assert f"and {size - 1} more in this thread" in response.text
        counts.append(len(captured))
    assert counts == [MARK_READ_QUERIES, MARK_READ_QUERIES]
