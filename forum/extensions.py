"""What apps above the forum add to the posts of a thread page, without the forum knowing them.

The forum depends on no app above it, yet moderation shows a "Signal" action and the reason a
post was hidden. Such an app registers a `PostExtension` when it is ready: the thread view calls
each `annotate` once for the whole page (so a page's queries stay constant whatever its size),
and every post includes the extension's templates, which read what `annotate` set on it. A
rendered post is kept in the cache (forum.page_cache) under a key that includes `key(post)`:
it must hold everything `annotate` set that the templates show.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from forum.models import Post
from members.models import Member

Annotate = Callable[[list[Post], Member | AnonymousUser], None]
Key = Callable[[Post], Hashable]


@dataclass(frozen=True)
class PostExtension:
    annotate: Annotate
    key: Key
    notice_template: str = ""  # above the post's text
    action_template: str = ""  # among the post's actions


_extensions: list[PostExtension] = []


def register(extension: PostExtension) -> None:
    if extension not in _extensions:
        _extensions.append(extension)


def extend_posts(posts: list[Post], member: Member | AnonymousUser) -> list[PostExtension]:
    """Annotate `posts` for every registered extension; returns the extensions to render."""
    if posts:
        for extension in _extensions:
            extension.annotate(posts, member)
    return list(_extensions)
