"""The real production parts, started by the integration tests: Redis, a Celery worker with
beat, gunicorn, and a mail server that records what it accepts.

Each part runs as its own process (the mail server as a thread), on 127.0.0.1 ports chosen
free, against the test database of the running pytest session, and can be stopped, killed
and started again in the middle of a test. A PostgreSQL server of a test's own (or of a
bench's: bench/stack.py builds on these parts) can be stopped and started again too.
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path

import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], object], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout} s waiting for {what}")
        time.sleep(0.1)


def send_test_reply(port: int, sender: str, to: str, text: str) -> None:
    """Answer as `make run` and `make trial` tell a developer to: scripts/send-test-reply."""
    command = [ROOT / "scripts" / "send-test-reply", "--port", str(port), sender, to, text]
    sent = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert sent.returncode == 0, sent.stderr


def started_as_from_a_terminal(
    command: Path, *, cwd: Path, env: dict, log: Path
) -> subprocess.Popen:
    """`command` started as from a terminal: in a session of its own, its output in `log`, and
    SIGINT at its default, so that Ctrl-C (SIGINT to its group) stops it. A suite started in
    the background (`make test &`) ignores SIGINT, its children inherit that, and a shell cannot
    trap a signal ignored on entry."""
    with log.open("wb") as output:
        return subprocess.Popen(
            [command],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )


def database_url(settings_dict: dict) -> str:
    """The URL of the database the tests use, for processes that must share it."""
    user, name, port = settings_dict["USER"], settings_dict["NAME"], settings_dict["PORT"]
    host = settings_dict["HOST"] or "localhost"
    if host.startswith("/"):  # a unix socket directory, as scripts/postgres-for-tests uses
        return f"postgres://{user}@:{port}/{host}/{name}"
    password = urllib.parse.quote(settings_dict.get("PASSWORD") or "", safe="")
    return f"postgres://{user}:{password}@{host}:{port or 5432}/{name}"


class RedisServer:
    """A private redis-server without persistence: stopping it loses what it held."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        wait_until(lambda: _answers(client), timeout=10, what="redis-server")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _answers(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


class PostgresServer:
    """A private PostgreSQL cluster, as scripts/postgres-for-tests makes one: in a directory of
    its own, listening on a unix socket there and on no TCP port, without durability. Unlike
    the test database's server, it can be stopped and started again by whoever made it.

    PostgreSQL refuses to run as root: then the server runs as the "postgres" system user.
    """

    ROLE = "palabre"

    def __init__(self, directory: Path, port: int = 5432):
        # A unix socket path must fit in about 100 characters: keep `directory` short.
        self.directory, self.port = directory, port
        self.data = directory / "data"
        self.log = directory / "server.log"
        binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not binaries:
            raise RuntimeError(
                "no PostgreSQL under /usr/lib/postgresql: scripts/install-system-packages"
            )
        self.bin = binaries[-1].parent
        self._as_server_user = []
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres")
            self._as_server_user = ["runuser", "-u", "postgres", "--"]

    def url(self, name: str = "postgres") -> str:
        return f"postgres://{self.ROLE}@:{self.port}/{self.directory}/{name}"

    def settings(self, name: str = "postgres") -> dict:
        """The connection settings of Django's DATABASES for database `name`."""
        return {
            "HOST": str(self.directory),
            "PORT": str(self.port),
            "USER": self.ROLE,
            "NAME": name,
        }

    def initdb(self) -> None:
        self._run(
            "initdb",
            f"--pgdata={self.data}",
            f"--username={self.ROLE}",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
            "--no-instructions",
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nlisten_addresses = ''\nunix_socket_directories = '{self.directory}'\n"
                f"port = {self.port}\nfsync = off\nsynchronous_commit = off\n"
                "full_page_writes = off\n"
            )

    def start(self) -> None:
        self._pg_ctl("start", f"--log={self.log}")

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session at once; `immediate` is as if the server crashed."""
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("stop", f"--mode={mode}")

    def restart(self, mode: str = "fast") -> None:
        self._pg_ctl("restart", f"--mode={mode}", f"--log={self.log}")

    def createdb(self, name: str) -> None:
        host = [f"--host={self.directory}", f"--port={self.port}", f"--username={self.ROLE}"]
        subprocess.run([self.bin / "createdb", *host, name], check=True, capture_output=True)

    def _pg_ctl(self, action: str, *options: str) -> None:
        self._run("pg_ctl", action, f"--pgdata={self.data}", "--wait", "--silent", *options)

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run(
            [*self._as_server_user, self.bin / tool, *args],
            cwd=self.directory,  # the server user may not enter the caller's directory
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} {args[0]} failed:\n{result.stdout}{result.stderr}{log}")


class Service:
    """A command run in its own process group, so that killing it kills its children too."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path, ready: str):
        self.name, self.command, self.env, self.log, self.ready = name, command, env, log, ready
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(lambda: self._logged_ready(offset), timeout=timeout, what=self.name)

    def _logged_ready(self, offset: int) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-3000:]}")
        with self.log.open("rb") as log:
            log.seek(offset)
            return self.ready.encode() in log.read()

    def kill(self) -> None:
        """As if the machine lost power: no chance to finish or clean up."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)

    def _signal(self, signum: int) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signum)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def celery_worker(env: dict, log: Path, schedule: Path) -> Service:
    return Service(
        "celery worker",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--beat",
            "--schedule",
            str(schedule),
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env,
        log,
        ready="ready.",
    )


def gunicorn(env: dict, log: Path, port: int, *, workers: int = 2) -> Service:
    return Service(
        "gunicorn",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ],
        env,
        log,
        ready="Booting worker",
    )


class MailServer:
    """An SMTP server that records each message it accepts, one entry per recipient.

    `hold(address)` makes it keep the next session that names that recipient waiting in the
    middle of the SMTP conversation (before the message is sent, hence before it is accepted),
    so that a test can kill the sender right then. Once released, it refuses that recipient
    for now, or with `accept=True` goes on and accepts the message.
    """

    def __init__(self):
        self.port = free_port()
        self.received: list[tuple[str, Message]] = []
        # The envelope's sender of each message it accepted, by recipient: "" for <>.
        self.senders: list[tuple[str, str]] = []
        self._held: dict[str, tuple[threading.Event, bool]] = {}
        self.holding = threading.Event()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def hold(self, address: str, *, accept: bool = False) -> None:
        self._held[address] = (threading.Event(), accept)

    def release(self) -> None:
        for event, _accept in self._held.values():
            event.set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        held, accept = self._held.get(address, (None, True))
        if held is not None and not held.is_set():
            self.holding.set()
            while not held.is_set():
                await asyncio.sleep(0.05)
            held.clear()
            del self._held[address]
            if not accept:
                return "451 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        for address in envelope.rcpt_tos:
            self.received.append((address, message))
            self.senders.append((address, envelope.mail_from or ""))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return [address for address, _ in self.received]


class WebClient:
    """A signed-in member talking HTTP to gunicorn, as a browser without JavaScript would."""

    def __init__(self, base_url: str, session_cookie: str):
        self.base_url = base_url
        self.cookies = {"sessionid": session_cookie}
        self._opener = urllib.request.build_opener(_NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, float]:
        """Returns the status, the body and the seconds the request took."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        started = time.monotonic()
        try:
            response = self._opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        elapsed = time.monotonic() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.read().decode(), elapsed

    def post_form(self, form_path: str, action: str, data: dict) -> tuple[int, str, float]:
        """GET the page holding a form, then POST `data` with its CSRF token to `action`."""
        status, page, _ = self.request(form_path)
        assert status == 200, f"GET {form_path} answered {status}"
        token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        return self.request(action, {"csrfmiddlewaretoken": token, **data})


@dataclass
class LiveStack:
    """The parts the `live_stack` fixture started, for a test to stop, kill and restart."""

    redis: RedisServer
    mail: MailServer
    worker: Service
    web: Service

    def signed_in(self, member) -> WebClient:
        """A WebClient for `member`, whose session the test process writes to the database."""
        client = Client()
        client.force_login(member)
        return WebClient(self.web.base_url, client.cookies[settings.SESSION_COOKIE_NAME].value)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
