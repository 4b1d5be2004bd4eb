"""`make trial` (scripts/trial): the production stack on this machine, started by one command.

The script runs for real, in a directory and on ports of its own: a first run, which creates
the PostgreSQL cluster, migrates and loads the demo. Then the site is asked what a trial user
would ask, a member's reply mentioning another reaches her by email (printed by the worker),
and Ctrl-C must leave no process behind, PostgreSQL included.
"""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.live_stack import (
    ROOT,
    WebClient,
    free_port,
    send_test_reply,
    started_as_from_a_terminal,
    wait_until,
)

pytestmark = pytest.mark.integration

LOOPBACK = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it


@pytest.fixture
def trial():
    """scripts/trial started as from a terminal, in a session of its own."""
    # The PostgreSQL server user (postgres, when this runs as root) must reach the directory.
    directory = Path(tempfile.mkdtemp(prefix="palabre-trial-test."))
    directory.chmod(0o711)
    web_port, redis_port, mail_port = free_port(), free_port(), free_port()
    log = directory / "output.log"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(directory),
        "PALABRE_TRIAL_DIR": str(directory / "trial"),
        "PALABRE_TRIAL_PORT": str(web_port),
        "PALABRE_TRIAL_REDIS_PORT": str(redis_port),
        "PALABRE_TRIAL_MAIL_PORT": str(mail_port),
    }
    process = started_as_from_a_terminal(ROOT / "scripts" / "trial", cwd=ROOT, env=env, log=log)
    process.base_url = f"http://127.0.0.1:{web_port}"
    process.mail_port = mail_port
    process.log = log
    process.directory = directory / "trial"
    try:
        yield process
    finally:
        if process.poll() is None:  # the test failed halfway: stop it as Ctrl-C would
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                for pid in [process.pid, *descendants(process.pid)]:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(os.getpgid(pid), signal.SIGKILL)
        shutil.rmtree(directory, ignore_errors=True)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # nosec B310: 127.0.0.1
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except OSError:
        return 0, {}, b""


def signed_in(base_url: str, username: str) -> WebClient:
    client = WebClient(base_url, session_cookie="")
    status, _page, _seconds = client.post_form(
        "/accounts/login/",
        "/accounts/login/",
        {"login": username, "password": "palabre-membre"},
    )
    assert status == 302, f"{username} could not sign in"
    return client


def descendants(pid: int) -> list[int]:
    """`pid`'s children, theirs, and so on (honcho starts each process in a session of its own)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, pending = [], [pid]
    while pending:
        offspring = children.get(pending.pop(), [])
        found += offspring
        pending += offspring
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited: only its parent has yet to hear of it


def listening_addresses(pids: list[int]) -> set[str]:
    """The TCP addresses the processes listen on, as /proc/net/tcp{,6} write them."""
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                addresses.add(fields[1].split(":")[0])
    return addresses


def test_the_trial_command_serves_the_production_stack_and_ctrl_c_stops_it_all(trial):
    started = time.monotonic()
    wait_until(
        lambda: get(f"{trial.base_url}/healthz")[0] == 200 or trial.poll() is not None,
        timeout=150,
        what="the trial's /healthz to answer 200",
    )
    assert trial.poll() is None, trial.log.read_text()[-3000:]
    first_run = time.monotonic() - started

    status, headers, body = get(f"{trial.base_url}/healthz")
    assert headers["Content-Type"] == "application/json"
    assert b'"redis": {"status": "ok"' in body
    assert b'"worker": {"status": "ok"' in body

    status, _headers, page = get(f"{trial.base_url}/")
    assert status == 200
    stylesheet = re.search(rb'href="(/static/css/palabre\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the page does not link a stylesheet with a hashed name"
    status, headers, _css = get(
        trial.base_url + stylesheet[1].decode(), {"Accept-Encoding": "gzip"}
    )
    assert (status, headers["Content-Encoding"]) == (200, "gzip")
    assert "immutable" in headers["Cache-Control"]

    postmaster = trial.directory / "postgres" / "data" / "postmaster.pid"
    pids = [trial.pid, *descendants(trial.pid), int(postmaster.read_text().split()[0])]
    assert listening_addresses(pids) == {LOOPBACK}, "something listens beyond 127.0.0.1"

    camille = signed_in(trial.base_url, "camille")
    settings_page = camille.request("/notifications/settings/")[1]
    kinds = set(re.findall(r'name="(\w+)" value="immediately"', settings_page))
    choices = {kind: "immediately" if kind == "mention" else "digest" for kind in kinds}
    status, _page, _seconds = camille.post_form(
        "/notifications/settings/", "/notifications/settings/", choices
    )
    assert status == 302
    amina = signed_in(trial.base_url, "amina")
    threads = re.findall(r'href="/t/(\d+)/"', amina.request("/")[1])
    replyable = next(t for t in threads if 'name="source"' in amina.request(f"/t/{t}/reply/")[1])
    status, _page, _seconds = amina.post_form(
        f"/t/{replyable}/reply/", f"/t/{replyable}/reply/", {"source": "@camille, it works."}
    )
    assert status == 302
    wait_until(
        lambda: "worker.1 | To: camille@demo.palabre.test" in trial.log.read_text(),
        timeout=30,
        what="the worker to print the email to camille",
    )

    # Camille answers that email from her mail client, as the trial's output says how.
    printed = trial.log.read_text()
    email_to_camille = printed[printed.index("worker.1 | To: camille@demo.palabre.test") :]
    reply_to = re.search(r"Reply-To: (reply\+\S+@reply\.localhost)", email_to_camille)[1]
    assert f"scripts/send-test-reply --port {trial.mail_port} " in printed
    send_test_reply(
        trial.mail_port, "camille@demo.palabre.test", reply_to, "Answered from my mailbox."
    )
    wait_until(
        lambda: "Answered from my mailbox." in amina.request(f"/t/{replyable}/")[1],
        timeout=30,
        what="camille's answer by email to appear in the thread",
    )

    os.killpg(trial.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the foreground group
    try:
        trial.wait(timeout=60)
    except subprocess.TimeoutExpired:
        still = {pid: Path(f"/proc/{pid}/cmdline").read_bytes() for pid in pids if alive(pid)}
        tail = "\n".join(trial.log.read_text().splitlines()[-60:])
        pytest.fail(f"Ctrl-C left the trial running after 60 s: {still}\n{tail}")
    assert "Stopping PostgreSQL." in trial.log.read_text()
    assert not postmaster.exists()
    assert [pid for pid in pids if alive(pid)] == []
    print(f"first run ready in {first_run:.0f} s")
