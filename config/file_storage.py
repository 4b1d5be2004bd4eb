"""Where members' files are kept: the STORAGES entry for an S3-compatible store, built in one
place for config/settings.py (FILE_STORAGE=s3) and for the tests that run against one."""

from django.core.exceptions import ImproperlyConfigured


def s3_storage(
    *,
    bucket_name: str,
    endpoint_url: str = "",
    region_name: str = "",
    access_key: str = "",
    secret_key: str = "",
    location: str = "",
) -> dict:
    """Empty values leave boto3 to its defaults (AWS itself, its own credential chain)."""
    if not bucket_name:
        raise ImproperlyConfigured(
            "FILE_STORAGE=s3 needs S3_BUCKET, the bucket that keeps members' files."
        )
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket_name,
            "endpoint_url": endpoint_url or None,
            "region_name": region_name or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "location": location,
            # Private objects, read by the site only: a visitor never reaches the store.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
