from django.urls import path

from bench.baseline import views

urlpatterns = [path("t/<int:pk>/", views.posts, name="baseline")]
