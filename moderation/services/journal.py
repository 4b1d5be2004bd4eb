"""What moderation makes known: the public journal's entries, and its notices to the members
concerned, which come from nobody in particular."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet
from django.utils.text import Truncator

from charter.models import Article
from core import hash_chain
from forum.models import Post
from members.models import Member
from moderation import record
from moderation.models import (
    Appeal,
    Decision,
    JournalCitation,
    JournalEntry,
    JournalKind,
    Sanction,
)
from notifications import services as notifications
from notifications.models import EmailChoice, Kind

EXCERPT_LENGTH = 300


def case_event_key(event_id: int) -> str:
    """The `event_key` of the notifications of one event in a case (opened, reopened, held)."""
    return f"case-event:{event_id}"


def lock_journal() -> None:
    """Hold the journal until the transaction ends, so that entries enter its chain one at a
    time. A service that writes an entry takes it first, before its other locks: taken later,
    it could wait on a transaction that waits on it."""
    hash_chain.lock(JournalEntry)


def append_to_journal(*, articles: Iterable[Article] = (), **fields: object) -> JournalEntry:
    """The one way into the journal: the entry with its `fields`, the articles it cites, and
    its digest in the record's chain, which covers them all (moderation.record)."""
    lock_journal()
    entry = JournalEntry.objects.create(**fields)
    JournalCitation.objects.bulk_create(
        [JournalCitation(entry=entry, article=article) for article in articles]
    )
    record.JOURNAL.seal(entry)
    return entry


def record_in_journal(
    kind: JournalKind,
    decision: Decision,
    moderator: Member,
    outcome: str,
    rationale: str,
    articles: list[Article],
    now: datetime,
    appeal: Appeal | None = None,
) -> JournalEntry:
    """A decision or the hearing of its appeal, as the journal publishes it."""
    sanction = Sanction.objects.filter(decision=decision).first()
    return append_to_journal(
        articles=articles,
        kind=kind,
        created_at=now,
        case=decision.case,
        decision=decision,
        appeal=appeal,
        post_id=decision.case.post_id,
        moderator=moderator,
        outcome=outcome,
        action=decision.action,
        sanction=sanction.kind if sanction else "",
        suspension_days=sanction.days if sanction else None,
        rationale=rationale,
    )


def tell(
    recipients: QuerySet[Member] | list[int],
    post: Post,
    *,
    kind: Kind,
    event_key: str,
    url: str,
    excerpt: str = "",
    email: EmailChoice | None = None,
) -> None:
    """Tell `recipients` what moderation did about `post` (by `email` whatever they chose, if
    given)."""
    notifications.notify(
        kind=kind,
        recipients=recipients,
        actor=None,
        event_key=event_key,
        title=post.thread.title,
        url=url,
        excerpt=Truncator(excerpt).chars(EXCERPT_LENGTH),
        email=email,
    )
