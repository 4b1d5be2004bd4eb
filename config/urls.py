from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config.health import healthz
from members import views as member_views
from members.join_view import JoinView

# One sign-in page, with its limits on failed attempts (ACCOUNT_RATE_LIMITS): the admin's own
# form would try passwords unlimited. A visitor is sent to the forum's sign-in page and back;
# a signed-in member who is not staff is refused.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/signup/", JoinView.as_view(), name="join"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("members.urls")),
    path("notifications/", include("notifications.urls")),
    path("charter/", include("charter.urls")),
    path("moderation/", include("moderation.urls")),
    # django-health-check's own page once, with checks of its own: monitors that still poll it
    # are sent to the one list of checks.
    path(
        "health/",
        RedirectView.as_view(
            pattern_name="healthz", permanent=True, http_method_names=["get", "head"]
        ),
        name="health",
    ),
    path("healthz", healthz, name="healthz"),
    path("privacy/", member_views.privacy, name="privacy"),
    path("avatars/<int:pk>/<str:key>-<int:size>.webp", member_views.avatar_file, name="avatar"),
    path("", include("forum.urls")),
]
