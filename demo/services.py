"""Builds the demo community through the same services members use, so it is a real forum."""

import re
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from demo import content
from forum import services as forum
from forum.models import Category, Post, Thread
from members.models import Member
from notifications import services as notifications
from notifications.models import EmailChoice, Kind

ADMIN = {"username": "admin", "email": "admin@demo.palabre.test", "password": "palabre-admin",
         "display_name": "Alex Admin"}  # fmt: skip
MODERATOR = {"username": "moderatrice", "email": "moderatrice@demo.palabre.test",
             "password": "palabre-moderatrice", "display_name": "Noor Haddad"}  # fmt: skip
MEMBER_PASSWORD = "palabre-membre"

_QUOTE_HEADER = re.compile(r"^> \*\*@(\w+)\*\* wrote \(#(\d+)\):$", re.MULTILINE)


def demo_is_loaded() -> bool:
    return Member.objects.filter(username=ADMIN["username"]).exists()


@transaction.atomic
def load_demo_community() -> None:
    """Create the demo members, categories and threads; all or nothing."""
    now = timezone.now()
    admin = _member(**ADMIN, is_staff=True, is_superuser=True, is_moderator=True, joined=now)
    moderator = _member(**MODERATOR, is_moderator=True, joined=now - timedelta(days=420))
    members = {"admin": admin, "moderatrice": moderator}
    for spec in content.MEMBERS:
        members[spec["username"]] = _member(
            username=spec["username"],
            email=spec["email"],
            password=MEMBER_PASSWORD,
            display_name=spec["display_name"],
            bio=spec["bio"],
            language=spec["language"],
            joined=now - timedelta(days=spec["days_ago_joined"]),
        )
    categories = {}
    for position, spec in enumerate(content.CATEGORIES):
        categories[spec["slug"]] = Category.objects.create(position=position, **spec)
    threads = [
        _thread(spec, categories[spec["category"]], members, now) for spec in content.THREADS
    ]
    _add_signs_of_life(threads)


def _member(*, username: str, email: str, password: str, joined, **fields) -> Member:
    member = Member(username=username, email=email, date_joined=joined, **fields)
    member.set_password(password)
    member.save()
    EmailAddress.objects.create(user=member, email=email, verified=True, primary=True)
    # Demo members read their notifications in the site: loading the demo, or replying to
    # them, does not fill the terminal with emails.
    notifications.choose_emails(member=member, choices=dict.fromkeys(Kind, EmailChoice.DIGEST))
    return member


def _thread(spec: dict, category: Category, members: dict[str, Member], now) -> Thread:
    (opener, first_source), *replies = spec["posts"]
    started = now - timedelta(days=spec["days_ago"], hours=len(replies) * 3)
    thread = forum.create_thread(
        author=members[opener], category=category, title=spec["title"], source=first_source
    )
    numbered = {1: thread.last_post}
    for number, (author, source) in enumerate(replies, start=2):
        source = _QUOTE_HEADER.sub(
            lambda m: f"> **{m.group(1)}** [wrote](/p/{numbered[int(m.group(2))].pk}/):", source
        )
        numbered[number] = forum.reply(author=members[author], thread=thread, source=source)
    # Spread the conversation over time, so the demo reads like a lived-in forum.
    for number, post in numbered.items():
        Post.objects.filter(pk=post.pk).update(
            created_at=started + timedelta(hours=3 * (number - 1), minutes=7 * number)
        )
    Thread.objects.filter(pk=thread.pk).update(
        created_at=started,
        last_activity_at=started
        + timedelta(hours=3 * (len(numbered) - 1), minutes=7 * len(numbered)),
        pinned=spec["pinned"],
        locked=spec["locked"],
    )
    return thread


def _add_signs_of_life(threads: list[Thread]) -> None:
    """Thanks, an edited post and a deleted one, so every state of a post can be seen."""
    for thread in threads:
        for post in thread.posts.filter(number__gt=1).exclude(author=thread.author_id):
            forum.thank(member=thread.author, post=post)
    edited = threads[2].posts.get(number=1)
    forum.edit_post(
        editor=edited.author,
        post=edited,
        source=edited.source + "\n\n*Édit : lien corrigé. / Edit: link fixed.*",
    )
    deleted = threads[5].posts.order_by("-number").first()
    forum.delete_post(member=deleted.author, post=deleted)
