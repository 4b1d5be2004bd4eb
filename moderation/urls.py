from django.urls import path
from django.views.decorators.http import require_GET

from moderation import feeds, views

app_name = "moderation"

urlpatterns = [
    path("signal/<int:post_pk>/", views.signal, name="signal"),
    path("my-signals/", views.my_signals, name="my_signals"),
    path("queue/", views.queue, name="queue"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/claim/", views.claim, name="claim"),
    path("cases/<int:pk>/release/", views.release, name="release"),
    path("cases/<int:pk>/step-aside/", views.step_aside, name="step_aside"),
    path("cases/<int:pk>/defer/", views.defer, name="defer"),
    path("cases/<int:pk>/decide/", views.decide, name="decide"),
    path("decisions/<int:pk>/", views.decision, name="decision"),
    path("decisions/<int:pk>/appeal/", views.appeal_decision, name="appeal_decision"),
    path("appeal/<str:token>/", views.ban_appeal, name="ban_appeal"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:pk>/", views.appeal, name="appeal"),
    path("journal/", views.journal, name="journal"),
    path("journal/feed/", require_GET(feeds.JournalFeed()), name="journal_feed"),
    path("journal/verify/", views.verify_record, name="verify_record"),
    path("journal/articles/", views.statistics, name="statistics"),
]
