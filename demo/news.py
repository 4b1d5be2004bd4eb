"""The demo's notifications as a lived-in site has them: each dated at the event it tells of,
and most of them read.

The services date a notification when they write it, which for the demo is the minute it is
loaded, weeks after the posts, decisions and ballots it tells of. The loader plays that past
with the clock passed in (`now=`), so it dates the news of each step at the step's time
(`told_at`, `played`), and the news of each post at the post's, once the post is dated
(`announce_posts`). Once all is played, each member has read everything but
their newest few and what still waits for them (`read_as_on_a_living_site`).
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db.models import Max, Q

from charter.models import Ballot, BallotState
from forum import services as forum
from forum.models import Post
from members.models import Member
from moderation.models import Appeal, AppealState, Case, CaseState
from notifications import services as notifications
from notifications.models import Kind, Notification

# What a member has not read yet, besides what waits for them: their newest news.
UNREAD_NEWEST = 3


@contextmanager
def told_at(at: datetime) -> Iterator[None]:
    """The news written within the block tells of events that happened `at`."""
    before = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
    yield
    Notification.objects.filter(pk__gt=before).update(created_at=at)


def played[T](service: Callable[..., T], /, **arguments) -> T:
    """Call `service` as of `arguments["now"]`, its news dated then."""
    with told_at(arguments["now"]):
        return service(**arguments)


def announce_posts(posts: Iterable[Post]) -> None:
    """Tell the watchers of each post, and date its news (a reply, a mention, a quote, a new
    thread) as the post. On the site a task announces a post once its transaction commits,
    which for the demo's posts would be when the whole load commits, undated, or never in a
    test that rolls it back; the task then finds them announced."""
    for post in posts:
        forum.announce_post(post_id=post.pk)
        Notification.objects.filter(event_key=forum.post_event_key(post.pk)).update(
            created_at=post.created_at
        )


def read_as_on_a_living_site(members: list[Member]) -> None:
    """Each member has read all their news but the newest `UNREAD_NEWEST` and the news of
    what still waits for them: a ballot open to their vote, for a moderator the open cases
    and the appeals to hear."""
    for member in members:
        news = Notification.objects.filter(recipient=member)
        newest = news.order_by("-created_at", "-pk").values_list("pk", flat=True)[:UNREAD_NEWEST]
        read = news.exclude(pk__in=list(newest)).exclude(_waiting_for(member))
        notifications.mark_events_read(
            member=member, event_keys=read.values_list("event_key", flat=True)
        )


def _waiting_for(member: Member) -> Q:
    ballots = Ballot.objects.filter(state=BallotState.OPEN, roll__member=member, roll__voted=False)
    waiting = Q(kind=Kind.BALLOT_OPEN, url__in=[b.get_absolute_url() for b in ballots])
    if member.is_moderator:
        cases = Case.objects.filter(state=CaseState.OPEN)
        appeals = Appeal.objects.filter(state=AppealState.PENDING)
        waiting |= Q(kind=Kind.NEW_CASE, url__in=[c.get_absolute_url() for c in cases])
        waiting |= Q(kind=Kind.NEW_APPEAL, url__in=[a.get_absolute_url() for a in appeals])
    return waiting
