"""Answering an email by email: where the answer goes, told by the app that receives it.

`notifications` knows no app above it, so the app that turns mail into posts (`incoming`)
registers, when it is ready, a function that names for each notification of an email the
conversation it belongs to and the reply address of the member in it; a notification it does
not name (a ballot, a moderator's decision) gets no way to answer. The function takes all of
an email's notifications at once, so a digest of fifty entries costs its queries once, not
fifty times.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from members.models import Member
from notifications.models import Notification


@dataclass(frozen=True)
class Conversation:
    # The Reply-To: signed for this member and this conversation.
    reply_address: str
    # A Message-ID naming the whole conversation, for In-Reply-To and References: mail clients
    # group its emails under it, and answers name it back.
    message_id: str


# Returns the conversations by notification id.
Finder = Callable[[Member, Sequence[Notification]], Mapping[int, Conversation]]

_finders: list[Finder] = []


def register(finder: Finder) -> None:
    if finder not in _finders:
        _finders.append(finder)


def conversations(member: Member, notifications: Sequence[Notification]) -> dict[int, Conversation]:
    """The conversation of each notification that has one, by notification id."""
    found: dict[int, Conversation] = {}
    for finder in _finders:
        found.update(finder(member, notifications))
    return found


@dataclass(frozen=True)
class ListConversation:
    """Where the emails of one post in mailing-list mode belong, and where answers go."""

    # The thread's Message-ID, as Conversation.message_id.
    message_id: str
    # The category's address for new threads (List-Post); empty when mail cannot start one.
    post_address: str
    # The Reply-To of each member who may answer in the thread now, by member id.
    reply_addresses: Mapping[int, str]


# Given a post's event key and the members its emails go to; None for an event it does not know.
ListFinder = Callable[[str, Sequence[Member]], ListConversation | None]

_list_finders: list[ListFinder] = []


def register_list(finder: ListFinder) -> None:
    if finder not in _list_finders:
        _list_finders.append(finder)


def list_conversation(event_key: str, members: Sequence[Member]) -> ListConversation | None:
    for finder in _list_finders:
        if found := finder(event_key, members):
            return found
    return None
