from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("settings/", views.profile_settings, name="settings"),
    path("language/", views.set_language, name="set_language"),
]
