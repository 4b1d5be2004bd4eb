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


def test_s3_storage_refuses_to_start_without_a_bucket():
    result = manage("check", **PRODUCTION, FILE_STORAGE="s3")
    assert result.returncode != 0
    assert "ImproperlyConfigured: FILE_STORAGE=s3 needs S3_BUCKET" in result.stderr


def test_a_file_storage_other_than_filesystem_or_s3_refuses_to_start():
    result = manage("check", **PRODUCTION, FILE_STORAGE="ftp")
    assert result.returncode != 0 and "FILE_STORAGE is either filesystem or s3" in result.stderr


def test_s3_storage_is_configured_from_the_s3_variables():
    s3 = {
        "FILE_STORAGE": "s3",
        "S3_BUCKET": "palabre-files",
        "S3_ENDPOINT_URL": "https://s3.fr-par.example.org",
        "S3_REGION": "fr-par",
        "S3_PREFIX": "forum",
    }
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.STORAGES['default'])",
        **PRODUCTION, **s3,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for option in (
        "'BACKEND': 'storages.backends.s3.S3Storage'",
        "'bucket_name': 'palabre-files'",
        "'endpoint_url': 'https://s3.fr-par.example.org'",
        "'region_name': 'fr-par'",
        "'location': 'forum'",
        "'access_key': None",
        "'default_acl': 'private'",
    ):
        assert option in result.stdout
