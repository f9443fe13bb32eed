from __future__ import annotations

from django.urls import path

from safety import views

app_name = "safety"
urlpatterns = [
    path("videos/<int:job_id>/", views.report_video, name="report_video"),
]
