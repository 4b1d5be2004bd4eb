from functools import partial

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from health_check.views import HealthCheckView
from redis.asyncio import Redis

from config.health import healthz
from members import views as member_views


def health_checks() -> list[str | tuple[str, dict]]:
    """What /health/ runs: the database, the cache and the charter's deadlines; with Redis,
    also the broker and a live Celery worker (the embedded setup has neither)."""
    checks: list[str | tuple[str, dict]] = [
        "health_check.Database",
        "health_check.Cache",
        "charter.health.CharterDeadlines",
    ]
    if settings.REDIS_URL:
        checks += [
            (
                "health_check.contrib.redis.Redis",
                {"client_factory": partial(Redis.from_url, settings.REDIS_URL)},
            ),
            # One worker answering is enough: no need to wait out the timeout for others.
            ("health_check.contrib.celery.Ping", {"limit": 1}),
        ]
    return checks


urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("me/", include("members.urls")),
    path("notifications/", include("notifications.urls")),
    path("charter/", include("charter.urls")),
    path("moderation/", include("moderation.urls")),
    path("health/", HealthCheckView.as_view(checks=health_checks()), name="health"),
    path("healthz", healthz, name="healthz"),
    path("privacy/", member_views.privacy, name="privacy"),
    path("", include("forum.urls")),
]
