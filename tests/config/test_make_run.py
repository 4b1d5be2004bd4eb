"""`make run` (scripts/run), as a newcomer meets it: each stage says what it does, the port
comes from PORT, a busy port gets one clear line, and the address to open is printed once the
site answers."""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.live_stack import (
    ROOT,
    free_port,
    send_test_reply,
    started_as_from_a_terminal,
    wait_until,
)


def dry_run(*arguments: str, port: str | None = None) -> str:
    """What `make run` would do, every stage included (-B), without doing it."""
    env = {key: value for key, value in os.environ.items() if key not in ("PORT", "MAKEFLAGS")}
    if port is not None:
        env["PORT"] = port
    done = subprocess.run(
        ["make", "--no-print-directory", "--dry-run", "--always-make", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_make_run_serves_on_the_port_given_by_PORT():
    assert "PORT=8000 scripts/run" in dry_run("run")
    assert "PORT=8123 scripts/run" in dry_run("run", "PORT=8123")
    assert "PORT=8124 scripts/run" in dry_run("run", port="8124")


def test_make_run_says_what_each_stage_does_before_scripts_run_takes_over():
    steps = re.findall(r"^scripts/step \"([\w ]+):", dry_run("run"), re.MULTILINE)
    assert steps == ["System packages", "Python packages", "Translations"]


def test_a_busy_mail_port_gets_one_clear_line_too():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        mail_port = taken.getsockname()[1]
        done = subprocess.run(
            [ROOT / "scripts" / "run"],
            env={**os.environ, "PORT": str(free_port()), "MAIL_PORT": str(mail_port)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (
        f"error: port {mail_port} on 127.0.0.1, where members' mail would come in, is already in "
        f"use; choose another with MAIL_PORT, e.g. make run MAIL_PORT={mail_port + 1}\n"
    )


def test_a_busy_port_gets_one_clear_line_that_says_how_to_choose_another():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [ROOT / "scripts" / "run"],
            env={**os.environ, "PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (
        f"error: port {port} on 127.0.0.1 is already in use; choose another with PORT, e.g. "
        f"make run PORT={port + 1}\n"
    )


@pytest.fixture
def copy_of_the_project(tmp_path):
    """The working tree without its data (var/), so the demo it loads, and its trustees' key
    files, are the test's own; the virtualenv is shared."""
    copy = tmp_path / "palabre"
    shutil.copytree(
        ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "var", "node_modules")
    )
    (copy / ".venv").symlink_to((ROOT / ".venv").resolve())
    (copy / "var").mkdir()  # as a clone has it (var/.gitkeep)
    return copy


@pytest.mark.integration
def test_make_run_prints_the_address_to_open_once_the_site_answers(copy_of_the_project: Path):
    port = free_port()
    log = copy_of_the_project / "output.log"
    # No DATABASE_URL, REDIS_URL nor SITE_URL: what a fresh clone has.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"], "DEBUG": "true"}
    env["PORT"] = str(port)
    process = started_as_from_a_terminal(
        copy_of_the_project / "scripts" / "run", cwd=copy_of_the_project, env=env, log=log
    )
    ready = f"==> Palabre is ready: open http://127.0.0.1:{port}/"
    try:
        wait_until(
            lambda: ready in log.read_text() or process.poll() is not None,
            timeout=300,
            what="the address to open",
        )
        assert ready in log.read_text(), log.read_text()[-3000:]
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(f"http://127.0.0.1:{port}/", timeout=30) as answer:
            assert answer.status == 200
        printed = log.read_text()
        stages = ["Database", "Demo community", "Server", "Palabre is ready"]
        assert [printed.index(f"==> {stage}") for stage in stages] == sorted(
            printed.index(f"==> {stage}") for stage in stages
        )
        assert f"Sign in at http://127.0.0.1:{port}/accounts/login/" in printed
        assert (copy_of_the_project / "var" / "demo-trustees").is_dir()

        # Mail comes in beside the site, as printed: an answer to an address that is no reply
        # address gets the explanation, which the console shows.
        assert f"scripts/send-test-reply --port {port + 25} " in printed
        send_test_reply(
            port + 25, "camille@demo.palabre.test", "reply+1-1-forged@reply.localhost", "Hello"
        )
        wait_until(
            lambda: "Your email could not be posted" in log.read_text(),
            timeout=30,
            what="the explanation of a refused answer",
        )
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
