from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("settings/", views.profile_settings, name="settings"),
    path("settings/picture/", views.choose_avatar, name="choose_avatar"),
    path("settings/picture/remove/", views.remove_avatar, name="remove_avatar"),
    path("language/", views.set_language, name="set_language"),
    path("data/", views.my_data, name="my_data"),
    path("data/export.zip", views.my_data_export, name="my_data_export"),
    path("delete/", views.delete_account, name="delete_account"),
]
