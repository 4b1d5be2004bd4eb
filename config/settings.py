"""Palabre settings, read from the environment (see README, "Configuration").

Defaults are safe for production: DEBUG is off unless asked for, and then the embedded setup
(SQLite, console email) needs no other service.
"""

from pathlib import Path
from urllib.parse import unquote

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.file_storage import s3_storage
from core.rates import procedural_rate

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# A development key is only acceptable when DEBUG is on; production must set SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="") or (
    "django-insecure-palabre-development-key" if DEBUG else ""
)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local development).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "members",
    "forum",
    "notifications",
    "charter",
    "moderation",
    "incoming",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session and authentication middlewares, so that it catches their failures.
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "members.middleware.BannedMemberMiddleware",
    # Inside WhiteNoise, whose static files keep their long caching whoever asks.
    "config.private_pages.PrivatePagesMiddleware",
    "members.middleware.MemberPreferencesMiddleware",
    # After the member's language is known, so that the 400 page speaks it; before any view.
    "config.middleware.refuse_nul_characters",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "config.context_processors.site",
                "notifications.context_processors.bell",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'palabre.sqlite3'}"),
}
# A unix-socket directory arrives percent-encoded in the URL's host part.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST", ""))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes concurrent writers queue for the lock instead of failing mid-transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "members.Member"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language: the member's own choice, else the browser's (LocaleMiddleware), else LANGUAGE_CODE.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True

# The PostgreSQL text search configuration matching the site's main language.
SEARCH_CONFIG = env.str("SEARCH_CONFIG", default={"fr": "french"}.get(LANGUAGE_CODE[:2], "english"))

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Members' files (avatars, images and attachments): kept through Django's storage API, on the
# filesystem by default, or in any S3-compatible store by setting FILE_STORAGE=s3 and the
# S3_* variables below (django-storages). Either way they are served by the site's views, which
# check who may see them (forum.upload_views); with X_ACCEL_FILES set, nginx sends the bytes
# of filesystem files (docs/admin-guide.md).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
FILE_STORAGE = env.str("FILE_STORAGE", default="filesystem")
if FILE_STORAGE == "s3":
    FILE_STORAGE_BACKEND = s3_storage(
        bucket_name=env.str("S3_BUCKET", default=""),
        endpoint_url=env.str("S3_ENDPOINT_URL", default=""),
        region_name=env.str("S3_REGION", default=""),
        access_key=env.str("S3_ACCESS_KEY_ID", default=""),
        secret_key=env.str("S3_SECRET_ACCESS_KEY", default=""),
        location=env.str("S3_PREFIX", default=""),
    )
elif FILE_STORAGE == "filesystem":
    FILE_STORAGE_BACKEND = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    }
else:
    raise environ.ImproperlyConfigured("FILE_STORAGE is either filesystem or s3.")
# The internal nginx location that serves MEDIA_ROOT (e.g. /stored-files/): the site then answers
# a file's request with its checks and headers, and nginx sends the bytes (X-Accel-Redirect).
X_ACCEL_FILES = env.str("X_ACCEL_FILES", default="")
STORAGES = {
    "default": FILE_STORAGE_BACKEND,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}


def mailer_from_url(url: str) -> dict:
    """A MAILERS entry from an EMAIL_URL such as smtp+tls://user:password@host:587."""
    config = environ.Env.email_url_config(url)
    mailer = {"BACKEND": config["EMAIL_BACKEND"]}
    if mailer["BACKEND"] == "django.core.mail.backends.console.EmailBackend":
        # Printed decoded, so that a link in it can be copied as printed (config/console_email.py).
        mailer["BACKEND"] = "config.console_email.ReadableConsoleBackend"
    if mailer["BACKEND"].endswith("smtp.EmailBackend"):
        options = {
            "host": config["EMAIL_HOST"],
            "port": config["EMAIL_PORT"],
            "username": config["EMAIL_HOST_USER"],
            "password": config["EMAIL_HOST_PASSWORD"],
            "use_tls": config.get("EMAIL_USE_TLS"),
            "use_ssl": config.get("EMAIL_USE_SSL"),
            "timeout": 20,
        }
        mailer["OPTIONS"] = {key: value for key, value in options.items() if value is not None}
    return mailer


MAILERS = {
    "default": mailer_from_url(
        env.str("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
    )
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Palabre <palabre@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SITE_NAME = env.str("SITE_NAME", default="Palabre")
# Emails are written by workers, outside any request: links in them start with this.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not SITE_URL and not DEBUG:
    raise environ.ImproperlyConfigured(
        "Set SITE_URL, e.g. https://forum.example.org: email links are built from it."
    )

# Incoming mail (incoming/): members answer by email. Reply addresses are
# reply+<member>-<thread>-<day>-<signature>@REPLY_DOMAIN, a domain whose mail the site's mail
# server hands to `manage.py receive_mail`. Empty (the default), emails offer no way to answer by
# email: an address that no mail server routes here would only bounce members' answers.
REPLY_DOMAIN = env.str("REPLY_DOMAIN", default="")
# A reply address older than this is refused (the member is told to answer a newer email): an
# old email, forwarded or leaked, stops speaking for its member.
REPLY_ADDRESS_DAYS = env.int("REPLY_ADDRESS_DAYS", default=90)
# A message larger than this is refused by the LMTP server (552) before it is stored; quoted
# history and a few photos fit well under it.
INCOMING_MAIL_MAX_BYTES = env.int("INCOMING_MAIL_MAX_BYTES", default=10 * 1024 * 1024)
# Where `manage.py receive_mail --lmtp` listens when given no address.
INCOMING_LMTP_ADDRESS = env.str("INCOMING_LMTP_ADDRESS", default="127.0.0.1:8025")
# With REPLY_DOMAIN set, each email's return path is bounce+<delivery>-<signature>@REPLY_DOMAIN
# (bounce+l<list email>-… in mailing-list mode; notifications/return_paths.py), so its bounces
# come back here too: after this many emails that bounced for good, a member's address gets no
# more until they say it works again.
EMAIL_BOUNCE_LIMIT = env.int("EMAIL_BOUNCE_LIMIT", default=3)
# A new thread by email must pass DKIM for its From domain: the signing keys are looked up in
# DNS by dkimpy. Empty (the default, and what a site wants), the real DNS; else the dotted path
# of a function that answers the lookup as dkimpy's `dnsfunc` does (name, timeout) -> TXT bytes
# or None: the tests name one that reads the keys they made, so that no test asks the network.
INCOMING_DKIM_TXT_LOOKUP = env.str("INCOMING_DKIM_TXT_LOOKUP", default="")

# Background work (Celery). With REDIS_URL, tasks go to Redis for a worker and beat; without it
# (the embedded default) they run in-process, right after the transaction that queued them.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
# A task whose worker dies goes back to the queue; every task is safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# When Redis is down, a request gives up queueing within about a second (the rows are already
# committed and the sweeps queue them again once Redis is back).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": 3_600,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# The cache holds the rate-limit counters, so every web process must share it: Redis when there
# is one. A cache that is down must not take the site with it: errors read as a miss (and the
# limits fail open, RATELIMIT_FAIL_OPEN and core.rate_limits.FailOpenRedisCache) rather than
# a 500 or a refusal.
CACHES = {
    "default": {
        "BACKEND": "core.rate_limits.FailOpenRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "palabre",
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
        },
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
RATELIMIT_FAIL_OPEN = True

# Notifications: how often the sweeps look for work a lost message left behind, how long a
# worker may hold a delivery before another may take it over, and when the daily digest goes.
NOTIFICATIONS_SWEEP_SECONDS = env.int("NOTIFICATIONS_SWEEP_SECONDS", default=60)
NOTIFICATIONS_DELIVERY_LEASE_SECONDS = env.int("NOTIFICATIONS_DELIVERY_LEASE_SECONDS", default=300)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=8)
NOTIFICATIONS_BELL_POLL_SECONDS = env.int("NOTIFICATIONS_BELL_POLL_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "sweep-deliveries": {
        "task": "notifications.tasks.sweep_deliveries",
        "schedule": NOTIFICATIONS_SWEEP_SECONDS,
    },
    "announce-pending-posts": {
        "task": "forum.tasks.announce_pending_posts",
        "schedule": NOTIFICATIONS_SWEEP_SECONDS,
    },
    # Hourly, and idempotent per member and day: a late or repeated run sends nothing twice.
    "daily-digests": {"task": "notifications.tasks.send_daily_digests", "schedule": 3_600},
    "charter-deadlines": {
        "task": "charter.tasks.run_deadlines",
        "schedule": env.int("CHARTER_DEADLINES_SECONDS", default=30),
    },
    # A claim lapsed after the charter's `claim_hours` is no claim whether or not this runs
    # (moderation/rules.py); the run only writes the lapse into the case's history and clears
    # the row. One indexed query when nothing is due.
    "lapse-moderation-claims": {"task": "moderation.tasks.lapse_claims", "schedule": 300},
    # Uploads that no post uses a day after (UPLOAD_ORPHAN_HOURS): one indexed query when none.
    "remove-orphan-uploads": {"task": "forum.tasks.remove_orphan_uploads", "schedule": 3_600},
    # Messages stored while the broker was down, queued again: one indexed query when none.
    "process-waiting-mail": {
        "task": "incoming.tasks.process_waiting",
        "schedule": NOTIFICATIONS_SWEEP_SECONDS,
    },
}

# The charter. Every number of the members' procedure (ballot lengths, quorums, the founding
# ballot, how many ballots at once, the reminder, who counts as active, the first day's limits…)
# is a procedural parameter of the charter itself (charter/parameters.py), changed only by the
# members' amendment: no setting here reaches them. These are the site's own plumbing.
CHARTER_CATEGORY_SLUG = env.str("CHARTER_CATEGORY_SLUG", default="charter")
# An open ballot this long past its close is reported by the health check: beat is not running.
CHARTER_CLOSE_GRACE_SECONDS = env.int("CHARTER_CLOSE_GRACE_SECONDS", default=300)

# Accounts (django-allauth)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "forum:index"
ACCOUNT_ADAPTER = "members.adapter.MemberAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_VALIDATORS = "members.validators.username_validators"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# A member is told by email when their password or address changes (the old address is told of
# a new one), so that someone else's change does not go unnoticed.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# A stolen session must not take the account for good: adding, removing or making primary an
# address asks for the password again, unless given in the last five minutes, as does
# exporting one's data (members/views.py). Changing the password and deleting the account ask
# for it in their own forms, each time.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# The way in, in Palabre's words (the pages are templates/account/).
ACCOUNT_FORMS = {
    "login": "members.account_forms.SignInForm",
    "signup": "members.account_forms.JoinForm",
    # Form classes, not passwords (bandit reads the keys' names):
    "reset_password": "members.account_forms.PasswordResetForm",  # nosec B105
    "reset_password_from_key": "members.account_forms.NewPasswordForm",  # nosec B105
    "reauthenticate": "members.account_forms.ConfirmPasswordForm",
}
# A new member reads and accepts the charter before anything else.
ACCOUNT_SIGNUP_REDIRECT_URL = "/charter/accept/"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if SITE_URL.startswith("http://") else "https"

# Forum limits
POST_MAX_LENGTH = 20_000
THREAD_TITLE_MAX_LENGTH = 150
POSTS_PER_PAGE = env.int("POSTS_PER_PAGE", default=20)
THREADS_PER_PAGE = env.int("THREADS_PER_PAGE", default=30)

# Members' uploads (forum.uploads, members' avatars). Which types a member may upload, by their
# content, never their name: images are decoded and written anew (no metadata kept); files are
# offered for download only. Types outside these lists cannot be turned on: SVG and HTML never.
UPLOAD_IMAGE_TYPES = env.list("UPLOAD_IMAGE_TYPES", default=["jpeg", "png", "webp", "gif"])
UPLOAD_FILE_TYPES = env.list("UPLOAD_FILE_TYPES", default=["pdf", "odt", "txt"])
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=8 * 1024 * 1024)
# What one member may upload in 24 hours, all files together.
UPLOAD_DAILY_BYTES = env.int("UPLOAD_DAILY_BYTES", default=64 * 1024 * 1024)
# An image is refused past this many pixels (a "decompression bomb" is a small file that
# decodes to billions), and written anew at most this wide and high.
UPLOAD_IMAGE_MAX_PIXELS = env.int("UPLOAD_IMAGE_MAX_PIXELS", default=40_000_000)
UPLOAD_IMAGE_MAX_SIDE = env.int("UPLOAD_IMAGE_MAX_SIDE", default=2_560)
# An upload that no post of its member uses after this long is removed.
UPLOAD_ORPHAN_HOURS = env.int("UPLOAD_ORPHAN_HOURS", default=24)
# Django keeps a request's files in memory up to this size, and in a temporary file past it.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Abuse limits: rates. Counted in the cache (CACHES): with Redis, every web process shares the
# counters; without it, LocMem counts in each process, which suits the embedded setup's single
# process (several processes without Redis would each allow the full rate). A rate reads
# "count/period" (s, m, h or d); an empty one turns that limit off.
# Members' POSTs, counted per member (core/rate_limits.py). Each is far above what a person
# does by hand and stops a script. On what the charter grants (signalling, co-sponsoring,
# voting) a limit may only slow a burst: core/rates.py refuses one that could stop a member.
MEMBER_RATE_LIMITS = {
    # New threads, replies and edits together (a preview without JavaScript is a POST too).
    "posting": env.str("RATE_LIMIT_POSTING", default="10/m"),
    "signalling": procedural_rate(
        "RATE_LIMIT_SIGNALLING", env.str("RATE_LIMIT_SIGNALLING", default="10/m")
    ),
    "co-sponsoring": procedural_rate(
        "RATE_LIMIT_CO_SPONSORING", env.str("RATE_LIMIT_CO_SPONSORING", default="10/m")
    ),
    "voting": procedural_rate("RATE_LIMIT_VOTING", env.str("RATE_LIMIT_VOTING", default="10/m")),
    # Deleting one's account asks for the password again: a stolen session must not be able to
    # try passwords there faster than at the sign-in page.
    "deleting-account": "5/15m",
    # The ban email's appeal link needs no sign-in, so its form is counted per address; a
    # banned member's one appeal through a valid link always goes through.
    "appealing-by-link": "10/h",
    # Checking the record recomputes every digest it holds: enough to check it, too few to
    # keep the server busy (counted per member, or per address for a visitor).
    "verifying-record": "10/h",
    # A trustee's step runs belenios-tool over the whole ballot box (half a minute a thousand
    # voters): the few steps a trustee takes, and their mistakes, go through; a loop of them,
    # keeping the server busy, does not. Not from the environment: a lower limit set there
    # could stop the trustees from decrypting a count.
    "trustee-steps": "30/h",
    # The editor's Preview button renders the text as posting will, without saving it: a
    # member clicking it every five seconds for ten minutes goes through; a loop of costly
    # Markdown, keeping the web processes busy, does not. Fixed, like the limits above.
    "previewing": "120/10m",
    # Uploads (images, files, avatars): a member adding the pictures of an outing goes
    # through; a script does not (the daily quota, UPLOAD_DAILY_BYTES, caps the volume).
    "uploading": env.str("RATE_LIMIT_UPLOADING", default="60/10m"),
}
# Accounts: allauth's own limits, each one this site uses written out. Per IP (a whole meeting
# room may sign up from one address), per member, or per key (the address typed: it also caps
# the emails anyone can make the site send to one inbox). Past a limit allauth shows
# templates/429.html, except failed sign-ins, which the sign-in form refuses with a message.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    # A rate, not a password (bandit reads the key's name):
    "reset_password": "20/h/ip,3/h/key",  # nosec B105
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    # Both ask for the password: a stolen session may not try passwords there faster than
    # at the sign-in page.
    "change_password": "5/5m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "5/5m/user",
}
# Behind a reverse proxy, how many proxies add to X-Forwarded-For: set it (usually 1), or every
# visitor counts as the proxy's one address against the per-IP limits above.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# The same for the limits counted per visitor's address (core/rate_limits.py).
RATELIMIT_IP_META_KEY = "core.rate_limits.client_address"
# A new member's first day (the 24 hours after joining) is limited too, by the charter's own
# `first_day_threads` and `first_day_posts` (forum/rules.py), not by a setting.

# Security: strict unless DEBUG. Behind a TLS-terminating proxy, the proxy sets X-Forwarded-Proto.
# Off only for a trial on plain http at 127.0.0.1 (scripts/trial); never in production.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = env.bool("LANGUAGE_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading HSTS binds the whole domain for years; an association opts in knowingly.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (Django's own): scripts and styles come from our static files only,
# never inline; a template that ever needs an inline script takes {{ csp_nonce }}. Images too
# come from the site alone: a post's image from elsewhere is a link to it (forum/rendering.py),
# and one that got through would not load. Nothing leaves the site.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # In-process tasks would log each success into the web server's output.
    "loggers": {
        "celery.app.trace": {"level": "INFO" if REDIS_URL else "WARNING"},
        # Names every detector it tries on every bounce (incoming.bounces).
        "flufl.bounce": {"level": "WARNING"},
    },
}
