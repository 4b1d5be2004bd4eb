from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from forum import services
from forum.models import Category, Post, Thread
from members.models import Member

PASSWORD = "correct-horse-battery"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda m: f"{m.username}@example.org")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)
    must_accept_charter = False
    # Past their first day, whose posting limits a test of them asks for with `date_joined`.
    date_joined = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))

    @factory.post_generation
    def verified_email(member, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(
                user=member, email=member.email, verified=True, primary=True
            )


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
    """A thread built through the services, so counters and numbering are the real ones."""
    category = category or CategoryFactory()
    author = author or MemberFactory()
    thread = services.create_thread(author=author, category=category, title=title, source=source)
    for n in range(replies):
        services.reply(author=MemberFactory(), thread=thread, source=f"Reply number {n + 1}.")
    thread.refresh_from_db()
    return thread


def make_reply(thread: Thread, *, author: Member | None = None, source: str = "A reply.") -> Post:
    return services.reply(author=author or MemberFactory(), thread=thread, source=source)
