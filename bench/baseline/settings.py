"""Palabre's settings (database, cache, sessions, secret key, templates' engine) with only what a
bare Django page needs: the session and authentication middlewares, two context processors,
one URL. (Palabre's apps stay installed for its models; allauth, which signs members in and
whose backend their sessions name, refuses to start without its middleware, a thin one.)"""

from pathlib import Path

from config.settings import *  # noqa: F403

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]
ROOT_URLCONF = "bench.baseline.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    }
]
