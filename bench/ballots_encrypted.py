"""Encrypted ballots: the request that casts a vote, and the close and count of 1,000 and 10,000.

    make bench-ballots                                     (both sizes: about 45 minutes)
    make bench-ballots BENCH_ARGS="--voters 1000"          (about 10 minutes)
    make bench-ballots BENCH_ARGS="--requests-only"        (part A only: a few minutes)

The targets measured: "time to cast a vote (median, p95) and to close and count ballots of
1,000 and 10,000 voters; the request that casts a vote stays under 300 ms p95".

Each size runs on a site of its own, in a process of its own (this script starts itself once
per size): a private PostgreSQL, Redis, a Celery worker with beat and gunicorn on 127.0.0.1
(bench/stack.py). The site has exactly that many verified members, so the founding ballot's
roll holds them all; its trustees' key is a real one made by belenios-tool
(tests/builders/elections.give_key), and the opening gives every voter a real credential.

  A. The vote, through gunicorn: `--requests` members (after `--warm-up` untimed ones), one
     at a time, each signed in by a session cookie, GET the ballot page for its CSRF token and
     then POST their choice to the vote view; the POST is timed, from sending it to the end of
     its answer (a redirect to the ballot page). The paper is made in that request: its cost
     grows with the roll, since the election it is made for carries every public credential.
  B. Every other member on the roll votes too, so the box holds one paper per voter. Their
     papers are made by `charter.belenios.paper` in a pool of `--processes` processes (what
     costs: about 60 ms each on 1,000 voters), then each goes into the box through the service
     (`elections.cast_encrypted_vote`, the same transaction as a member's request, with its
     notification), the paper handed over ready-made. The preparation's time is printed apart.
     Then, timed: `close_ballot` (belenios-tool verifies the whole record and computes the
     encrypted tally), the decryption by trustees 1 and 3 (`decrypt_as_trustee`, threshold 2
     of 3, trustee 2 absent), and `count_decrypted_ballots` (belenios-tool computes the result
     and verifies the record again; the charter is ratified). Each is split into
     belenios-tool's part and the rest (the database, the record written out and read back).

It fails (exit status 1) unless, for each size: the vote request's p95 is under 300 ms; every
timed POST was answered with the redirect of a vote taken; the box holds one paper per tick on
the roll; the close leaves the ballot counting; the count closes it with exactly the choices
cast.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import percentile, table
from bench.report import Report, machine

TARGET_MS = 300
# Of those who vote: 70 % yes, 20 % no, 10 % abstain, so the founding ballot ratifies.
CHOICES = ["yes"] * 14 + ["no"] * 4 + ["abstain"] * 2
DECRYPTING = (1, 3)  # threshold 2 of 3: trustee 2 is absent, as in the tests
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def main() -> int:
    args = _arguments()
    if args.one is not None:
        return one_size(args)
    return every_size(args)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--voters",
        default="1000,10000",
        help="ballot sizes, comma-separated: a site and a founding ballot of each",
    )
    parser.add_argument("--requests-only", action="store_true", help="part A only")
    parser.add_argument("--requests", type=int, default=100, help="timed vote requests (A)")
    parser.add_argument("--warm-up", type=int, default=5, help="untimed vote requests first")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count(),
        help="processes making the other voters' papers (B)",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one size, in a child
    parser.add_argument("--figures", help=argparse.SUPPRESS)  # where the child writes them
    args = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in args.voters.split(",") if size.strip()]
    if not sizes or min(sizes) < args.requests + args.warm_up + 1:
        parser.error("each size needs more voters than --requests + --warm-up (and the admin)")
    args.sizes = sizes
    return args


# The parent: one child process per size, then the summary.


def every_size(args: argparse.Namespace) -> int:
    load_before = os.getloadavg()
    results, statuses = [], {}
    with tempfile.TemporaryDirectory(prefix="palabre-ballots-") as directory:
        for size in args.sizes:
            figures = Path(directory) / f"{size}.json"
            command = [sys.executable, __file__, "--one", str(size), "--figures", str(figures)]
            command += _passed_on(args)
            statuses[size] = subprocess.run(command, check=False).returncode
            if figures.exists():
                results.append(json.loads(figures.read_text()))
    print("\n== Summary: every size", flush=True)
    if results:
        print(summary_table(results))
    print(
        "load average (1, 5, 15 min) before: "
        + " ".join(f"{n:.2f}" for n in load_before)
        + ", after: "
        + " ".join(f"{n:.2f}" for n in os.getloadavg())
        + f" on {os.cpu_count()} cores (other work on the machine slows every figure)"
    )
    failed = [size for size, status in statuses.items() if status != 0]
    verdict = "FAILED: " + ", ".join(f"{n:,} voters" for n in failed) if failed else ""
    print(f"\n{verdict or 'all checks hold'}")
    return 1 if failed else 0


def _passed_on(args: argparse.Namespace) -> list[str]:
    passed = ["--requests", str(args.requests), "--warm-up", str(args.warm_up)]
    passed += ["--web-workers", str(args.web_workers), "--processes", str(args.processes)]
    return passed + (["--requests-only"] if args.requests_only else [])


def summary_table(results: list[dict]) -> str:
    rows = []
    for figures in results:
        vote = figures["vote"]
        row = [f"{figures['voters']:,}", _ms(vote["median"]), _ms(vote["p95"])]
        counted = figures.get("count")
        if counted:
            row += [
                f"{figures['prepare']['seconds']:.0f}",
                f"{figures['close']['seconds']:.1f}",
                " + ".join(f"{d['seconds']:.1f}" for d in figures["decryptions"]),
                f"{counted['seconds']:.1f}",
            ]
        else:
            row += ["-", "-", "-", "-"]
        rows.append(row)
    headers = ["voters", "vote p50 ms", "vote p95 ms", "papers made s", "close s"]
    return table([*headers, "decryptions s", "count s"], rows)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


# The child: one size.


def one_size(args: argparse.Namespace) -> int:
    from bench.stack import BenchStack

    voters = args.one
    load_before = os.getloadavg()
    stack = BenchStack(
        f"ballots-{voters}", web_workers=args.web_workers, sweep_seconds=60, lease_seconds=300
    )
    with stack:
        report = Report(stack.results)
        report.line(f"\n######## A ballot of {voters:,} voters")
        figures = {"voters": voters}
        site = build_site(voters, report)
        ballot = site["ballot"]
        path = f"/charter/ballots/{ballot.pk}/"
        stack.serve(warm_up=["/", "/charter/", path])
        figures["vote"] = vote_requests(stack, site, args, report)
        if not args.requests_only:
            prepare_the_box(site, args, report, figures)
            close_and_count(site, report, figures)
        report.part("Machine", machine(load_before))
        _checks(report, figures, site)
        if args.figures:
            Path(args.figures).write_text(json.dumps(figures))
        return report.close()


def build_site(voters: int, report: Report) -> dict:
    """`voters` verified members (an admin among them), three trustees off the roll, and the
    founding ballot, open with a real key and a credential for each voter."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from charter import services
    from charter.parameters import draft_defaults
    from members.models import Member
    from tests.builders.elections import give_key, key_set

    began = time.perf_counter()
    now = timezone.now()
    joined = now - timedelta(days=400)
    password = make_password(None)  # unusable: members are signed in by session cookies

    def member(username: str, *, verified: bool = True, **fields) -> Member:
        return Member(
            username=username,
            email=f"{username}@bench.palabre.test",
            password=password,
            date_joined=joined,
            email_verified_at=joined if verified else None,
            last_login=now - timedelta(days=1),
            **fields,
        )

    Member.objects.bulk_create(
        [member("admin", is_staff=True, is_superuser=True)]
        + [member(f"voter{n:05}") for n in range(1, voters)]
        # Unverified, so on no roll: they hold the key, not a vote.
        + [member(f"trustee{n}", verified=False) for n in (1, 2, 3)],
        batch_size=1_000,
    )
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=m, email=m.email, verified=m.email_verified_at is not None)
            for m in Member.objects.all()
        ],
        batch_size=1_000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    admin = Member.objects.get(username="admin")
    holders = list(Member.objects.filter(username__startswith="trustee").order_by("username"))
    members_built = time.perf_counter() - began

    draft = services.start_provisional_charter()
    services.edit_provisional_charter(
        admin=admin,
        version=draft,
        articles=[
            services.ArticleDraft("Respect", "Members address each other with respect."),
            services.ArticleDraft("Amendments", "The members amend it by ballot.", True),
        ],
        parameters=draft_defaults(),
    )
    ballot = services.open_founding_ballot(admin=admin, version=draft, now=now)
    key_set()  # made before the clock starts: the trustees' steps are not measured here
    opening = time.perf_counter()
    ballot = give_key(ballot, now=now, holders=holders)
    opened = time.perf_counter() - opening
    assert ballot.eligible_count == voters, f"{ballot.eligible_count} on the roll"
    report.part(
        "Site",
        f"{voters:,} verified members (the admin among them) built in {members_built:.1f} s;"
        f" founding ballot #{ballot.pk} opened in {opened:.1f} s (the roll frozen, a"
        f" credential per voter from belenios-tool, the election in the record, the"
        f" members told); its election with the public credentials:"
        f" {_setup_size(ballot) / 1e6:.1f} MB",
    )
    roll = list(Member.objects.filter(email_verified_at__isnull=False).order_by("pk"))
    return {"ballot": ballot, "roll": roll, "holders": holders, "cast": Counter()}


def _setup_size(ballot) -> int:
    from django.db.models import Sum
    from django.db.models.functions import Length

    from charter.models import RecordFile

    election = ballot.election
    return RecordFile.objects.filter(
        election=election, position__lt=election.setup_files
    ).aggregate(size=Sum(Length("content")))["size"]


# A. The request that casts a vote.


def vote_requests(stack, site: dict, args: argparse.Namespace, report: Report) -> dict:
    from django.test import Client

    ballot, chooser = site["ballot"], random.Random(site["ballot"].pk)
    path = f"/charter/ballots/{ballot.pk}/"
    host, port = urllib.parse.urlsplit(stack.base_url).netloc.split(":")
    # Not the admin (the first): a member like any other.
    voting = site["roll"][1 : 1 + args.warm_up + args.requests]
    timings, answers = [], Counter()
    for n, member in enumerate(voting):
        client = Client()
        client.force_login(member)
        cookies = {"sessionid": client.cookies["sessionid"].value}
        page, set_cookies, _answer = _request(host, port, "GET", path, cookies)
        cookies |= set_cookies
        choice = chooser.choice(CHOICES)
        body = urllib.parse.urlencode(
            {
                "choice": choice,
                "final": "on",
                "csrfmiddlewaretoken": TOKEN.search(page.decode())[1],
            }
        )
        began = time.perf_counter()
        status, location = _post(host, port, f"{path}vote/", body, cookies)
        spent = time.perf_counter() - began
        taken = status == 302 and location == path
        answers[status if taken or status != 302 else f"302 to {location}"] += 1
        if taken:
            site["cast"][choice] += 1
        if n >= args.warm_up:
            timings.append(spent)
    ticked, papers = _box(ballot)
    reads, made = _paper_parts(ballot, samples=20)
    vote = {
        "median": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "mean": statistics.fmean(timings),
        "min": min(timings),
        "max": max(timings),
        "requests": len(timings),
        "answers": {str(k): v for k, v in answers.items()},
        "ticked": ticked,
        "papers": papers,
        "setup_read_median": statistics.median(reads),
        "paper_median": statistics.median(made),
        "sent": len(voting),
        "taken": sum(site["cast"].values()),
    }
    report.part(
        "A. The request that casts a vote (POST to the vote view through gunicorn, signed in,"
        " CSRF checked)",
        table(
            ["voters on the roll", "requests", "median ms", "p95 ms", "mean ms", "min", "max"],
            [
                [
                    f"{len(site['roll']):,}",
                    len(timings),
                    _ms(vote["median"]),
                    _ms(vote["p95"]),
                    _ms(vote["mean"]),
                    _ms(vote["min"]),
                    _ms(vote["max"]),
                ]
            ],
        )
        + f"\n{args.warm_up} untimed requests first; one request at a time, {args.web_workers}"
        f" gunicorn workers; answers: {dict(answers)}; afterwards the roll has {ticked} ticks"
        f" and the box {papers} papers\n"
        f"Apart, in this process, 20 times each: reading the election's setup files from the"
        f" database, as each vote does, median {_ms(vote['setup_read_median'])} ms; making a"
        f" paper with belenios-tool (generate-ballot, the archive written out first), median"
        f" {_ms(vote['paper_median'])} ms",
    )
    return vote


def _paper_parts(ballot, *, samples: int) -> tuple[list[float], list[float]]:
    """The two parts of a vote that grow with the roll, timed without the request around
    them: reading the election (with every public credential), and making a paper with it.
    The papers are made for voters who have not voted, and thrown away."""
    from charter import belenios
    from charter.models import VoterCredential
    from charter.services import elections

    election = ballot.election
    credentials = VoterCredential.objects.filter(entry__ballot=ballot).values_list(
        "private", flat=True
    )
    reads, made = [], []
    for credential in credentials[:samples]:
        began = time.perf_counter()
        setup = elections._setup_files(election)
        read = time.perf_counter()
        belenios.paper(
            uuid=election.uuid,
            setup=setup,
            timestamp=election.timestamp,
            credential=credential,
            choice="yes",
        )
        reads.append(read - began)
        made.append(time.perf_counter() - read)
    return reads, made


def _request(host: str, port: str, method: str, path: str, cookies: dict, body: str = ""):
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body or None, headers=headers)
        answer = connection.getresponse()
        content = answer.read()
        set_cookies = {}
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            set_cookies[name] = rest.split(";", 1)[0]
        return content, set_cookies, answer
    finally:
        connection.close()


def _post(host: str, port: str, path: str, body: str, cookies: dict) -> tuple[int, str]:
    _content, _cookies, answer = _request(host, port, "POST", path, cookies, body)
    return answer.status, answer.headers.get("Location", "")


def _box(ballot) -> tuple[int, int]:
    from charter.models import RollEntry
    from charter.services.elections import papers_in_box

    ticked = RollEntry.objects.filter(ballot=ballot, voted=True).count()
    return ticked, papers_in_box(ballot.election)


# B. The other voters' papers, then the close, the decryptions and the count.


def prepare_the_box(site: dict, args: argparse.Namespace, report: Report, figures: dict) -> None:
    from django.db import connections

    from charter.models import VoterCredential
    from charter.services import elections

    ballot = site["ballot"]
    election = ballot.election
    chooser = random.Random(-ballot.pk)
    credentials = dict(
        VoterCredential.objects.filter(entry__ballot=ballot).values_list(
            "entry__member_id", "private"
        )
    )
    members = [m for m in site["roll"] if m.pk in credentials]
    choices = [chooser.choice(CHOICES) for _ in members]
    setup = elections._setup_files(election)
    connections.close_all()  # the pool's processes start without this one's connection

    began = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    jobs = [(credentials[m.pk], c) for m, c in zip(members, choices, strict=True)]
    with (
        context.Pool(
            args.processes,
            initializer=_paper_maker,
            initargs=(election.uuid, [(f.name, f.content) for f in setup], election.timestamp),
        ) as pool,
        _ready_made(setup) as papers,
    ):
        made = pool.imap(_make_paper, jobs, chunksize=10)
        for member, choice, (credential, paper) in zip(members, choices, made, strict=True):
            papers[credential] = (choice, paper)
            elections.cast_encrypted_vote(
                member=member, ballot=ballot, choice=choice, now=ballot.opened_at
            )
            site["cast"][choice] += 1
    seconds = time.perf_counter() - began
    ticked, in_box = _box(ballot)
    figures["prepare"] = {"seconds": seconds, "papers": len(jobs), "processes": args.processes}
    report.part(
        "B. Preparation (not a figure of the target)",
        f"{len(jobs):,} more papers made by charter.belenios.paper in {args.processes}"
        f" processes and put in the box through elections.cast_encrypted_vote in"
        f" {seconds:.0f} s ({seconds / len(jobs) * 1000:.0f} ms a paper, wall time); the roll"
        f" now has {ticked:,} ticks and the box {in_box:,} papers",
    )


_maker: dict = {}


def _paper_maker(uuid: str, setup: list[tuple[str, bytes]], timestamp: int) -> None:
    from charter import belenios

    _maker.update(uuid=uuid, setup=[belenios.File(*f) for f in setup], timestamp=timestamp)


def _make_paper(job: tuple[str, str]) -> tuple[str, bytes]:
    from charter import belenios

    credential, choice = job
    return credential, belenios.paper(credential=credential, choice=choice, **_maker)


@contextmanager
def _ready_made(setup: list):
    """During the preparation, the service takes each paper ready-made from the pool (by the
    credential it was made with) and the election's setup files once, instead of making the
    paper itself; everything else it does as for a member's request."""
    from charter import belenios
    from charter.services import elections

    papers: dict[str, tuple[str, bytes]] = {}
    made, setup_files = belenios.paper, elections._setup_files

    def ready(*, credential: str, choice: str, **_election) -> bytes:
        chosen, paper = papers.pop(credential)
        assert chosen == choice, (chosen, choice)
        return paper

    belenios.paper, elections._setup_files = ready, lambda election: setup
    try:
        yield papers
    finally:
        belenios.paper, elections._setup_files = made, setup_files


ENGINE = ("verify", "encrypted_tally", "partial_decryption", "result")


@contextmanager
def engine_time():
    """Seconds spent in each of belenios-tool's steps while the block runs."""
    from charter import belenios

    spent: dict[str, float] = defaultdict(float)
    originals = {name: getattr(belenios, name) for name in ENGINE}

    def timed(name, original):
        def run(*args, **kwargs):
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - began

        return run

    for name, original in originals.items():
        setattr(belenios, name, timed(name, original))
    try:
        yield spent
    finally:
        for name, original in originals.items():
            setattr(belenios, name, original)


def _timed(report: Report, what: str, step) -> dict:
    """`step` timed, with belenios-tool's part; said at once, as a large ballot's steps take
    minutes each."""
    with engine_time() as spent:
        began = time.perf_counter()
        step()
        seconds = time.perf_counter() - began
    report.line(f"{what}: {seconds:.1f} s")
    return {"seconds": seconds, "engine": dict(spent)}


def close_and_count(site: dict, report: Report, figures: dict) -> None:
    from charter import services
    from charter.models import Election, RecordFile
    from charter.services import elections
    from tests.builders.elections import key_set

    ballot = site["ballot"]
    at = ballot.closes_at
    report.line("")
    figures["close"] = _timed(
        report, "close_ballot", lambda: services.close_ballot(ballot_id=ballot.pk, now=at)
    )
    ballot.refresh_from_db()
    figures["closed_state"] = ballot.state

    figures["decryptions"] = []
    if ballot.is_counting:
        election = Election.objects.get(ballot=ballot)
        keys = key_set(election.trustee_count, election.threshold).keys
        for trustee in elections.current_trustees(election):
            if trustee.position in DECRYPTING:
                decrypted = _timed(
                    report,
                    f"decrypt_as_trustee, trustee {trustee.position}",
                    lambda t=trustee: services.decrypt_as_trustee(
                        member=t.member, trustee=t, key=keys[t.position - 1], now=at
                    ),
                )
                figures["decryptions"].append(decrypted | {"position": trustee.position})
        figures["count"] = _timed(
            report,
            "count_decrypted_ballots",
            lambda: services.count_decrypted_ballots(now=at),
        )
    ballot.refresh_from_db()
    figures["counted"] = {
        "state": ballot.state,
        "tally": {"yes": ballot.yes, "no": ballot.no, "abstain": ballot.abstain},
        "cast": dict(site["cast"]),
    }
    files = RecordFile.objects.filter(election__ballot=ballot)
    record_mb = sum(len(c) for c in files.values_list("content", flat=True).iterator()) / 1e6

    rows = [_row("close_ballot: verify, encrypted tally", figures["close"])]
    rows += [
        _row(f"decrypt_as_trustee, trustee {d['position']}", d) for d in figures["decryptions"]
    ]
    if "count" in figures:
        rows.append(_row("count_decrypted_ballots: result, verify", figures["count"]))
    report.part(
        f"B. The close and the count, {len(site['roll']):,} voters,"
        f" {sum(site['cast'].values()):,} papers",
        table(["step", "wall s", "belenios-tool s", "of which", "rest s"], rows)
        + f"\nballot #{ballot.pk} ends {ballot.state}: yes {ballot.yes}, no {ballot.no},"
        f" abstain {ballot.abstain} (cast: {dict(site['cast'])}); public record"
        f" {files.count():,} files, {record_mb:.1f} MB (rest: the database, the record written"
        " out for belenios-tool and read back)",
    )


def _row(step: str, timed: dict) -> list:
    engine = sum(timed["engine"].values())
    parts = ", ".join(f"{name} {s:.1f}" for name, s in timed["engine"].items())
    return [
        step,
        f"{timed['seconds']:.2f}",
        f"{engine:.2f}",
        parts,
        f"{timed['seconds'] - engine:.2f}",
    ]


def _checks(report: Report, figures: dict, site: dict) -> None:
    from charter.models import BallotState

    vote, voters = figures["vote"], figures["voters"]
    report.check(
        f"the vote request's p95 is under {TARGET_MS} ms ({voters:,} voters)",
        vote["p95"] * 1000 < TARGET_MS,
        f"{vote['p95'] * 1000:.0f} ms",
    )
    report.check(
        "every vote request was answered with the redirect of a vote taken",
        vote["taken"] == vote["sent"],
        f"answers {vote['answers']}",
    )
    ticked, papers = _box(site["ballot"])
    report.check(
        "the box holds one paper per tick on the roll, one per vote taken",
        ticked == papers == sum(site["cast"].values()),
        f"{ticked} ticks, {papers} papers, {sum(site['cast'].values())} votes taken",
    )
    if "close" not in figures:
        return
    report.check(
        "the close leaves the ballot counting",
        figures["closed_state"] == BallotState.COUNTING,
        figures["closed_state"],
    )
    counted = figures["counted"]
    tally = counted["cast"]
    report.check(
        "the count closes the ballot with exactly the choices cast",
        counted["state"] == BallotState.CLOSED
        and counted["tally"] == {k: tally.get(k, 0) for k in ("yes", "no", "abstain")},
        f"{counted['state']}, {counted['tally']} for {tally}",
    )


if __name__ == "__main__":
    sys.exit(main())
