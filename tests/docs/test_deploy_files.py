"""docs/deploy/: the files the admin guide installs agree with the code they run.

Each unit's command runs here with the unit's own arguments: gunicorn checks its configuration
and imports config.wsgi, Celery parses its subcommand and options. systemd-analyze verifies
the units. The example environment file holds only variables config/settings.py reads and
every one the README lists, and with it `check --deploy` is clean. The backup unit's dump is
made and read back on PostgreSQL. nginx is not installed here: its file is only checked
against the web unit, the example's settings and the guide (`nginx -t` is for the server).
"""

import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core import stored_files
from tests.live_stack import ROOT

DEPLOY = ROOT / "docs" / "deploy"
GUIDE = (ROOT / "docs" / "admin-guide.md").read_text()
SERVICES = ["palabre-web", "palabre-worker", "palabre-beat", "palabre-mail"]
CODE, VENV = "/srv/palabre", "/srv/palabre/.venv/bin/"
ENVIRONMENT_FILE = "/etc/palabre/palabre.env"
VARIABLE = re.compile(r"^#? ?([A-Z][A-Z0-9_]+)=(.*)$")


def unit(name: str) -> dict[str, list[str]]:
    """A unit file's settings, each key with its values in order (ExecStart may repeat)."""
    settings: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


def command(name: str) -> list[str]:
    [exec_start] = unit(f"{name}.service")["ExecStart"]
    return shlex.split(exec_start)


def example() -> dict[str, str]:
    """Every variable of palabre.env.example, set or shown commented out with its default."""
    found = {}
    for line in (DEPLOY / "palabre.env.example").read_text().splitlines():
        if match := VARIABLE.match(line):
            found[match[1]] = match[2]
    return found


def example_in_force() -> dict[str, str]:
    """The variables the example sets, their values read as systemd reads them."""
    return {
        name: value[1:-1] if value[:1] == value[-1:] == '"' else value
        for line in (DEPLOY / "palabre.env.example").read_text().splitlines()
        if not line.startswith("#") and (match := VARIABLE.match(line))
        for name, value in [match.groups()]
    }


def run(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


# The systemd units


def test_the_web_unit_serves_config_wsgi_with_options_gunicorn_accepts():
    gunicorn, *arguments = command("palabre-web")
    assert gunicorn == VENV + "gunicorn"
    assert arguments[0] == "config.wsgi"
    checked = run(
        ROOT / ".venv" / "bin" / "gunicorn", *arguments, "--check-config", env={"DEBUG": "true"}
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize(
    "service,subcommand", [("palabre-worker", "worker"), ("palabre-beat", "beat")]
)
def test_the_worker_and_beat_units_run_celery_with_options_it_accepts(service, subcommand):
    celery, *arguments = command(service)
    assert celery == VENV + "celery"
    assert arguments[:3] == ["-A", "config", subcommand]
    # --help last: Celery parses every option before it, and refuses one it does not know.
    parsed = run(ROOT / ".venv" / "bin" / "celery", *arguments, "--help", env={"DEBUG": "true"})
    assert parsed.returncode == 0, parsed.stderr


def test_the_mail_unit_runs_the_lmtp_server_where_the_guides_postfix_sends_mail():
    python, manage, *arguments = command("palabre-mail")
    assert (python, manage) == (VENV + "python", "manage.py")
    assert arguments[:2] == ["receive_mail", "--lmtp"]
    assert f"lmtp:inet:{arguments[2]}" in GUIDE
    parsed = run(
        ROOT / ".venv" / "bin" / "python",
        "manage.py",
        arguments[0],
        "--help",
        env={"DEBUG": "true"},
    )
    assert parsed.returncode == 0, parsed.stderr


def test_the_beat_keeps_its_schedule_in_its_state_directory():
    arguments = command("palabre-beat")
    assert arguments[arguments.index("--schedule") + 1].startswith("/var/lib/palabre/")
    assert unit("palabre-beat.service")["StateDirectory"] == ["palabre"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_runs_as_palabre_in_the_code_with_the_environment_file(service):
    settings = unit(f"{service}.service")
    assert settings["User"] == settings["Group"] == ["palabre"]
    assert settings["WorkingDirectory"] == [CODE]
    assert settings["EnvironmentFile"] == [ENVIRONMENT_FILE]
    # A worker that loses Redis mid-task can exit (README, "Notifications"): restart it.
    assert settings["Restart"] == ["always"]


def test_palabre_manage_runs_manage_py_as_the_services_do():
    script = (DEPLOY / "palabre-manage").read_text()
    assert "--uid=palabre" in script
    assert f"--working-directory={CODE}" in script
    assert f"--property=EnvironmentFile={ENVIRONMENT_FILE}" in script
    assert f"{VENV}python manage.py" in script
    assert run("sh", "-n", DEPLOY / "palabre-manage").returncode == 0


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_analyze_verifies_the_units(tmp_path):
    """In a root of their own, with the system's units and the programs they start."""
    root = tmp_path / "root"
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    units = [*(f"{name}.service" for name in SERVICES), "palabre-backup.service"]
    for name in [*units, "palabre-backup.timer"]:
        shutil.copy(DEPLOY / name, root / "etc/systemd/system" / name)
    for name in units:
        for key in ("ExecStart", "ExecReload"):
            for line in unit(name).get(key, []):
                program = root / shlex.split(line)[0].lstrip("/")
                program.parent.mkdir(parents=True, exist_ok=True)
                program.write_text("#!/bin/sh\n")
                program.chmod(0o755)
    verified = run("systemd-analyze", "verify", f"--root={root}", *units, "palabre-backup.timer")
    assert (verified.returncode, verified.stdout + verified.stderr) == (0, "")


# The environment file


def settings_variables() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", source))


def readme_variables() -> set[str]:
    configuration = (ROOT / "README.md").read_text().split("## Configuration", 1)[1]
    rows = [line for line in configuration.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def test_every_variable_of_the_example_is_one_the_settings_read():
    assert settings_variables() > {"SECRET_KEY", "REDIS_URL"}  # the pattern finds them
    assert set(example()) - settings_variables() == set()


def test_every_variable_the_readme_lists_is_in_the_example():
    assert len(readme_variables()) > 20
    assert readme_variables() - set(example()) == set()


def test_with_the_example_settings_check_deploy_is_clean():
    env = example_in_force() | {"SECRET_KEY": secrets.token_urlsafe(50)}
    assert env["DEBUG"] == "false"
    checked = run(sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING",
                  env=env)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "no issues" in checked.stdout


# nginx, and the guide


def test_nginx_passes_requests_to_where_gunicorn_listens_with_the_headers_palabre_needs():
    nginx = (DEPLOY / "nginx.conf").read_text()
    arguments = command("palabre-web")
    bind = arguments[arguments.index("--bind") + 1]
    upstream = nginx.split("upstream palabre {", 1)[1].split("}", 1)[0]
    assert re.findall(r"^\s*server (\S+);", upstream, re.MULTILINE) == [bind]
    assert "proxy_pass http://palabre;" in nginx
    for header in (
        "Host $host",
        "X-Forwarded-Proto $scheme",
        "X-Forwarded-For $proxy_add_x_forwarded_for",
    ):
        assert f"proxy_set_header {header};" in nginx
    assert example()["TRUSTED_PROXY_COUNT"] == "1"  # the one address nginx adds


def test_the_guides_admin_location_passes_requests_as_nginx_conf_does():
    """A location of its own takes none of `location /`'s proxy settings: it repeats them."""
    nginx = (DEPLOY / "nginx.conf").read_text()
    [snippet] = [
        snippet
        for snippet in re.findall(r"```nginx\n(.*?)```", GUIDE, re.DOTALL)
        if "location /admin/ {" in snippet
    ]
    assert "deny all;" in snippet
    passing = re.findall(r"^\s*(proxy_(?:pass|set_header|redirect) .*;)$", nginx, re.MULTILINE)
    assert len(passing) == 5
    for line in passing:
        assert line in snippet


def test_nginx_sends_members_files_from_the_internal_location_the_settings_name():
    nginx = (DEPLOY / "nginx.conf").read_text()
    location = re.search(r"location (\S+) \{\s*internal;\s*alias (\S+);([^}]*)\}", nginx)
    assert location[1] == example_in_force()["X_ACCEL_FILES"]
    assert location[2] == example_in_force()["MEDIA_ROOT"] + "/"
    assert location[0] in GUIDE
    # The headers nginx does not pass on from Palabre's answer, said as Palabre says them.
    added = dict(re.findall(r'add_header (\S+) "?([^";]+(?:;[^";]+)*)"? always;', location[3]))
    assert added == {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": stored_files.FILE_POLICY,
        "Cross-Origin-Resource-Policy": "same-origin",
    }


def test_no_public_location_of_nginx_serves_members_files():
    """Only through the site's checks: a public location would give a hidden post's files."""
    nginx = (DEPLOY / "nginx.conf").read_text()
    media_root = example_in_force()["MEDIA_ROOT"]
    served = re.findall(r"location \S+ \{([^}]*)\}", nginx)
    reaching_files = [block for block in served if media_root in block]
    assert len(reaching_files) == 1 and "internal;" in reaching_files[0]


def test_nginx_takes_the_largest_upload_with_its_form_and_little_more():
    nginx = (DEPLOY / "nginx.conf").read_text()
    [megabytes] = re.findall(r"client_max_body_size (\d+)m;", nginx)
    largest = settings.UPLOAD_MAX_BYTES
    assert largest < int(megabytes) * 1024 * 1024 <= largest + 2 * 1024 * 1024
    assert f"client_max_body_size {megabytes}m;" in GUIDE


def test_the_guide_describes_every_setting_of_members_files():
    section = GUIDE.split("## 12. Members' files", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    described = {
        name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])
    }
    files = {name for name in settings_variables() if name.startswith(("S3_", "UPLOAD_"))}
    assert len(files) == 13  # the pattern finds them
    around = {"FILE_STORAGE", "MEDIA_ROOT", "X_ACCEL_FILES", "RATE_LIMIT_UPLOADING"}
    assert described == files | around


def test_certbot_renews_through_the_location_nginx_serves():
    nginx = (DEPLOY / "nginx.conf").read_text()
    webroot = re.search(r"acme-challenge/ \{\s*root (\S+);", nginx)[1]
    assert f"certbot certonly --webroot -w {webroot}" in GUIDE


def test_the_guide_names_every_deploy_file_and_each_one_it_names_exists():
    named = set(re.findall(r"deploy/([\w.-]+[\w])", GUIDE))
    present = {path.name for path in DEPLOY.iterdir()}
    assert named == present


# The backup


@pytest.mark.postgresql
def test_the_backup_unit_makes_a_dump_pg_restore_reads(db, tmp_path):
    [dump, prune] = unit("palabre-backup.service")["ExecStart"]
    # What systemd hands the shell: $$ and %% unescaped, then the shell's own expansions.
    script = shlex.split(dump)[2].replace("$$", "$").replace("%%", "%")
    script = script.replace("/var/backups/palabre", str(tmp_path))
    database = connection.settings_dict
    url = (
        f"postgresql://{database['USER']}@/{database['NAME']}"
        f"?host={database['HOST']}&port={database['PORT']}"
    )
    dumped = run("sh", "-c", script, env={"DATABASE_URL": url})
    assert dumped.returncode == 0, dumped.stderr
    [made] = tmp_path.glob("palabre-*.dump")
    assert re.fullmatch(r"palabre-\d{4}-\d{2}-\d{2}\.dump", made.name)
    listed = run(Path(shutil.which("pg_restore") or "pg_restore"), "--list", made)
    assert listed.returncode == 0, listed.stderr
    assert "TABLE DATA public forum_post" in listed.stdout
    assert "/var/backups/palabre" in prune and "-mtime +14 -delete" in prune
