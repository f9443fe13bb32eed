from __future__ import annotations

from django.urls import path

from feed import views

app_name = "feed"
urlpatterns = [
    path("", views.index, name="index"),
    path("p/<int:post_id>/", views.post_detail, name="post"),
    path("p/<int:post_id>/like/", views.like, name="like"),
    path("publish/<int:job_id>/", views.publish, name="publish"),
]
