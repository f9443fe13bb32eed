from __future__ import annotations

from django.urls import path

from generation import views

app_name = "generation"
urlpatterns = [
    path("", views.create, name="create"),
    path("drafts/", views.drafts, name="drafts"),
    path("jobs/<int:job_id>/", views.job_detail, name="job"),
    path("jobs/<int:job_id>/status/", views.job_status, name="job_status"),
    path("jobs/<int:job_id>/picture/", views.job_source_image, name="job_source_image"),
    path("jobs/<int:job_id>/cancel/", views.job_cancel, name="job_cancel"),
    path(
        "jobs/<int:job_id>/publish-action/",
        views.job_publish_action,
        name="job_publish_action",
    ),
]
