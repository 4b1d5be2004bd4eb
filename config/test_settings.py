"""Settings for the test suite: the production settings, with a throwaway key and fast hashing."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SITE_URL", "http://testserver")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# Serve static files straight from the source tree (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Members' files go to a folder of this run's own, removed at its end (each xdist worker has one).
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="palabre-test-media-"))  # noqa: F405
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
if FILE_STORAGE == "filesystem":  # noqa: F405
    STORAGES["default"]["OPTIONS"]["location"] = MEDIA_ROOT  # noqa: F405

# Answers by email are on in the tests (incoming/): off, emails carry no reply address.
REPLY_DOMAIN = "replies.testserver"
# DKIM keys come from the tests' own records (tests/incoming/dkim.py), never from DNS.
INCOMING_DKIM_TXT_LOOKUP = "tests.incoming.dkim.txt_record"
