"""What the forum's pages show, rendered once and kept in the cache, and never stale.

Nothing here is ever invalidated: every entry's key is made of what the entry shows, so a
change gives a new key, and the old entry is never read again and expires. Two kinds:

- **Visitors' pages.** Every visitor (not signed in) reading in the same language and time
  zone sees the same index, category and thread pages, so their main content is kept whole.
  The rows loaded to serve the page (the thread, the category) go into the key as they are;
  what they do not hold (a post edited or hidden, a thanks, an author's new name or picture,
  a moderators' note) changes the thread's and category's `stamp` in the same transaction,
  through the services that make the change. Pages that say "3 minutes ago" add the minute to
  the key. The header and footer stay outside: they hold the visitor's own CSRF token and
  messages.
- **Search results** are the same for every reader who may read the same categories: their
  key holds the query and those categories' rows, whose `stamp` changes with any post in them.
- **Members' pages.** A signed-in member's index, category and thread pages are their own,
  but the same from one request to the next until something they show changes: their main
  content is kept per member, under a key made of the visitor's key, the member's row (their
  standing, role, preferences, and `reading_stamp`, which their read marks and watches change)
  and, on a thread page, their read mark and watch level. What others do reaches them through
  the thread's and categories' stamps, as for visitors. Each form's CSRF token is replaced by
  the placeholder before the content is kept, and the reader's own put back at each request.
  Kept compressed, and for a short while: these entries are many, one per member and page.
- **Posts.** A post looks the same to every reader who may do the same things with it, so each
  post of a member's thread page is kept per way of seeing it: its key holds the post's row,
  its author's name, picture and role, what the reader may do with it (edit, delete, thank,
  quote), whether the reader wrote it or moderates, and what the apps above the forum add to it
  (`PostExtension.key`). Its thanks form is rendered with a placeholder for the reader's CSRF
  token, which `with_csrf_token` replaces once the page is assembled.
"""

import hashlib
import re
import zlib
from collections.abc import Callable, Iterable
from functools import cache as once
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from forum.extensions import PostExtension
from forum.models import Post

# Long enough to outlive quiet periods; entries of changed pages are dropped by then.
TIMEOUT_SECONDS = 24 * 3600
# A member's page is worth keeping while they read on; after that it only takes room.
MEMBER_TIMEOUT_SECONDS = 15 * 60
# What Django's {% csrf_token %} writes: the token is the reader's, so it is never kept.
_CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def shared_content(kind: str, key: Iterable[object], render: Callable[[], str]) -> SafeString:
    """Content that readers share (a visitor's page, search results): from the cache, or
    rendered and kept."""
    full_key = _cache_key(kind, key)
    html = cache.get(full_key)
    if html is None:
        html = render()
        # A form's token is the visitor's own: such content must never be shared.
        if "csrfmiddlewaretoken" not in html:
            cache.set(full_key, html, TIMEOUT_SECONDS)
    return _rendered(html)


def member_content(
    request: HttpRequest, key: Iterable[object], render: Callable[[], str]
) -> SafeString:
    """A signed-in member's content (a page without its header and footer): from the cache,
    or rendered and kept. `key` holds what the page shows besides the member's own row: the
    rows it is about, their readers' state, the page number, the minute for relative times."""
    member = request.user
    full_key = _cache_key("member", (row(member), member.is_suspended, *key))
    kept = cache.get(full_key)
    if kept is not None:
        html = zlib.decompress(kept).decode()
    else:
        html = _CSRF_FIELD.sub(rf"\g<1>{_placeholder()}\g<2>", render())
        cache.set(full_key, zlib.compress(html.encode(), 1), MEMBER_TIMEOUT_SECONDS)
    return with_csrf_token(request, html)


def render_posts(
    posts: list[Post], extensions: list[PostExtension], context: dict[str, object]
) -> None:
    """Set `post.rendered` on each of `posts`, from the cache or rendered and kept.

    `context` holds what every post of the page is rendered with (the reader as `user`,
    `can_reply`, `first_unread`); the posts carry what the thread view and the extensions set.
    """
    user = context["user"]
    keys = {
        post.pk: _cache_key(
            "post",
            (
                row(post),
                _author(post),
                user.is_authenticated and post.author_id == user.pk,
                user.is_authenticated and user.is_moderator,
                context["can_reply"],
                post.number == context["first_unread"],
                post.can_edit,
                post.can_delete,
                post.can_thank,
                bool(getattr(post, "thanked_by_me", None)),
                tuple(
                    (thanks.member.username, thanks.member.public_name)
                    for thanks in getattr(post, "thanks_received", ())
                ),
                tuple(extension.key(post) for extension in extensions),
            ),
        )
        for post in posts
    }
    found = cache.get_many(list(keys.values()))
    template = get_template("forum/_post.html")
    fresh = {}
    for post in posts:
        html = found.get(keys[post.pk])
        if html is None:
            html = template.render(
                context
                | {"post": post, "post_extensions": extensions, "csrf_token": _placeholder()}
            )
            fresh[keys[post.pk]] = html
        post.rendered = _rendered(html)
    if fresh:
        cache.set_many(fresh, TIMEOUT_SECONDS)


def with_csrf_token(request: HttpRequest, html: str) -> SafeString:
    """`html` with the reader's own CSRF token where the posts' forms hold a placeholder."""
    if _placeholder() in html:
        html = html.replace(_placeholder(), get_token(request))
    return _rendered(html)


def row(instance: Model) -> tuple:
    """Every field loaded of `instance`, as a part of a key: any change to the row changes it
    (a field left unloaded is one the page does not show)."""
    deferred = instance.get_deferred_fields()
    return tuple(
        getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in deferred
    )


def this_minute() -> int:
    """For pages that show times relative to now ("3 minutes ago")."""
    return int(timezone.now().timestamp()) // 60


def _author(post: Post) -> tuple | None:
    author = post.author
    if author is None:
        return None
    return (
        author.pk,
        author.username,
        author.public_name,
        author.avatar,
        author.is_moderator,
        author.deleted_at,
    )


def _rendered(html: str) -> SafeString:
    """HTML that our templates rendered, escaping there what members wrote, read back from
    the cache (which keeps it as a plain string) or with the reader's token put in."""
    return mark_safe(html)  # nosec B308 B703 - our templates' output, escaped when rendered


@once
def _placeholder() -> str:
    """Stands for the reader's CSRF token in kept posts. The same in every process that
    shares the cache, and derived from SECRET_KEY, so no member can write it into a post."""
    return salted_hmac("forum.page_cache.csrf", "placeholder", algorithm="sha256").hexdigest()


def _cache_key(kind: str, parts: Iterable[object]) -> str:
    digest = hashlib.sha256(
        repr(
            (
                _release(),
                translation.get_language(),
                timezone.get_current_timezone_name(),
                *parts,
            )
        ).encode()
    ).hexdigest()
    return f"forum:{kind}:{digest}"


@once
def _release() -> str:
    """The templates and translations this process renders with: an upgrade that changes them
    must not serve pages rendered by the previous release."""
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders += [Path(config.path) / "templates" for config in apps.get_app_configs()]
    folders += [Path(folder) for folder in settings.LOCALE_PATHS]
    files = sorted(path for folder in folders if folder.is_dir() for path in folder.rglob("*"))
    fingerprint = hashlib.sha256()
    for path in files:
        if path.is_file():
            stat = path.stat()
            fingerprint.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return fingerprint.hexdigest()[:16]
