from __future__ import annotations

from django.urls import path

from safety import views

app_name = "safety"
urlpatterns = [
    path("videos/<int:job_id>/", views.report_video, name="report_video"),
    path("people/<str:username>/", views.report_profile, name="report_profile"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("reports/<int:report_id>/reply/", views.report_reply, name="report_reply"),
    path("standing/", views.standing, name="standing"),
    path("strikes/<int:strike_id>/appeal/", views.appeal, name="appeal"),
]
