import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-key-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "forum.example.org",
    "DATABASE_URL": "sqlite:////tmp/palabre-deploy-check.sqlite3",
    "EMAIL_URL": "smtp+tls://palabre:secret@mail.example.org:587",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT"}
    }
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_deployment_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_unless_asked_for():
    result = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)",
                    **PRODUCTION)  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0 and "Set SECRET_KEY" in result.stderr


def test_email_is_configured_from_email_url():
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.MAILERS['default'])",
        **PRODUCTION,
    )  # fmt: skip
    assert "'host': 'mail.example.org'" in result.stdout and "'use_tls': True" in result.stdout
