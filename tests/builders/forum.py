"""Categories, threads and replies: the threads and replies built through the forum's services,
so that counters and numbering are the real ones."""

import factory

from forum import services
from forum.models import Category, Post, Thread
from members.models import Member
from tests.builders.members import MemberFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = "Where things are discussed."


def make_thread(
    *,
    category: Category | None = None,
    author: Member | None = None,
    title: str = "A thread",
    source: str = "The opening post.",
    replies: int = 0,
) -> Thread:
    category = category or CategoryFactory()
    author = author or MemberFactory()
    thread = services.create_thread(author=author, category=category, title=title, source=source)
    for n in range(replies):
        services.reply(author=MemberFactory(), thread=thread, source=f"Reply number {n + 1}.")
    thread.refresh_from_db()
    return thread


def make_reply(thread: Thread, *, author: Member | None = None, source: str = "A reply.") -> Post:
    return services.reply(author=author or MemberFactory(), thread=thread, source=source)


def new_post(author: Member | None = None, *, source: str = "Buy my miracle fertiliser!") -> Post:
    """A reply by `author` (a new member by default) in a new thread."""
    return services.reply(author=author or MemberFactory(), thread=make_thread(), source=source)
