"""Who may see a post: its author deletes it; moderation holds, hides, removes and shows it
again, each change made once even when two moderators act at the same moment."""

from django.db import transaction

from forum import rules
from forum.models import Post, PostState, Thread
from forum.services.announcements import post_event_key
from forum.services.stamps import restamp
from members.models import Member
from notifications import services as notifications


def delete_post(*, member: Member, post: Post) -> Post:
    rules.require(rules.can_delete_post(member, post))
    with transaction.atomic():
        post.state = PostState.DELETED
        post.deleted_by = member
        post.save(update_fields=["state", "deleted_by"])
        restamp(Thread.objects.filter(pk=post.thread_id))
    return post


def hold_for_review(*, post: Post) -> bool:
    """Hide a visible post until the moderators decide; False if it was not visible (so two
    simultaneous holds hide it once)."""
    return _change_state(post, PostState.PENDING, only_from=[PostState.VISIBLE])


def hide_post(*, post: Post) -> bool:
    return _change_state(post, PostState.HIDDEN, only_from=[PostState.VISIBLE, PostState.PENDING])


def remove_post(*, post: Post, moderator: Member) -> bool:
    return _change_state(
        post,
        PostState.DELETED,
        only_from=[PostState.VISIBLE, PostState.PENDING, PostState.HIDDEN],
        deleted_by=moderator,
    )


def show_post(*, post: Post) -> bool:
    """Make a post visible again: a review that found no breach, or a decision overturned."""
    return _change_state(
        post, PostState.VISIBLE, only_from=[PostState.PENDING, PostState.HIDDEN, PostState.DELETED]
    )


def _change_state(
    post: Post, state: PostState, *, only_from: list[PostState], deleted_by: Member | None = None
) -> bool:
    with transaction.atomic():
        changed = Post.objects.filter(pk=post.pk, state__in=only_from).update(
            state=state, deleted_by=deleted_by
        )
        if changed:
            restamp(Thread.objects.filter(pk=post.thread_id))
        if changed and state != PostState.VISIBLE:
            notifications.forget_excerpts(event_keys=[post_event_key(post.pk)])
    if changed:
        post.state, post.deleted_by = state, deleted_by
    return bool(changed)
