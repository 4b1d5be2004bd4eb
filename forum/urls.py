from django.urls import path

from forum import upload_views, views

app_name = "forum"

urlpatterns = [
    path("", views.index, name="index"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("c/<slug:slug>/new/", views.new_thread, name="new_thread"),
    path("c/<slug:slug>/watch/", views.watch_category, name="watch_category"),
    path("t/<int:pk>/", views.thread, name="thread"),
    path("t/<int:pk>/unread/", views.first_unread, name="first_unread"),
    path("t/<int:pk>/reply/", views.reply, name="reply"),
    path("t/<int:pk>/watch/", views.watch_thread, name="watch_thread"),
    path("stop-watching/<str:token>/", views.stop_watching, name="stop_watching"),
    path("p/<int:pk>/", views.post, name="post"),
    path("p/<int:pk>/edit/", views.edit_post, name="edit_post"),
    path("p/<int:pk>/delete/", views.delete_post, name="delete_post"),
    path("p/<int:pk>/history/", views.post_history, name="post_history"),
    path("p/<int:pk>/thanks/", views.thanks, name="thanks"),
    path("p/<int:pk>/quote/", views.quote, name="quote"),
    path("preview/", views.preview, name="preview"),
    path("files/", upload_views.upload, name="upload_new"),
    path("files/<str:token>/<str:name>", upload_views.upload_file, name="upload"),
    path("search/", views.search, name="search"),
    path("m/<str:username>/", views.member, name="member"),
]
