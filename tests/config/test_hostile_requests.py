"""No request makes a server error: every URL pattern of the project, asked by a visitor and
by a signed-in member, with GET and POST, answers something other than 500 whatever hostile
value it is given.

Each value of a fixed corpus (NUL, numbers past any column's range, negatives, PostgreSQL's
search operators, quotes, right-to-left and zero-width characters, very long strings,
percent signs, places a redirect must not lead to) goes in turn
- into each part of each pattern's path (`<int:pk>`, `<str:username>`, an admin object's
  id…), the other parts being real objects, when the pattern accepts it (`<int:…>` takes
  only digits: anything else is a 404 before any view runs);
- into every query parameter and form field the pattern's view reads, all at once. Which
  ones it reads is found by asking it once, for each persona and method, while every
  `QueryDict` notes the keys looked up in it: `q`, `page`, `next`, `quote`, `tracker`, the
  filters, the forms' fields (not what a template only shows, such as the header's search
  box showing `q` on every page: the search view reads it). A GET carries them in its query
  string, a POST in both its query string and its body.

Patterns served by one view are asked once (the admin's views, the same for every model).
Every request runs in a savepoint that is rolled back: no request sees what another did, and
a database error in one (PostgreSQL aborts the transaction) cannot fail the next. The search
and pagination errors of issue 19 only happened on PostgreSQL: the test runs on both.
"""

import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.template.base import Variable
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from charter.models import Ballot, Box
from members.models import Member
from tests.builders.charter import found_charter
from tests.builders.forum import make_reply, make_thread
from tests.builders.members import elders

# Its outcome depends on the SQL each database answers: run on both (make test).
pytestmark = pytest.mark.both_databases

HOSTILE = [
    "\x00",
    "99999999999999999999",  # past a bigint
    "-99999999999999999999",
    "9" * 4400,  # past the 4,300 digits int() reads, and past every field's length
    "-1",
    "0",
    "1e400",
    "²",  # a digit to str.isdigit(), not to int()
    "-" * 40,  # 32 "not" in a row overflow PostgreSQL's tsquery parser
    "-(" * 40 + "x",
    "x:* <-> !y & z | 'w' \"v\"",
    "\u202eevil\u202c a\u200bb\ufeff",  # right-to-left override, zero widths
    "🙂\x02\x03\x1b",
    "%00",
    "hello",  # a bare word: redirect() took it for a URL pattern's name
    "//evil.example/",
    "/x\r\nSet-Cookie: a=b",
    "",
]
PERSONAS = ("visitor", "member")
METHODS = ("GET", "POST")
PART = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")
# Read by the middlewares for every request, whatever the view.
NOT_THE_VIEWS = {"csrfmiddlewaretoken"}
LOOKUP = Variable._resolve_lookup.__name__  # how a template reads a variable's parts


def url_patterns(resolver=None, prefix: str = ""):
    """The route of every URL pattern, its parts as `<…>` or `(?P<…>…)`."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def path_of(route: str, real: dict[str, str], hostile: tuple[str, str] | None = None) -> str:
    """`route` with each part a real value, except `hostile`'s (name, value)."""

    def fill(part: re.Match) -> str:
        name = part.group(1) or part.group(2)
        if hostile and hostile[0] == name:
            return quote(hostile[1], safe="")
        return real.get(name, "1")

    return "/" + PART.sub(fill, route).replace("^", "").replace("$", "").replace("\\", "")


def view_of(path: str):
    try:
        match = resolve(path)
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", match.func)  # a class-based view's class
    return view.__module__, view.__qualname__, tuple(sorted(match.kwargs))


def one_route_per_view() -> dict[tuple, str]:
    routes = {}
    for route in url_patterns():
        routes.setdefault(view_of(path_of(route, {})), route)
    return routes


ROUTES = one_route_per_view()


@dataclass
class World:
    member: Member
    parts: dict[str, str]
    pks: dict[str, str]  # the `pk` of the routes starting so; a thread's for the others

    def real(self, route: str) -> dict[str, str]:
        for start, pk in self.pks.items():
            if route.startswith(start):
                return self.parts | {"pk": pk}
        return self.parts


@pytest.fixture
def world(db, admin_member, category) -> World:
    """A charter in force, ratified by a ballot; a thread with a reply, by a member who
    accepted the charter. No proposal: its edit form is the one /charter/proposals/new/
    shows, asked there, and with its 56 fields the slowest page to ask."""
    voters = elders()
    version = found_charter(admin=admin_member, voters=voters, now=timezone.now(), box=Box.CLEAR)
    author = voters[0]
    thread = make_thread(category=category, author=author)
    reply = make_reply(thread, author=author)
    return World(
        member=author,
        parts={
            "pk": str(thread.pk),
            "post_pk": str(reply.pk),
            "slug": category.slug,
            "username": author.username,
            "number": str(version.number),
        },
        pks={
            "p/": str(reply.pk),
            "charter/ballots/": str(Ballot.objects.get().pk),
        },
    )


@contextmanager
def keys_looked_up():
    """The keys looked up in any QueryDict (request.GET, request.POST) meanwhile."""
    keys = set()
    originals = {
        name: getattr(MultiValueDict, name) for name in ("__getitem__", "_getlist", "__contains__")
    }

    def noting(original):
        def look_up(self, key, *args, **kwargs):
            # A template's {{ request.GET.q }} only shows the value (the header's search
            # box, on every page): the views' own reads are the ones to fuzz.
            if isinstance(self, QueryDict) and sys._getframe(1).f_code.co_name != LOOKUP:
                keys.add(key)
            return original(self, key, *args, **kwargs)

        return look_up

    for name, original in originals.items():
        setattr(MultiValueDict, name, noting(original))
    try:
        yield keys
    finally:
        for name, original in originals.items():
            setattr(MultiValueDict, name, original)


class Asker:
    """Sends each request in a savepoint rolled back after it; notes every 500."""

    def __init__(self, persona: str, world) -> None:
        self.member = world.member if persona == "member" else None
        self.client = Client(raise_request_exception=False)
        self.errors: list[str] = []
        self.count = 0
        self.sign_in()

    def sign_in(self) -> None:
        if self.member is not None:
            self.client.force_login(self.member)

    def ask(self, method: str, path: str, fields: dict[str, str] | None = None) -> None:
        query = f"?{urlencode(fields)}" if fields else ""
        with transaction.atomic():
            if method == "GET":
                response = self.client.get(path + query)
            else:
                response = self.client.post(path + query, fields or {})
            transaction.set_rollback(True)
        self.count += 1
        if response.status_code == 500:
            value = next(iter(fields.values())) if fields else ""
            self.errors.append(
                f"{method} {path[:60]!r} {value[:30]!r}: {response.exc_info[1]!r:.160}"
            )
        session = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
        if self.member is not None and not (session and session.value):
            self.sign_in()  # signed out, or the account deleted, by the request

    def fields_read(self, method: str, path: str) -> set[str]:
        """What the view looks up, sent each time with "1" until it looks up nothing more: a
        form is bound only to a query or a body that is not empty, and e.g. the search reads
        the page only once its query is valid."""
        read = {"unread"}
        for _round in range(3):
            with keys_looked_up() as keys:
                self.ask(method, path, dict.fromkeys(sorted(read), "1"))
            if keys - NOT_THE_VIEWS <= read:
                break
            read |= keys - NOT_THE_VIEWS
        return read - {"unread"}

    def report(self) -> str:
        return f"{len(self.errors)} of {self.count} requests: " + "\n".join(self.errors)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_hostile_path_part_makes_a_server_error(persona, world, without_rate_limits):
    asker = Asker(persona, world)
    for view, route in ROUTES.items():
        real = world.real(route)
        for part in PART.finditer(route):
            name = part.group(1) or part.group(2)
            for value in HOSTILE:
                path = path_of(route, real, (name, value))
                if view_of(path) == view:
                    for method in METHODS:
                        asker.ask(method, path)
    assert asker.errors == [], asker.report()


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_hostile_parameter_makes_a_server_error(persona, world, without_rate_limits):
    asker = Asker(persona, world)
    for route in ROUTES.values():
        path = path_of(route, world.real(route))
        for method in METHODS:
            if read := asker.fields_read(method, path):
                for value in HOSTILE:
                    asker.ask(method, path, dict.fromkeys(sorted(read), value))
    assert asker.errors == [], asker.report()
