"""The permissions matrix: every URL of the project, asked by every persona, answers as the
table in tests/config/permissions_table.py says.

A URL without an entry in the table fails, and so does an entry whose URL is gone. For each
persona the world is built afresh (a ratified charter, threads, proposals, a ballot, cases, a
decision, an appeal, notifications), and every request runs in a savepoint that is rolled
back, so that no request sees what another one did. Three requests per entry and persona: a
GET, a POST with a valid CSRF token, a POST without one; and every GET is watched for
database writes. A smaller matrix asks the charter's URLs before ratification, stage by stage,
and a banned member's session must answer as a visitor's everywhere.
"""

from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from charter import services as charter
from charter.models import Ballot, Box
from forum import services as forum
from forum.models import Post, Thread
from members import services as members
from members.models import Member
from moderation import services as moderation
from moderation.appeal_links import ban_appeal_url
from moderation.models import Case, SanctionKind
from moderation.sanctions import Step
from notifications.models import Kind, Notification
from notifications.stop_links import stop_emails_token, stop_list_token
from tests.builders.charter import (
    ARTICLES,
    article,
    draft_data,
    found_charter,
    open_founding,
    propose,
    put_to_ballot,
    reword,
)
from tests.builders.files import as_upload, pdf, picture
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory
from tests.builders.moderation import appeal, signal, uphold
from tests.config import permissions_table as table
from tests.config.permissions_table import (
    ACTION,
    ADMIN_LOGIN,
    CSRF,
    FORBIDDEN,
    INVALID,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    PAGE,
    PERSONAS,
    REDIRECT,
    REFUSED,
    STOP_POLLING,
)
from tests.query_budget import recorded_queries

# Its outcome depends on the SQL each database answers: run on both (make test).
pytestmark = pytest.mark.both_databases

CSRF_SECRET = "matrixmatrixmatrixmatrixmatrixmx"  # 32 characters: an unmasked token
WRITES = ("INSERT", "UPDATE", "DELETE")
METHODS = ("GET", "GET writes", "POST", "POST without CSRF token")
REFUSALS = {LOGIN, ADMIN_LOGIN, FORBIDDEN, NOT_FOUND, NOT_ALLOWED}


# The URL patterns


def url_patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(key, route) of every pattern: `namespace:name`, or the route of an unnamed one."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from url_patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name or route, route


ENTRIES = table.entries()


def test_every_url_pattern_has_an_entry():
    keys = [key for key, _route in url_patterns()]
    assert len(keys) == len(set(keys)), "two URL patterns share a name: key them apart"
    listed = {entry.name for entry in ENTRIES}
    missing = [f"{key} ({route})" for key, route in url_patterns() if key not in listed]
    assert not missing, "add an entry to tests/config/permissions_table.py for: " + ", ".join(
        missing
    )


def test_every_entry_names_an_existing_url_pattern():
    existing = {key for key, _route in url_patterns()}
    gone = sorted({entry.name for entry in ENTRIES} - existing)
    assert not gone, f"remove the entries of URLs that no longer exist: {gone}"


def test_entries_are_unique():
    keys = [entry.key for entry in ENTRIES + table.FOUNDING]
    assert len(keys) == len(set(keys)), "give entries of the same URL distinct variants"


def test_every_registered_model_has_admin_powers():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered - set(table.ADMIN_POWERS) == set(), "say what the admin may do with it"
    assert set(table.ADMIN_POWERS) - registered == set(), "this model is no longer registered"


def test_known_bugs_name_real_cells():
    keys = {entry.key for entry in ENTRIES + table.FOUNDING}
    for key, persona, method in table.KNOWN_BUGS:
        assert key in keys and persona in PERSONAS and method in METHODS


# The table itself states the generic rules


def test_every_action_refuses_get():
    for entry in ENTRIES:
        if entry.kind == ACTION:
            for persona, outcome in entry.get.items():
                allowed = {NOT_ALLOWED, LOGIN} if persona == "visitor" else {NOT_ALLOWED}
                assert outcome in allowed, (entry.key, persona)


def test_no_page_acts_on_post():
    for entry in ENTRIES:
        if entry.kind == PAGE and not entry.name.startswith("admin"):
            assert set(entry.post.values()) <= REFUSALS, entry.key


def test_moderator_views_refuse_members_and_the_suspended():
    moderator_views = [entry for entry in ENTRIES if entry.moderators_only]
    assert {entry.name for entry in moderator_views} >= {
        "moderation:queue",
        "moderation:case",
        "moderation:claim",
        "moderation:release",
        "moderation:step_aside",
        "moderation:defer",
        "moderation:decide",
        "moderation:appeals",
        "moderation:appeal",
    }
    for entry in moderator_views:
        for persona in ("member", "suspended", "admin"):
            assert entry.post[persona] in (FORBIDDEN, NOT_ALLOWED), (entry.key, persona)
            assert entry.get[persona] in (FORBIDDEN, NOT_ALLOWED), (entry.key, persona)


def test_charter_writes_refuse_the_admin_once_ratified():
    writes = [entry for entry in ENTRIES if entry.charter_write]
    assert {entry.name for entry in writes} == {
        "charter:edit_draft",
        "charter:open_founding_ballot",
    }
    for entry in writes:
        assert entry.post["admin"] == FORBIDDEN, entry.key


def test_only_signed_stop_links_are_exempt_from_csrf():
    exempt = {entry.name for entry in ENTRIES if entry.csrf_exempt}
    assert exempt == {"forum:stop_watching", "notifications:stop_emails", "notifications:stop_list"}


# The world every persona meets


@dataclass
class World:
    persons: dict[str, Member | None]
    sessions: dict[str, str] = field(default_factory=dict)

    def admin_object(self, model: type[Model]) -> Model:
        found = model._default_manager.order_by("pk").first()
        assert found is not None, f"the world has no {model._meta.label}: build one"
        return found


ELDER = timedelta(days=90)  # past every eligibility period


def personas(now) -> dict[str, Member | None]:
    """Verified members who joined long ago; the suspended one's suspension comes later."""
    elder = {"date_joined": now - ELDER}
    return {
        "visitor": None,
        "member": MemberFactory(username="alice", **elder),
        "suspended": MemberFactory(username="sami", **elder),
        "moderator": MemberFactory(username="noor", is_moderator=True, **elder),
        "admin": MemberFactory(username="root", is_staff=True, is_superuser=True, **elder),
    }


def sign_in(w: World) -> World:
    for persona, person in w.persons.items():
        if person is not None:
            client = Client()
            client.force_login(person)
            w.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return w


def build_world() -> World:
    """The site as the main matrix meets it: a ratified charter, and something of every kind."""
    now = timezone.now()
    elder = {"date_joined": now - ELDER}
    persons = personas(now)
    w = World(persons)
    w.other = MemberFactory(username="bruno", **elder)
    w.carla = MemberFactory(username="carla", **elder)
    w.judge = MemberFactory(username="dan", is_moderator=True, **elder)
    sponsors = [MemberFactory(**elder) for _ in range(3)]
    everybody = [*list(persons.values())[1:], w.other, w.carla, w.judge, *sponsors]
    w.charter = found_charter(admin=persons["admin"], voters=everybody, now=now, box=Box.CLEAR)
    w.article = article(w.charter, 2)
    for person in everybody:
        person.refresh_from_db()

    # The forum: a public thread, and a moderators' category
    w.category = CategoryFactory(name="Gardens", slug="gardens")
    w.restricted = CategoryFactory(
        name="Moderators", slug="moderators", read_restricted=True, write_restricted=True
    )
    w.announcements = CategoryFactory(name="News", slug="news", write_restricted=True)
    w.thread = make_thread(category=w.category, author=w.other, title="Seed swap")
    locked = make_thread(category=w.category, author=w.other, title="Closed")
    w.locked_thread = forum.update_thread(
        thread=locked, title=locked.title, pinned=False, locked=True
    )
    w.restricted_thread = make_thread(category=w.restricted, author=persons["moderator"])
    w.restricted_post = w.restricted_thread.posts.get()
    w.member_post = forum.reply(author=persons["member"], thread=w.thread, source="Mine.")
    # Replies after the member's: the member, who watches the thread, is notified.
    w.other_post = forum.reply(author=w.other, thread=w.thread, source="Tomatoes like sun.")
    w.notification = Notification.objects.filter(recipient=persons["member"]).latest("pk")
    w.notification_kinds = [kind.value for kind in Kind]
    w.stop_watching_token = forum.stop_watching_token(
        member_id=persons["member"].pk, thread_id=w.thread.pk
    )
    w.stop_emails_token = stop_emails_token(member_id=persons["member"].pk, kind=Kind.REPLY)
    w.stop_list_token = stop_list_token(member_id=persons["member"].pk)
    # Files: one in a public thread, one in the moderators' category, one no post took yet
    w.public_file = forum.upload(member=w.other, file=as_upload("plan.pdf", pdf()))
    make_thread(category=w.category, author=w.other, source=forum.markdown_for(w.public_file))
    w.restricted_file = forum.upload(member=persons["moderator"], file=as_upload("a.pdf", pdf()))
    make_thread(
        category=w.restricted,
        author=persons["moderator"],
        source=forum.markdown_for(w.restricted_file),
    )
    w.unused_file = forum.upload(member=persons["member"], file=as_upload("draft.pdf", pdf()))
    members.set_avatar(member=w.other, file=as_upload("me.png", picture()))

    # The charter: the member's draft, another member's proposal, an amendment's ballot
    w.member_draft = propose(persons["member"], [reword(w.charter, 1, "Be kind.")], submit=False)
    w.seeking = propose(w.other, [reword(w.charter, 3, "No adverts.")])
    stay_on_topic = [reword(w.charter, 2, "Stay on topic.")]
    w.ballot = put_to_ballot(propose(w.carla, stay_on_topic, sponsors=sponsors))
    w.founding_ballot = Ballot.objects.get(draft__isnull=False)

    # Moderation: cases to claim, release and step aside from; a suspension; an appeal
    w.open_case = _case(signal(_reply(w), w.carla))
    claimed = signal(_reply(w), w.carla)
    moderation.claim_case(moderator=persons["moderator"], case=_case(claimed))
    w.claimed_case = _case(claimed)
    w.conflicted_case = _case(signal(_reply(w), persons["moderator"]))
    sami_post = forum.reply(author=persons["suspended"], thread=w.thread, source="Buy now!")
    w.suspension = uphold(
        _case(signal(sami_post, w.carla)),
        w.judge,
        sanction=Step(SanctionKind.SUSPENSION, 30),
    )
    carla_post = forum.reply(author=w.carla, thread=w.thread, source="Cheap seeds here!")
    warned = uphold(
        _case(signal(carla_post, w.other)), w.judge, sanction=Step(SanctionKind.WARNING)
    )
    w.pending_appeal = appeal(warned)
    own_decision = uphold(_case(signal(_reply(w), w.carla)), persons["moderator"])
    w.appeal_of_own_decision = appeal(own_decision)
    persons["suspended"].refresh_from_db()
    assert persons["suspended"].is_suspended
    eve = MemberFactory(username="eve", **elder)
    eve_post = forum.reply(author=eve, thread=w.thread, source="Spam, spam, spam.")
    ban = uphold(_case(signal(eve_post, w.carla)), w.judge, sanction=Step(SanctionKind.BAN))
    w.ban_appeal_path = ban_appeal_url(decision=ban, member_id=eve.pk)

    # The accounts: a newcomer's email to confirm, a password to reset
    newcomer = MemberFactory(username="newcomer")
    address = EmailAddress.objects.get(user=newcomer)
    address.verified = False
    address.save()
    w.confirmation_key = EmailConfirmationHMAC(address).key
    w.reset_uid = user_pk_to_url_str(newcomer)
    w.reset_key = default_token_generator.make_token(newcomer)

    # The admin: the one model nothing above makes a row of, and a type to view on the site
    Group.objects.create(name="Helpers")
    w.thread_type = ContentType.objects.get_for_model(Thread)
    return sign_in(w)


def build_founding_world(stage: str) -> World:
    """A site before its charter: nothing yet, a provisional draft, or its founding ballot."""
    now = timezone.now()
    w = World(personas(now))
    admin_member = w.persons["admin"]
    Member.objects.filter(pk=w.persons["suspended"].pk).update(
        suspended_until=now + timedelta(days=7)
    )
    w.draft_data = draft_data([(draft.title, draft.body) for draft in ARTICLES])
    if stage != table.NO_CHARTER:
        w.draft = charter.start_provisional_charter()
        charter.edit_provisional_charter(
            admin=admin_member, version=w.draft, articles=ARTICLES, parameters={}
        )
    if stage == table.FOUNDING_BALLOT:
        w.ballot = open_founding(admin_member, w.draft, now=now)
    return sign_in(w)


def _reply(w: World) -> Post:
    return forum.reply(author=w.other, thread=w.thread, source="Visit my shop.")


def _case(signalled) -> Case:
    return Case.objects.get(post=signalled.post)


# Asking


def outcome_of(response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith(reverse("account_login")):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        sent = messages.get_messages(response.wsgi_request)
        if any(message.level == messages.ERROR for message in sent):
            return REFUSED
        return REDIRECT
    if status == 403 and b"CSRF verification failed" in response.content:
        return CSRF
    names = {
        200: OK,
        286: STOP_POLLING,
        400: INVALID,
        403: FORBIDDEN,
        404: NOT_FOUND,
        405: NOT_ALLOWED,
    }
    return names.get(status, f"HTTP {status}")


def ask(w: World, persona: str, method: str, url: str, data: dict, *, token: bool):
    """One request in a savepoint rolled back after it: (outcome, SQL writes it made)."""
    client = Client(enforce_csrf_checks=True)
    if persona in w.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[persona]
    headers = {}
    if token:
        client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
        headers["X-CSRFToken"] = CSRF_SECRET
    cache.clear()  # rate-limit counters: each request is the persona's first
    with transaction.atomic(), recorded_queries() as queries:
        try:
            if method == "GET":
                response = client.get(url, headers=headers)
            else:
                response = client.post(url, data, headers=headers)
            outcome = outcome_of(response)
        except Exception as error:  # a 500: the test client re-raises what the view raised
            outcome = f"500 {type(error).__name__}: {error}"
        transaction.set_rollback(True)
    writes = [
        sql
        for sql in queries
        if sql.lstrip().upper().startswith(WRITES) and "django_session" not in sql
    ]
    return outcome, writes


def url_of(entry: table.Entry, w: World) -> str:
    if entry.path:
        return entry.path(w)
    return reverse(entry.name, kwargs=entry.kwargs(w) if entry.kwargs else None)


def run_matrix(
    w: World, entries: list[table.Entry], persona: str, known_bugs=table.KNOWN_BUGS
) -> list[str]:
    """Ask every entry as `persona`; each cell that answers against the table, one line each.
    A known bug's cell must still answer against the table."""
    mismatches = []

    def check(entry: table.Entry, method: str, expected: str, got: str) -> None:
        cell = (entry.key, persona, method)
        if cell in known_bugs:
            if got == expected:
                mismatches.append(f"{cell} now answers {got}: remove it from KNOWN_BUGS")
        elif got != expected:
            mismatches.append(
                f"{entry.key} | {persona} | {method} | expected {expected}, got {got}"
            )

    for entry in entries:
        url = url_of(entry, w)
        data = entry.data(w) if callable(entry.data) else entry.data
        got, writes = ask(w, persona, "GET", url, {}, token=False)
        check(entry, "GET", entry.get[persona], got)
        if not entry.writes_on_get:
            check(entry, "GET writes", "nothing", f"{writes[0][:100]}…" if writes else "nothing")
        got, _writes = ask(w, persona, "POST", url, data, token=True)
        check(entry, "POST", entry.post[persona], got)
        got, _writes = ask(w, persona, "POST", url, data, token=False)
        without_token = entry.post[persona] if entry.csrf_exempt else CSRF
        check(entry, "POST without CSRF token", without_token, got)
    return mismatches


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_answers_as_the_table_says(persona):
    mismatches = run_matrix(build_world(), ENTRIES, persona)
    assert not mismatches, f"{len(mismatches)} cells against the table:\n" + "\n".join(mismatches)


@pytest.mark.django_db
def test_a_banned_members_session_answers_as_a_visitor():
    """A ban signs the member out at their next request, whatever it asks."""
    w = build_world()
    Member.objects.filter(pk=w.persons["member"].pk).update(banned_at=timezone.now())
    as_visitor = [
        replace(
            entry,
            get=entry.get | {"member": entry.get["visitor"]},
            post=entry.post | {"member": entry.post["visitor"]},
        )
        for entry in ENTRIES
    ]
    mismatches = run_matrix(w, as_visitor, "member", known_bugs={})
    assert not mismatches, f"{len(mismatches)} cells against the table:\n" + "\n".join(mismatches)


@pytest.mark.django_db
@pytest.mark.parametrize("stage", table.FOUNDING_STAGES)
def test_before_ratification_the_charter_answers_as_the_table_says(stage):
    w = build_founding_world(stage)
    entries = [entry for entry in table.FOUNDING if entry.variant == stage]
    mismatches = [line for persona in PERSONAS for line in run_matrix(w, entries, persona)]
    assert not mismatches, f"{len(mismatches)} cells against the table:\n" + "\n".join(mismatches)
