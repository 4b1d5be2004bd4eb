"""Moderation fixtures: a ratified charter to cite, a post to signal, members to signal it and
moderators to decide, all built through the services (tests/builders/)."""

import pytest
from django.utils import timezone

from charter.models import CharterVersion
from forum import services as forum
from forum.models import Post
from members.models import Member
from tests.builders.charter import found_charter
from tests.builders.forum import make_thread
from tests.builders.members import MemberFactory


@pytest.fixture
def charter(admin_member) -> CharterVersion:
    """Version 1 of a four-article charter (2 is "On topic"), ratified by two founders."""
    return found_charter(
        admin=admin_member, voters=[MemberFactory(), MemberFactory()], now=timezone.now()
    )


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
