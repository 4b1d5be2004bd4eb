from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("me/", include("members.urls")),
    path("notifications/", include("notifications.urls")),
    path("charter/", include("charter.urls")),
    path("", include("forum.urls")),
]
