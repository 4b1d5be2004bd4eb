from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bell/", views.bell, name="bell"),
    path("read/", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("<int:pk>/read/", views.mark_read, name="mark_read"),
    path("settings/", views.preferences, name="preferences"),
    path("resume/", views.resume_emails, name="resume_emails"),
    path("stop/<str:token>/", views.stop_emails, name="stop_emails"),
    path("stop-list/<str:token>/", views.stop_list, name="stop_list"),
]
