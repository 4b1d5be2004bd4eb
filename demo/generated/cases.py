"""Moderation: the journal's settled cases and the queue's open ones, played through
`moderation.services` by founders (who read their notifications on the site)."""

from datetime import datetime, timedelta

from demo.generated.community import DAY, HISTORY, Community
from forum.models import Post
from members.models import Member
from moderation import selectors as moderation_selectors
from moderation import services as moderation
from moderation.models import Action, Outcome, SanctionKind
from moderation.sanctions import Step
from notifications.models import Notification

# A few decisions in the journal, of each kind: (outcome, action, sanction).
SETTLED_CASES = [
    (Outcome.DISMISSED, "", ""),
    (Outcome.UPHELD, Action.KEEP, SanctionKind.WARNING),
    (Outcome.UPHELD, Action.HIDE, ""),
    (Outcome.DISMISSED, "", ""),
    (Outcome.UPHELD, Action.KEEP, ""),
    (Outcome.UPHELD, Action.DELETE, SanctionKind.WARNING),
]


def moderate(community: Community) -> None:
    """A few settled cases in the journal, then the open cases of the queue, played through
    `moderation.services` by founders (who read their notifications on the site)."""
    articles = [
        article.pk for article in moderation_selectors.citable_articles() if not article.entrenched
    ]
    members = Member.objects.in_bulk(list(community.pks[: community.founders]))
    by_index = {n: members[community.pks[n]] for n in range(community.founders)}
    decider = by_index[community.settled_by]
    community.rng.shuffle(community.moderated)
    settled = [t for t in community.moderated if t[2] < HISTORY - 40 * DAY][: len(SETTLED_CASES)]
    open_ = [t for t in community.moderated if t not in settled][: community.open_cases]
    posts = Post.objects.in_bulk([pk for pk, _author, _at in settled + open_])
    settled = [(posts[pk], author, at) for pk, author, at in settled]
    open_ = [(posts[pk], author, at) for pk, author, at in open_]
    for (post, author, at), (outcome, action, sanction) in zip(
        settled, SETTLED_CASES, strict=False
    ):
        first = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        signalled = _signal(
            community, post, author, at + community.rng.uniform(3600, 2 * DAY), articles, by_index
        )
        decided = signalled + timedelta(days=2)
        moderation.decide_case(
            moderator=decider,
            case=post.moderation_case,
            outcome=outcome,
            article_ids=[] if outcome == Outcome.DISMISSED else articles[:1],
            rationale="The post was read in its thread, against the article cited.",
            action=action,
            sanction=Step(sanction) if sanction else None,
            now=decided,
        )
        Notification.objects.filter(pk__gt=first).update(
            created_at=decided, read_at=decided + timedelta(hours=6)
        )
    # Played in the order they happened: a member may signal so many posts a day.
    times = sorted(HISTORY - community.rng.uniform(3 * 3600, 10 * DAY) for _ in open_)
    for n, ((post, author, _at), at) in enumerate(zip(open_, times, strict=True)):
        first = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        signalled = _signal(community, post, author, at, articles, by_index)
        Notification.objects.filter(pk__gt=first).update(created_at=signalled)
        if n % 10 == 9:
            moderation.claim_case(moderator=decider, case=post.moderation_case, now=signalled)


def _signal(
    community: Community,
    post: Post,
    author: int,
    at: float,
    articles: list[int],
    by_index: dict[int, Member],
) -> datetime:
    """One to three founders signal `post`, the first at `at`; returns that time."""
    count = community.rng.choices((1, 2, 3), cum_weights=(55, 85, 100))[0]
    signallers = [n for n in community.signallers if n != author]
    for k, n in enumerate(community.rng.sample(signallers, min(count, len(signallers)))):
        other = community.rng.random() < 0.1
        moderation.signal_post(
            member=by_index[n],
            post=post,
            article_ids=[]
            if other
            else community.rng.sample(articles, community.rng.choice((1, 1, 2))),
            other=other,
            note="Off the subject, and not kind." if other else "",
            now=community.at(at + k * 3600),
        )
    return community.at(at)
