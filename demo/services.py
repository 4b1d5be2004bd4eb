"""Builds the demo community through the same services members use, so it is a real forum.

The charter has a past as well: it was founded by a ballot and amended once, and today has
proposals at each stage. That past is played through `charter.services` in the order it
happened, with the clock passed in (`now=`), so every state, roll and tally is one the site
itself could reach. Moderation is played the same way, through `moderation.services`: settled
cases in the journal, a reversal on appeal, an appeal to hear and open cases in the queue.
The news of each step is dated at the step's time (`demo.news`).
"""

import re
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from charter import selectors as charter_selectors
from charter import services as charter
from charter.models import Ballot, Proposal
from charter.parameters import draft_defaults
from charter.texts import Change
from demo import charter_content, content, elections, moderation_content, news
from demo.news import played
from forum import services as forum
from forum.models import Category, Post, Thread
from members.models import Member
from moderation import selectors as moderation_selectors
from moderation import services as moderation
from moderation.models import AppealState, Decision, Outcome
from notifications import services as notifications
from notifications.models import EmailChoice, Kind

# The demo's logins are public on purpose: the README and `load_demo` print them.
ADMIN = {"username": "admin", "email": "admin@demo.palabre.test", "password": "palabre-admin",  # nosec B105
         "display_name": "Alex Admin"}  # fmt: skip
MODERATOR = {"username": "moderatrice", "email": "moderatrice@demo.palabre.test",
             "password": "palabre-moderatrice", "display_name": "Noor Haddad"}  # fmt: skip  # nosec B105
MEMBER_PASSWORD = "palabre-membre"  # nosec B105

_QUOTE_HEADER = re.compile(r"^> \*\*@(\w+)\*\* wrote \(#(\d+)\):$", re.MULTILINE)


def demo_is_loaded() -> bool:
    return Member.objects.filter(username=ADMIN["username"]).exists()


@transaction.atomic
def load_demo_community(*, key_directory: Path) -> None:
    """Create the demo members, categories, charter and threads; all or nothing. The trustees
    of the open ballot find their key files in `key_directory`."""
    now = timezone.now()
    admin = _member(**ADMIN, is_staff=True, is_superuser=True, is_moderator=True,
                    joined=now - timedelta(days=450), seen=now - timedelta(hours=1))  # fmt: skip
    moderator = _member(**MODERATOR, is_moderator=True, joined=now - timedelta(days=420),
                        seen=now - timedelta(hours=2))  # fmt: skip
    members = {"admin": admin, "moderatrice": moderator}
    # Members who joined after the founding ballot opened were not on its roll: they come later.
    founding = charter_content.FOUNDING_DAYS_AGO
    for position, spec in enumerate(content.MEMBERS):
        if spec["days_ago_joined"] > founding:
            members[spec["username"]] = _demo_member(spec, position, now)
    categories = _categories()
    _found_the_charter(admin, members, now)
    past = [spec for spec in charter_content.PROPOSALS if spec["closed"]]
    for spec in past:
        _propose(spec, members, now)
        _accept_current_charter(members.values())
    for position, spec in enumerate(content.MEMBERS):
        if spec["days_ago_joined"] <= founding:
            members[spec["username"]] = _demo_member(spec, position, now)
            _accept_current_charter([members[spec["username"]]])
    # The second moderator joined after the founding too; the moderators share a password.
    second = moderation_content.SECOND_MODERATOR
    members[second["username"]] = _demo_member(
        second, len(content.MEMBERS), now, password=MODERATOR["password"], is_moderator=True
    )
    _accept_current_charter([members[second["username"]]])
    threads = [
        _thread(spec, categories[spec["category"]], members, now) for spec in content.THREADS
    ]
    _add_signs_of_life(threads)
    _moderate(threads, members, now)
    open_ballot_keys = {}
    for spec in charter_content.PROPOSALS:
        if not spec["closed"]:
            open_ballot_keys |= _propose(spec, members, now)
    elections.write_key_files(elections.demo_ballot(), open_ballot_keys, key_directory)
    news.read_as_on_a_living_site(list(members.values()))


def _demo_member(
    spec: dict, position: int, now: datetime, password: str = MEMBER_PASSWORD, **fields
) -> Member:
    return _member(
        username=spec["username"],
        email=spec["email"],
        password=password,
        display_name=spec["display_name"],
        bio=spec["bio"],
        language=spec["language"],
        joined=now - timedelta(days=spec["days_ago_joined"]),
        # Signed in lately, so each counts among the active voters of a ballot's quorum.
        seen=now - timedelta(hours=5 + 13 * position),
        trustee_volunteer=spec["username"] in elections.TRUSTEE_VOLUNTEERS,
        **fields,
    )


def _member(*, username: str, email: str, password: str, joined, seen, **fields) -> Member:
    member = Member(
        username=username,
        email=email,
        password=_hashed(password),
        date_joined=joined,
        last_login=seen,
        email_verified_at=joined,
        **fields,
    )
    member.save()
    EmailAddress.objects.create(user=member, email=email, verified=True, primary=True)
    # Demo members read their notifications in the site: loading the demo, or replying to
    # them, does not fill the terminal with emails.
    notifications.choose_emails(member=member, choices=dict.fromkeys(Kind, EmailChoice.DIGEST))
    return member


@cache
def _hashed(password: str) -> str:
    """Hash each demo password once (the members share one): hashing is most of a load's time."""
    return make_password(password)


def _categories() -> dict[str, Category]:
    """The demo's categories, with the charter's (where amendments are discussed) among them."""
    specs = []
    for spec in content.CATEGORIES:
        specs.append(spec)
        if spec["slug"] == charter_content.CATEGORY_AFTER:
            specs.append({"slug": settings.CHARTER_CATEGORY_SLUG, **charter_content.CATEGORY})
    return {
        spec["slug"]: Category.objects.create(position=position, **spec)
        for position, spec in enumerate(specs)
    }


def _thread(spec: dict, category: Category, members: dict[str, Member], now) -> Thread:
    (opener, first_source), *replies = spec["posts"]
    started = now - timedelta(days=spec["days_ago"], hours=len(replies) * 3)
    thread = forum.create_thread(
        author=members[opener], category=category, title=spec["title"], source=first_source
    )
    numbers = _reply(thread, replies, members)
    _spread(
        thread,
        {n: started + timedelta(hours=3 * (n - 1), minutes=7 * n) for n in numbers},
        pinned=spec["pinned"],
        locked=spec["locked"],
    )
    return thread


def _reply(thread: Thread, replies: list[tuple[str, str]], members: dict[str, Member]) -> list[int]:
    """Post `replies` in order; a quote header names the post it quotes by its number."""
    numbered = {1: thread.last_post}
    for number, (author, source) in enumerate(replies, start=2):
        source = _QUOTE_HEADER.sub(
            lambda m: f"> **{m.group(1)}** [wrote](/p/{numbered[int(m.group(2))].pk}/):", source
        )
        numbered[number] = forum.reply(author=members[author], thread=thread, source=source)
    return list(numbered)


def _spread(thread: Thread, times: dict[int, datetime], **fields) -> None:
    """Date each post (by number) as given, and its news, so the demo reads like a lived-in
    forum."""
    for number, at in times.items():
        Post.objects.filter(thread=thread, number=number).update(created_at=at)
    news.announce_posts(thread.posts.all())
    Thread.objects.filter(pk=thread.pk).update(
        created_at=times[1], last_activity_at=max(times.values()), **fields
    )


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


# ---------------------------------------------------------------------------------------------
# The charter


def _language() -> str:
    """The language of the charter's texts: the site's (French or English)."""
    return "fr" if settings.LANGUAGE_CODE.lower().startswith("fr") else "en"


def _found_the_charter(admin: Member, members: dict[str, Member], now: datetime) -> None:
    """The admin's provisional draft goes to the founding ballot, passes, and all accept it."""
    draft = charter.start_provisional_charter()
    charter.edit_provisional_charter(
        admin=admin,
        version=draft,
        articles=[
            charter.ArticleDraft(title, body, entrenched)
            for title, body, entrenched in charter_content.ARTICLES[_language()]
        ],
        parameters=draft_defaults(),
    )
    opened = now - timedelta(days=charter_content.FOUNDING_DAYS_AGO)
    ballot = played(charter.open_founding_ballot, admin=admin, version=draft, now=opened)
    keys = elections.make_key_and_open(ballot, drawn_at=opened)
    _vote(ballot, charter_content.FOUNDING_VOTES, members, now)
    played(charter.close_ballot, ballot_id=ballot.pk, now=ballot.closes_at)
    elections.decrypt_and_count(ballot, keys)
    _accept_current_charter(members.values())


def _accept_current_charter(members: Iterable[Member]) -> None:
    version = charter_selectors.current_version()
    for member in members:
        charter.accept_charter(member=member, version=version)


def _propose(spec: dict, members: dict[str, Member], now: datetime) -> dict[int, str]:
    """Submit, co-sponsor and discuss an amendment; to its ballot, and counted, as `spec` says.
    Returns its trustees' private keys by member id (none when it has no ballot)."""
    texts = spec[_language()]
    author = members[spec["author"]]
    proposal = charter.create_proposal(
        author=author,
        title=texts["title"],
        rationale=texts["rationale"],
        changes=[_change(change) for change in spec["changes"]],
        parameters=spec["parameters"],
    )
    played(
        charter.submit_proposal,
        author=author,
        proposal=proposal,
        now=now - timedelta(days=spec["days_ago"]),
    )
    for username, days_ago in spec["sponsors"]:
        played(
            charter.sponsor_proposal,
            member=members[username],
            proposal=proposal,
            now=now - timedelta(days=days_ago),
        )
    if proposal.thread_id:
        _discuss(proposal, spec["replies"], members)
    if spec["votes"] is None:
        return {}
    # The beat's work at the end of the discussion: the text is frozen and trustees are drawn,
    # who make the key; the ballot opens.
    played(charter.run_deadlines, now=proposal.discussion_ends_at)
    ballot = charter_selectors.proposal_detail(proposal.pk).ballot
    keys = elections.make_key_and_open(ballot, drawn_at=proposal.discussion_ends_at)
    _vote(ballot, spec["votes"], members, now)
    if spec["closed"]:
        reminder_hours = charter_selectors.parameters_in_force()["reminder_hours"]
        reminder = timedelta(hours=reminder_hours - 1)
        played(charter.run_deadlines, now=ballot.closes_at - reminder)
        played(charter.run_deadlines, now=ballot.closes_at)
        elections.decrypt_and_count(ballot, keys)
    return keys


def _discuss(
    proposal: Proposal, replies: list[tuple[str, float, str]], members: dict[str, Member]
) -> None:
    """Members reply in the proposal's discussion, each `hours` after it opened."""
    numbers = _reply(proposal.thread, [(author, text) for author, _h, text in replies], members)
    hours = [0, *(h for _author, h, _text in replies)]
    opened = proposal.sponsored_at
    _spread(
        proposal.thread,
        {n: opened + timedelta(hours=h) for n, h in zip(numbers, hours, strict=True)},
    )


def _change(spec: dict) -> Change:
    title, body = spec[_language()]
    if spec["action"] == "add":
        return Change("add", uuid.uuid4(), title, body, position=spec["position"])
    current = charter_selectors.current_version()
    article = next(
        a for a in charter_selectors.article_texts(current) if a.number == spec["article"]
    )
    return Change(spec["action"], article.identity, title, body, article.entrenched)


def _vote(ballot: Ballot, votes: dict[str, str], members: dict[str, Member], now) -> None:
    """Cast `votes` in order, spread over the ballot's time so far (at most half of it)."""
    until = min(ballot.opened_at + (ballot.closes_at - ballot.opened_at) / 2, now)
    step = (until - ballot.opened_at) / (len(votes) + 1)
    for position, (username, choice) in enumerate(votes.items(), start=1):
        played(
            charter.cast_vote,
            member=members[username],
            ballot=ballot,
            choice=choice,
            now=ballot.opened_at + step * position,
        )


# ---------------------------------------------------------------------------------------------
# Moderation


def _moderate(threads: list[Thread], members: dict[str, Member], now: datetime) -> None:
    """Play the demo's moderation: first what is settled, then what still awaits someone (an
    appeal to hear, the open cases)."""
    by_title = {thread.title: thread for thread in threads}
    cases = [
        (spec, _moderated_post(spec, by_title[spec["thread"]], members, now))
        for spec in moderation_content.CASES
    ]
    # The replies added to finished threads leave some categories' latest post out of date.
    forum.recount()
    articles = {a.number: a.pk for a in moderation_selectors.citable_articles()}
    for spec, post in cases:
        if spec["decision"] is not None:
            _signal(spec, post, members, articles, now)
            decision = _decide(spec, post, members, articles, now)
            appeal = spec.get("appeal")
            if appeal and appeal["hearing"] is not None:
                _appeal(appeal, decision, members, now)
    for spec, post in cases:
        if spec["decision"] is None:
            _signal(spec, post, members, articles, now)
            if deferred := spec.get("deferred"):
                played(
                    moderation.defer_case,
                    moderator=members[deferred["by"]],
                    case=post.moderation_case,
                    note=deferred[_language()],
                    now=_ago(now, deferred["days_ago"]),
                )
        elif (appeal := spec.get("appeal")) and appeal["hearing"] is None:
            _appeal(appeal, post.moderation_case.decisions.get(), members, now)


def _ago(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)


def _moderated_post(spec: dict, thread: Thread, members: dict[str, Member], now: datetime) -> Post:
    """The post a case is about: one of the thread's, or a reply added to its end."""
    if "reply" not in spec:
        return thread.posts.get(number=spec["post"])
    reply = spec["reply"]
    post = forum.reply(author=members[reply["author"]], thread=thread, source=reply["source"])
    at = _ago(now, reply["days_ago"])
    Post.objects.filter(pk=post.pk).update(created_at=at)
    Thread.objects.filter(pk=thread.pk).update(last_activity_at=at)
    post.refresh_from_db()
    news.announce_posts([post])
    return post


def _signal(
    spec: dict, post: Post, members: dict[str, Member], articles: dict[int, int], now: datetime
) -> None:
    for signal in spec["signals"]:
        played(
            moderation.signal_post,
            member=members[signal["by"]],
            post=post,
            article_ids=[articles[number] for number in signal["articles"]],
            other="other" in signal,
            note=signal["other"][_language()] if "other" in signal else "",
            now=_ago(now, signal["days_ago"]),
        )


def _decide(
    spec: dict, post: Post, members: dict[str, Member], articles: dict[int, int], now: datetime
) -> Decision:
    decision = spec["decision"]
    moderator = members[decision["by"]]
    case = post.moderation_case
    if "claimed" in spec:
        played(
            moderation.claim_case, moderator=moderator, case=case, now=_ago(now, spec["claimed"])
        )
    return played(
        moderation.decide_case,
        moderator=moderator,
        case=case,
        outcome=Outcome(decision["outcome"]),
        article_ids=[articles[number] for number in decision["articles"]],
        rationale=decision[_language()],
        action=decision.get("action", ""),
        sanction=decision.get("sanction"),
        now=_ago(now, decision["days_ago"]),
    )


def _appeal(spec: dict, decision: Decision, members: dict[str, Member], now: datetime) -> None:
    """The author appeals `decision`; another moderator hears it if `spec` says so."""
    appeal = played(
        moderation.appeal_decision,
        member=decision.case.post.author,
        decision=decision,
        statement=spec[_language()],
        now=_ago(now, spec["days_ago"]),
    )
    if hearing := spec["hearing"]:
        played(
            moderation.hear_appeal,
            moderator=members[hearing["by"]],
            appeal=appeal,
            outcome=AppealState(hearing["outcome"]),
            rationale=hearing[_language()],
            now=_ago(now, hearing["days_ago"]),
        )
