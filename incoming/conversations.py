"""Which thread an email about a post belongs to, for the emails to carry a reply address."""

from collections.abc import Sequence

from django.conf import settings

from forum import rules, selectors
from forum.services import post_of_event
from incoming.addresses import new_thread_address, reply_address, thread_message_id
from members.models import Member
from notifications.models import Kind, Notification
from notifications.replies import Conversation, ListConversation

ABOUT_A_POST = {Kind.REPLY, Kind.MENTION, Kind.QUOTE, Kind.NEW_THREAD}


def of_posts(member: Member, notifications: Sequence[Notification]) -> dict[int, Conversation]:
    """The thread of each notification about a post, when the member may reply there now.

    The thread is read from the post the notification names, not from its group, which only
    replies share with their thread. A member who may not reply (a locked thread, a suspension)
    is offered no address, rather than one whose answers would be refused; answers that come
    all the same are checked again when they arrive.
    """
    if not settings.REPLY_DOMAIN:
        return {}
    posts = {
        notification.pk: post_of_event(notification.event_key)
        for notification in notifications
        if notification.kind in ABOUT_A_POST
    }
    threads = selectors.threads_of_posts(post for post in posts.values() if post is not None)
    found = {}
    for notification_id, post_id in posts.items():
        thread = threads.get(post_id)
        if thread is None or not rules.can_reply(member, thread):
            continue
        found[notification_id] = Conversation(
            reply_address=reply_address(member_id=member.pk, thread_id=thread.pk),
            message_id=thread_message_id(thread.pk),
        )
    return found


def of_listed_post(event_key: str, members: Sequence[Member]) -> ListConversation | None:
    """The thread of a post sent in mailing-list mode, and the reply address of each of
    `members` who may reply there now (as of_posts offers them)."""
    post_id = post_of_event(event_key)
    if not settings.REPLY_DOMAIN or post_id is None:
        return None
    thread = selectors.threads_of_posts([post_id]).get(post_id)
    if thread is None:
        return None
    return ListConversation(
        message_id=thread_message_id(thread.pk),
        post_address=new_thread_address(thread.category.slug),
        reply_addresses={
            member.pk: reply_address(member_id=member.pk, thread_id=thread.pk)
            for member in members
            if rules.can_reply(member, thread)
        },
    )
