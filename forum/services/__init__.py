"""Every operation that changes forum data, each in one transaction, by subject: `posting`
(threads, replies, edits and what a post's text brings), `visibility` (deletion and
moderation's states), `reading` (read marks, watching, thanks), `announcements` (what members
are told, and the keys of those notifications), `stamps` (what tells the page cache a page
changed), `uploads` (images and files in posts) and `upkeep` (admin changes, counters, a member
who leaves). Views, tasks, other apps and tests use this package's names.
"""

from forum.services.announcements import (
    EXCERPT_LENGTH,
    announce_pending_posts,
    announce_post,
    letter_of_post,
    post_event_key,
    post_of_event,
    thread_group_key,
)
from forum.services.posting import (
    create_thread,
    edit_post,
    render_post_source,
    reply,
    start_thread_for,
)
from forum.services.reading import (
    mark_read,
    stop_watching,
    thank,
    watch_category,
    watch_thread,
    withdraw_thanks,
)
from forum.services.stamps import member_shown_differently, thread_changed
from forum.services.upkeep import forget_member, recount, release_thread, update_thread
from forum.services.uploads import (
    attach_uploads,
    forget_uploads,
    markdown_for,
    remove_orphans,
    upload,
)
from forum.services.visibility import (
    delete_post,
    hide_post,
    hold_for_review,
    remove_post,
    show_post,
)
from forum.stop_links import read_stop_watching_token, stop_watching_token, stop_watching_url

__all__ = [
    "EXCERPT_LENGTH",
    "announce_pending_posts",
    "announce_post",
    "attach_uploads",
    "create_thread",
    "delete_post",
    "edit_post",
    "forget_member",
    "forget_uploads",
    "hide_post",
    "hold_for_review",
    "letter_of_post",
    "mark_read",
    "markdown_for",
    "member_shown_differently",
    "post_event_key",
    "post_of_event",
    "read_stop_watching_token",
    "recount",
    "release_thread",
    "remove_orphans",
    "remove_post",
    "render_post_source",
    "reply",
    "show_post",
    "start_thread_for",
    "stop_watching",
    "stop_watching_token",
    "stop_watching_url",
    "thank",
    "thread_changed",
    "thread_group_key",
    "update_thread",
    "upload",
    "watch_category",
    "watch_thread",
    "withdraw_thanks",
]
