from __future__ import annotations

from django.urls import path

from cameo import views

app_name = "cameo"
urlpatterns = [
    path("", views.home, name="home"),
    path("record/", views.record, name="record"),
    path("challenge/", views.new_steps, name="new_steps"),
    path("checks/<int:attempt_id>/", views.attempt_status, name="attempt_status"),
    path("settings/", views.settings_update, name="settings"),
    path("delete/", views.delete, name="delete"),
    path("requests/<int:grant_id>/", views.grant_decide, name="grant_decide"),
    path("grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("ask/<str:username>/", views.grant_request, name="ask"),
    path("videos/", views.videos_with_me, name="videos"),
    path("videos/<int:use_id>/", views.use_detail, name="use"),
    path("videos/<int:use_id>/decide/", views.use_decide, name="use_decide"),
    path("videos/<int:use_id>/take-down/", views.use_take_down, name="use_take_down"),
]
