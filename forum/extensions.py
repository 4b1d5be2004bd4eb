"""What apps above the forum add to the posts of a thread page, and to a category's page,
without the forum knowing them.

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

from forum.models import Category, Post
from members.models import Member

Annotate = Callable[[list[Post], Member | AnonymousUser], None]
Key = Callable[[Post], Hashable]
# A short notice (HTML from the app's own template) for a member on a category's page, given
# the member's watch level there, which the page has read already; "" for none. The page is
# kept in the cache under the member's row and the category's: the notice may depend on those.
CategoryNotice = Callable[[Category, Member | AnonymousUser, str | None], str]


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


_category_notices: list[CategoryNotice] = []


def register_category_notice(notice: CategoryNotice) -> None:
    if notice not in _category_notices:
        _category_notices.append(notice)


def category_notices(
    category: Category, member: Member | AnonymousUser, watch_level: str | None
) -> list[str]:
    return [
        shown for notice in _category_notices if (shown := notice(category, member, watch_level))
    ]
