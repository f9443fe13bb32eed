from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views, views_family, views_settings

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", views.notifications, name="notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        views.notification_read,
        name="notification_read",
    ),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("settings/", views_settings.settings_page, name="settings"),
    path("me/", views_settings.me, name="me"),
    path("teen/", views_family.teen, name="teen"),
    path("teen/changes/", views_family.teen_changes, name="teen_changes"),
    path("teen/link/", views_family.teen_link, name="teen_link"),
    path("teen/settings/", views_family.teen_settings, name="teen_settings"),
    path("teen/unlink/", views_family.teen_unlink, name="teen_unlink"),
    path("teen/videos/", views_family.videos_audience, name="videos_audience"),
    path("teen/more-time/", views_family.teen_more_time, name="teen_more_time"),
    path("family/", views_family.family, name="family"),
    path("family/code/", views_family.family_code, name="family_code"),
    path("family/<int:link_id>/settings/", views_family.family_settings, name="family_settings"),
    path("family/<int:link_id>/unlink/", views_family.family_unlink, name="family_unlink"),
    path(
        "family/<int:link_id>/unlink/<str:decision>/",
        views_family.family_unlink_decide,
        name="family_unlink_decide",
    ),
    path(
        "family/time/<int:request_id>/<str:decision>/",
        views_family.family_time_decide,
        name="family_time_decide",
    ),
    path("data/", views_family.data_page, name="data"),
    path("data/export/", views_family.data_export, name="data_export"),
    path("data/delete/", views_family.account_delete, name="account_delete"),
    path("people/<str:username>/<str:action>/", views.relation, name="relation"),
]
