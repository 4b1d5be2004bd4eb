"""What each member does during the load and fault benches: a locustfile.

Run by bench/load.py and bench/faults.py, not by hand: they build the community it reads
(BENCH_COMMUNITY, a JSON file written from bench/community.py), and read back what it writes
when locust quits (BENCH_LEDGER): every request with its status and time, and every write
attempted with what the member was told about it, which the benches compare with the database.

Each simulated user is one bench member, signed in by the session cookie the community holds.
Cookies are sent by hand: the site marks them Secure, which a client speaking plain HTTP to
127.0.0.1 would otherwise keep to itself.
"""

import functools
import itertools
import json
import os
import random
import secrets
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

COMMUNITY = json.loads(Path(os.environ["BENCH_COMMUNITY"]).read_text())
RUN = os.environ["BENCH_RUN"]
SECONDS = float(os.environ["BENCH_SECONDS"])
THINK = [float(seconds) for seconds in os.environ.get("BENCH_THINK", "0.5,2").split(",")]
REQUEST_TIMEOUT = 30
# A marker of the flash message the ballot page shows after a vote (base.html).
TOLD = {"success": "message--success", "error": "message--error"}

# What the benches read back, in the order things happened.
REQUESTS: list[dict] = []
WRITES: list[dict] = []
_seats = itertools.count()


class _Run:
    """The run ends when every member has finished the task in hand after BENCH_SECONDS: a
    user stopped by locust in the middle of a request would leave a write whose fate the
    ledger cannot tell."""

    ends_at = float("inf")
    tasks_in_hand = 0


def within_the_run(work):
    @functools.wraps(work)
    def counted(self, *args):
        if time.monotonic() >= _Run.ends_at:
            return None
        _Run.tasks_in_hand += 1
        try:
            return work(self, *args)
        finally:
            _Run.tasks_in_hand -= 1

    return counted


@events.test_start.add_listener
def end_the_run_in_time(environment, **kwargs) -> None:
    _Run.ends_at = time.monotonic() + SECONDS

    def end() -> None:
        gevent.sleep(SECONDS)
        # Each request gives up after REQUEST_TIMEOUT: no task can stay in hand much longer.
        deadline = time.monotonic() + 2 * REQUEST_TIMEOUT + 5
        while _Run.tasks_in_hand and time.monotonic() < deadline:
            gevent.sleep(0.05)
        environment.runner.quit()

    gevent.spawn(end)


class _NoCookieJar(DefaultCookiePolicy):
    def set_ok(self, cookie, request) -> bool:
        return False

    def return_ok(self, cookie, request) -> bool:
        return False


class BenchMember(HttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        seat = next(_seats)
        if seat >= len(COMMUNITY["members"]):
            raise RuntimeError("more users than bench members: each user is one member")
        self.me = COMMUNITY["members"][seat]["username"]
        # Any 32 letters and digits make a valid CSRF secret: the site takes it from the
        # cookie and compares it with the form's token.
        self.csrf = secrets.token_hex(16)
        self.cookie = f"sessionid={COMMUNITY['members'][seat]['session']}; csrftoken={self.csrf}"
        self.client.cookies.set_policy(_NoCookieJar())
        self.posts = itertools.count(1)
        self.signalled: set[int] = set()
        self.voted: set[int] = set()

    # Reading

    @task(4)
    @within_the_run
    def thread_list(self) -> None:
        self._send("read: thread list", "GET", f"/c/{random.choice(COMMUNITY['categories'])}/")

    @task(5)
    @within_the_run
    def thread_page(self) -> None:
        self._send("read: thread page", "GET", f"/t/{random.choice(COMMUNITY['threads'])}/")

    @task(2)
    @within_the_run
    def charter(self) -> None:
        self._send("read: charter", "GET", "/charter/")

    @task(1)
    @within_the_run
    def journal(self) -> None:
        self._send("read: journal", "GET", "/moderation/journal/")

    # Writing: each attempt is written down before it is sent, then what the member was told.

    @task(3)
    @within_the_run
    def reply(self) -> None:
        thread = random.choice(COMMUNITY["threads"])
        marker = f"bench-{RUN}-{self.me}-{next(self.posts)}"
        write = self._attempt("post", thread=thread, marker=marker)
        source = f"A reply under load, {marker}, with a little **Markdown**."
        response = self._send("write: reply", "POST", f"/t/{thread}/reply/", {"source": source})
        self._told(write, response, acknowledged=response.status_code == 302)

    @task(2)
    @within_the_run
    def signal(self) -> None:
        if len(self.signalled) >= COMMUNITY["signals_per_day"]:
            return self.thread_page()
        post = random.choice([p for p in COMMUNITY["signal_posts"] if p not in self.signalled])
        self.signalled.add(post)
        write = self._attempt("signal", post=post)
        article = random.choice(COMMUNITY["articles"])
        data = {"articles": str(article), "note": "Signalled under load."}
        response = self._send("write: signal", "POST", f"/moderation/signal/{post}/", data)
        self._told(write, response, acknowledged=response.status_code == 302)
        return None

    @task(1)
    @within_the_run
    def vote(self) -> None:
        """A member votes in each ballot once; having voted in all, tries one again, which the
        site must refuse."""
        open_ballots = [b for b in COMMUNITY["ballots"] if b not in self.voted]
        ballot = random.choice(open_ballots or COMMUNITY["ballots"])
        write = self._attempt("vote", ballot=ballot)
        self.voted.add(ballot)
        data = {"choice": random.choice(["yes", "no", "abstain"]), "final": "on"}
        response = self._send("write: vote", "POST", f"/charter/ballots/{ballot}/vote/", data)
        if response.status_code != 302:
            return self._told(write, response, acknowledged=False)
        # Success and refusal both redirect to the ballot, which then says which it was.
        told = response.cookies.get("messages", "")
        page = self._send(
            "read: ballot after voting", "GET", response.headers["Location"], messages=told
        )
        if page.status_code != 200 or not any(tag in page.text for tag in TOLD.values()):
            write["outcome"] = "unknown"
            write["status"] = page.status_code
            return None
        return self._told(write, page, acknowledged=TOLD["success"] in page.text)

    # Plumbing

    def _send(self, name: str, method: str, path: str, data: dict | None = None, **cookies):
        cookie = "; ".join([self.cookie, *(f"{k}={v}" for k, v in cookies.items() if v)])
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.csrf}
        started = time.time()
        response = self.client.request(
            method,
            path,
            name=name,
            data=data,
            headers={"Cookie": cookie},
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT,
        )
        entry = {
            "name": name,
            "status": response.status_code,
            "ms": (time.time() - started) * 1000,
            "at": started,
        }
        if response.status_code >= 500 or response.status_code == 0:
            entry["error"] = _what_went_wrong(response)
        REQUESTS.append(entry)
        return response

    def _attempt(self, kind: str, **what) -> dict:
        write = {"kind": kind, "member": self.me, "at": time.time(), "outcome": "unknown", **what}
        WRITES.append(write)
        return write

    def _told(self, write: dict, response, *, acknowledged: bool) -> None:
        write["status"] = response.status_code
        if acknowledged:
            write["outcome"] = "acknowledged"
        elif response.status_code == 0:
            write["outcome"] = "no answer"
        elif response.status_code >= 500:
            write["outcome"] = "failed"
        else:
            write["outcome"] = "refused"


def _what_went_wrong(response) -> str:
    """For a 5xx: whether it is the site's 503 page, or something else (a traceback, a proxy)."""
    if response.status_code == 0:
        return f"no answer: {type(response.error).__name__}"
    retry = response.headers.get("Retry-After")
    if response.status_code == 503 and retry and "error-page" in response.text:
        return f"503 page (Retry-After: {retry})"
    return response.text[:300]


@events.quitting.add_listener
def write_ledger(environment, **kwargs) -> None:
    Path(os.environ["BENCH_LEDGER"]).write_text(
        json.dumps({"requests": REQUESTS, "writes": WRITES})
    )
