from tests.config.production import PRODUCTION, manage


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
