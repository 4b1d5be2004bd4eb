"""Moderation fixtures: a charter in force to cite, a post to signal, members to signal it and
moderators to decide. Signals, decisions and appeals are made through the services
(tests/builders/moderation.py)."""

import pytest

from charter.models import CharterVersion
from forum import services as forum
from forum.models import Post
from members.models import Member
from tests.builders.charter import charter_in_force
from tests.builders.forum import make_thread
from tests.builders.members import MemberFactory


@pytest.fixture
def charter(db) -> CharterVersion:
    """Version 1 of the four-article charter (2 is "On topic"), in force. Moderation cites it and
    reads its parameters; how it was founded is the charter's tests' business."""
    return charter_in_force()


@pytest.fixture
def author(charter) -> Member:
    """Joins after the charter is ratified, so has nothing left to accept."""
    return MemberFactory(username="author")


@pytest.fixture
def post(author, charter) -> Post:
    """A reply by `author`, the post the tests signal."""
    thread = make_thread(title="Gardening tips", source="Let us talk about tomatoes.")
    return forum.reply(author=author, thread=thread, source="Buy my miracle fertiliser!")


@pytest.fixture
def second_moderator(db) -> Member:
    return MemberFactory(username="second_moderator", is_moderator=True)
