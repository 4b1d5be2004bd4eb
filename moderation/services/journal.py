"""What moderation makes known: the public journal's entries, and its notices to the members
concerned, which come from nobody in particular."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet
from django.utils.text import Truncator

from charter.models import Article
from forum.models import Post
from members.models import Member
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


def append_to_journal(*, articles: Iterable[Article] = (), **fields) -> JournalEntry:
    """The one way into the journal: the entry with its `fields` and the articles it cites."""
    entry = JournalEntry.objects.create(**fields)
    JournalCitation.objects.bulk_create(
        [JournalCitation(entry=entry, article=article) for article in articles]
    )
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
