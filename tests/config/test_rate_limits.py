"""Rate limits: each trips at its rate and not before, says when to try again in the member's
language, changes nothing when it refuses, and lets everyone through while Redis is down."""

import os
import re
import subprocess
import sys
import time

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import RequestFactory, override_settings
from django.utils import timezone
from django_ratelimit.core import get_usage

from charter import selectors as charters
from charter.models import Box, RollEntry, Sponsorship
from core.rates import procedural_rate
from forum.models import Post, Thread
from members.models import Member
from moderation.models import Signal
from tests.builders.charter import found_charter, propose, put_to_ballot, reword
from tests.builders.forum import make_thread
from tests.builders.members import PASSWORD, elders, signed_in
from tests.config.production import PRODUCTION, manage
from tests.live_stack import free_port

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}


@pytest.fixture
def rates(settings):
    """Set the rate of some members' actions for one test; the others keep theirs. Tests give
    rates per day: django-ratelimit's windows are fixed, and a day's will not end mid-test."""

    def set_rates(**rates: str) -> None:
        settings.MEMBER_RATE_LIMITS = settings.MEMBER_RATE_LIMITS | rates

    return set_rates


def fresh_window(member, action: str, rate: str, *, seconds_left: int = 10) -> None:
    """django-ratelimit counts in fixed windows: wait, if need be, until the one a test starts
    in has `seconds_left` to run, so that no count restarts halfway through (and, at 70, that a
    refusal says to try again in minutes: under a minute left, it says seconds)."""
    request = RequestFactory().post("/")
    request.user = member
    usage = get_usage(request, group=action, key="user", rate=rate, method="POST")
    if usage["time_left"] < seconds_left:
        time.sleep(usage["time_left"] + 1)


def reply(client, thread, text="A reply"):
    return client.post(f"/t/{thread.pk}/reply/", {"source": text})


# Posting: new threads, replies and edits


def test_posting_is_limited_to_ten_a_minute_by_default(settings, member_client, member, thread):
    assert settings.MEMBER_RATE_LIMITS["posting"] == "10/m"
    fresh_window(member, "posting", "10/m")
    for n in range(10):
        assert reply(member_client, thread, f"Reply {n}").status_code == 302
    refused = reply(member_client, thread, "One too many")
    assert refused.status_code == 429
    assert Post.objects.filter(thread=thread).count() == 11
    assert not Post.objects.filter(source="One too many").exists()


def test_the_refusal_says_what_happened_and_when_to_try_again(rates, member_client, thread):
    rates(posting="1/d")
    reply(member_client, thread)
    refused = reply(member_client, thread)
    assert refused.status_code == 429
    assert '<html lang="en"' in refused.text
    assert "You are going a little fast" in refused.text
    assert "What you just sent was not carried out." in refused.text
    wait = int(refused["Retry-After"])
    assert 0 < wait <= 24 * 3600
    minutes = -(-wait // 60)
    said = f"Try again in {minutes} minute." if minutes == 1 else f"Try again in {minutes} minutes."
    assert said in refused.text


def test_the_refusal_is_served_in_the_members_language(rates, member_client, thread):
    rates(posting="1/d")
    reply(member_client, thread)
    refused = member_client.post(f"/t/{thread.pk}/reply/", {"source": "Encore"}, **FRENCH)
    assert refused.status_code == 429
    assert '<html lang="fr"' in refused.text


def test_new_threads_replies_and_edits_share_one_count(rates, member_client, member, category):
    rates(posting="3/d")
    started = member_client.post(
        f"/c/{category.slug}/new/", {"title": "Seeds", "source": "Who has seeds?"}
    )
    assert started.status_code == 302
    thread = Thread.objects.get(title="Seeds")
    assert reply(member_client, thread).status_code == 302
    first = thread.posts.get(number=1)
    edited = member_client.post(f"/p/{first.pk}/edit/", {"source": "Who has tomato seeds?"})
    assert edited.status_code == 302
    refused = member_client.post(f"/p/{first.pk}/edit/", {"source": "Who has bean seeds?"})
    assert refused.status_code == 429
    assert (
        member_client.post(
            f"/c/{category.slug}/new/", {"title": "More", "source": "Again"}
        ).status_code
        == 429
    )
    first.refresh_from_db()
    assert first.source == "Who has tomato seeds?"
    assert not Thread.objects.filter(title="More").exists()


def test_reading_and_opening_the_forms_are_never_limited(rates, member_client, thread):
    rates(posting="1/d")
    reply(member_client, thread)
    assert reply(member_client, thread).status_code == 429
    for page in (f"/t/{thread.pk}/", f"/t/{thread.pk}/reply/", f"/c/{thread.category.slug}/new/"):
        assert member_client.get(page).status_code == 200


def test_each_member_has_their_own_count(rates, member_client, other_client, thread):
    rates(posting="1/d")
    reply(member_client, thread)
    assert reply(member_client, thread).status_code == 429
    assert reply(other_client, thread).status_code == 302


def test_an_empty_rate_turns_a_limit_off(rates, member_client, thread):
    rates(posting="")
    for _ in range(12):
        assert reply(member_client, thread).status_code == 302


def test_previews_are_limited_to_120_in_ten_minutes_apart_from_posting(
    member_client, member, thread
):
    """A preview renders the text as posting does: a script previewing costly Markdown in a
    loop is stopped, and a member who previewed a lot may still post."""
    fresh_window(member, "previewing", "120/10m")
    for n in range(120):
        previewed = member_client.post("/preview/", {"source": f"Draft *{n}*"}, **HTMX)
        assert f"<em>{n}</em>" in previewed.text
    refused = member_client.post("/preview/", {"source": "One *too* many"})
    assert refused.status_code == 429
    assert "You are going a little fast" in refused.text
    in_panel = member_client.post("/preview/", {"source": "One *too* many"}, **HTMX)
    assert "You are going a little fast" in in_panel.text
    assert "<em>too</em>" not in in_panel.text
    # Inside the preview panel, so that the next preview finds it to replace.
    assert in_panel["HX-Reswap"] == "innerHTML"
    assert reply(member_client, thread).status_code == 302


# Signalling, co-sponsoring, voting


@pytest.fixture
def founders(admin_member):
    """Four members of 60 days, who founded the charter: each may signal, co-sponsor and vote."""
    now = timezone.now()
    members = elders(now=now)
    found_charter(admin=admin_member, voters=members, now=now, box=Box.CLEAR)
    return members


def signal_data() -> dict:
    return {"articles": [charters.current_version().articles.get(number=2).pk]}


def test_signalling_is_limited(rates, founders):
    rates(signalling="1/d")
    spam = [make_thread(source=f"Buy my pills {n}").posts.get() for n in range(3)]
    fresh_window(founders[0], "signalling", "1/d", seconds_left=70)
    client = signed_in(founders[0])
    data = signal_data()
    assert client.post(f"/moderation/signal/{spam[0].pk}/", data, **HTMX).status_code == 200
    in_panel = client.post(f"/moderation/signal/{spam[1].pk}/", data, **HTMX)
    # htmx swaps in only a success: the panel shows the refusal in place of the form.
    assert in_panel.status_code == 200
    assert "You are going a little fast" in in_panel.text
    assert re.search(r"Try again in \d+ minutes?\.", in_panel.text)
    on_page = client.post(f"/moderation/signal/{spam[2].pk}/", data)
    assert on_page.status_code == 429
    assert list(Signal.objects.values_list("post", flat=True)) == [spam[0].pk]


def test_each_co_sponsorship_the_charter_grants_goes_through_whatever_the_burst_limit(
    rates, founders
):
    rates(**{"co-sponsoring": "1/d"})
    version = charters.current_version()
    proposals = [propose(founders[0], [reword(version, n, "Clearer words.")]) for n in (1, 2)]
    client = signed_in(founders[1])
    for proposal in proposals:
        assert client.post(f"/charter/proposals/{proposal.pk}/sponsor/").status_code == 302
    assert sorted(Sponsorship.objects.values_list("proposal", flat=True)) == [
        proposal.pk for proposal in proposals
    ]
    # What the charter does not grant (sponsoring again) counts against the limit.
    again = [client.post(f"/charter/proposals/{proposals[0].pk}/sponsor/") for _ in range(2)]
    assert [response.status_code for response in again] == [302, 429]


def open_ballots(founders, numbers) -> list:
    version = charters.current_version()
    return [
        put_to_ballot(
            propose(founders[0], [reword(version, n, "New words.")], sponsors=founders[1:])
        )
        for n in numbers
    ]


def papers_in(ballots) -> int:
    """The papers in the ballots' boxes: encrypted, in their public records."""
    return sum(charters.audit_box(ballot).papers for ballot in ballots)


def test_ones_vote_in_each_ballot_goes_through_whatever_the_burst_limit(rates, founders):
    """The limit stops a script hammering the box, never a member's one vote in a ballot."""
    rates(voting="1/d")
    ballots = open_ballots(founders, (1, 2))
    client = signed_in(founders[3])
    for ballot in ballots:
        voted = client.post(f"/charter/ballots/{ballot.pk}/vote/", {"choice": "yes", "final": "on"})
        assert voted.status_code == 302
        assert RollEntry.objects.get(ballot=ballot, member=founders[3]).voted
    assert papers_in(ballots) == 2
    hammered = [
        client.post(f"/charter/ballots/{ballots[0].pk}/vote/", {"choice": "no", "final": "on"})
        for _ in range(2)
    ]
    assert [response.status_code for response in hammered] == [302, 429]
    assert papers_in(ballots) == 2


@pytest.mark.parametrize(
    ("variable", "rate"),
    [
        ("RATE_LIMIT_VOTING", "0/d"),
        ("RATE_LIMIT_SIGNALLING", "1/d"),
        ("RATE_LIMIT_CO_SPONSORING", "5/h"),
    ],
)
def test_a_limit_that_could_stop_what_the_charter_allows_keeps_the_site_from_starting(
    variable, rate
):
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings", variable: rate},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode != 0
    assert f'{variable}="{rate}" would stop members from doing what their charter allows' in (
        started.stderr
    )


@pytest.mark.parametrize("rate", ["1/m", "10/m", "60/h", "2/s", ""])
def test_a_limit_that_only_slows_a_burst_is_accepted(rate):
    assert procedural_rate("RATE_LIMIT_VOTING", rate) == rate


# Accounts (allauth's own limits)


def sign_up(client, n: int, **headers):
    return client.post(
        "/accounts/signup/",
        {
            "email": f"newcomer{n}@example.org",
            "username": f"newcomer{n}",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        **headers,
    )


def test_twenty_sign_ups_an_hour_from_one_address(visitor_client):
    for n in range(20):
        assert sign_up(visitor_client, n).status_code == 302
    refused = sign_up(visitor_client, 20)
    assert refused.status_code == 429
    assert "You are going a little fast" in refused.text
    assert "Wait a few minutes, then try again." in refused.text
    assert Member.objects.filter(username__startswith="newcomer").count() == 20


def test_the_account_refusal_is_served_in_the_visitors_language(settings, visitor_client):
    settings.ACCOUNT_RATE_LIMITS = settings.ACCOUNT_RATE_LIMITS | {"signup": "1/h/ip"}
    sign_up(visitor_client, 1)
    refused = sign_up(visitor_client, 2, **FRENCH)
    assert refused.status_code == 429
    assert '<html lang="fr"' in refused.text


def test_five_failed_sign_ins_to_one_account_stop_the_next_even_with_the_right_password(
    visitor_client, member
):
    for _ in range(5):
        wrong = visitor_client.post("/accounts/login/", {"login": "alice", "password": "nope"})
        assert "not correct" in wrong.text
    right = visitor_client.post("/accounts/login/", {"login": "alice", "password": PASSWORD})
    assert right.status_code == 200
    assert "Too many failed login attempts. Try again later." in right.text
    assert not visitor_client.get("/").wsgi_request.user.is_authenticated


def test_the_admins_sign_in_form_tries_no_password(visitor_client, admin_member):
    """Its own form had no limit: a script could try passwords there for ever. It sends everyone
    to the forum's sign-in page, and its limits, with the way back to the admin."""
    for password in ("nope", PASSWORD):
        sent = visitor_client.post(
            "/admin/login/?next=/admin/", {"username": "root", "password": password}
        )
        assert sent.status_code == 302
        assert sent["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert not visitor_client.get("/").wsgi_request.user.is_authenticated


def admin_sign_in_page(client) -> str:
    """Where a visitor opening the admin is sent to sign in."""
    return client.get("/admin/", follow=True).redirect_chain[-1][0]


def test_five_failed_sign_ins_to_the_admin_stop_the_next_even_with_the_right_password(
    visitor_client, admin_member
):
    page = admin_sign_in_page(visitor_client)
    for _ in range(5):
        wrong = visitor_client.post(page, {"login": "root", "password": "nope"})
        assert "not correct" in wrong.text
    right = visitor_client.post(page, {"login": "root", "password": PASSWORD})
    assert "Too many failed login attempts. Try again later." in right.text
    assert not visitor_client.get("/").wsgi_request.user.is_authenticated
    assert visitor_client.get("/admin/").status_code == 302


def test_an_admin_signs_in_on_the_forums_page_and_reaches_the_admin(visitor_client, admin_member):
    page = admin_sign_in_page(visitor_client)
    signed = visitor_client.post(page, {"login": "root", "password": PASSWORD}, follow=True)
    assert signed.redirect_chain[-1][0] == "/admin/"
    assert signed.status_code == 200
    assert "Site administration" in signed.text


def test_three_password_resets_an_hour_for_one_address(visitor_client, member):
    for _ in range(3):
        sent = visitor_client.post("/accounts/password/reset/", {"email": "alice@example.org"})
        assert sent.status_code == 302
    refused = visitor_client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert refused.status_code == 429
    assert len(mail.outbox) == 3


# A cache that is down


def dead_redis() -> dict:
    return {
        "default": {
            "BACKEND": "core.rate_limits.FailOpenRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1},
        }
    }


def test_with_redis_down_members_still_sign_in_sign_up_and_post(rates, visitor_client, member):
    rates(posting="1/d")
    thread = make_thread()
    with override_settings(CACHES=dead_redis()):
        signed_in = visitor_client.post(
            "/accounts/login/", {"login": "alice", "password": PASSWORD}
        )
        assert signed_in.status_code == 302
        for _ in range(2):
            assert reply(visitor_client, thread).status_code == 302
        visitor_client.logout()
        assert sign_up(visitor_client, 1).status_code == 302
    assert EmailAddress.objects.filter(email="newcomer1@example.org").exists()


def test_with_redis_the_cache_is_the_one_that_fails_open():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        REDIS_URL="redis://127.0.0.1:6379/0",
        **PRODUCTION,
    )
    assert result.stdout.strip().splitlines()[-1] == "core.rate_limits.FailOpenRedisCache"
