"""The manifest: what the benchmarks need to know of the community generated (who signs in, which
thread, category and words to ask for) and what its generation took."""

from collections import Counter

from django.conf import settings

from demo.generated.community import PASSWORD, Community
from demo.generated.prose import CONTENT
from demo.generated.vocabulary import RARE_WORDS
from forum.models import (
    Category,
    Mention,
    Post,
    PostRevision,
    ReadMark,
    Thanks,
    Thread,
    ThreadSubscription,
)
from forum.selectors import page_count
from members.models import Member
from moderation.models import Case, CaseState, JournalEntry
from notifications.models import Notification


def manifest(community: Community, seconds: float) -> dict:
    hot = community.hot
    ordinary = sorted(
        (t for t in community.threads if t is not hot and not (t.locked or t.pinned)),
        key=lambda t: (len(t.times), t.pk),
    )
    thread = ordinary[len(ordinary) // 2] if ordinary else community.threads[0]
    threads = Counter(t.category for t in community.threads)
    busiest = min(threads, key=lambda n: (-threads[n], n))
    moderator = community.usernames[1]
    return {
        "preset": community.preset,
        "seed": community.seed,
        "counts": {
            "members": Member.objects.count(),
            "categories": Category.objects.count(),
            "threads": Thread.objects.count(),
            "posts": Post.objects.count(),
            "hot_posts": len(hot.times),
            "thanks": Thanks.objects.count(),
            "revisions": PostRevision.objects.count(),
            "mentions": Mention.objects.count(),
            "read_marks": ReadMark.objects.count(),
            "watching": ThreadSubscription.objects.count(),
            "notifications": Notification.objects.count(),
            "open_cases": Case.objects.filter(state=CaseState.OPEN).count(),
            "journal_entries": JournalEntry.objects.count(),
        },
        "seconds": round(seconds, 1),
        "stages": community.stages,
        "hot_thread": {
            "id": hot.pk,
            "posts": len(hot.times),
            "last_page": page_count(len(hot.times), settings.POSTS_PER_PAGE),
        },
        "category": {"slug": community.categories[busiest].slug, "threads": threads[busiest]},
        "thread": {"id": thread.pk},
        "search": search_words(community),
        "member": {"username": community.usernames[community.member], "password": PASSWORD},
        "moderator": {"username": moderator, "password": PASSWORD},
        "ballot": None,
    }


def search_words(community: Community) -> dict:
    """A word in many posts, one in few, and two words found side by side."""
    posts_with: Counter = Counter()
    for index, uses in community.usage.items():
        for word in set(community.prose.blocks[index].words):
            posts_with[word] += uses
    ranked = sorted(posts_with.items(), key=lambda item: (-item[1], item[0]))
    common = next(word for word, _uses in ranked if word in CONTENT)
    rare = sorted((uses >= 2, -uses, word) for word, uses in ranked if word in RARE_WORDS)
    rarest = rare[-1][2] if rare else ranked[-1][0]
    blocks = sorted(community.usage.items(), key=lambda item: (-item[1], item[0]))
    phrase = next(
        (
            community.prose.blocks[index].pairs[0]
            for index, _uses in blocks
            if community.prose.blocks[index].pairs
        ),
        common,
    )
    return {"common": common, "rare": rarest, "phrase": phrase}
