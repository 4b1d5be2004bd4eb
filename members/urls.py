from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("settings/", views.profile_settings, name="settings"),
    path("language/", views.set_language, name="set_language"),
    path("data/", views.my_data, name="my_data"),
    path("data/export.zip", views.my_data_export, name="my_data_export"),
    path("delete/", views.delete_account, name="delete_account"),
]
