from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.views import account, family

app_name = "accounts"
urlpatterns = [
    path("signup/", account.signup, name="signup"),
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", account.notifications, name="notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        account.notification_read,
        name="notification_read",
    ),
    path("profile/", account.profile_edit, name="profile_edit"),
    path("settings/", account.settings_page, name="settings"),
    path("me/", account.me, name="me"),
    path("teen/", family.teen, name="teen"),
    path("teen/changes/", family.teen_changes, name="teen_changes"),
    path("teen/link/", family.teen_link, name="teen_link"),
    path("teen/settings/", family.teen_settings, name="teen_settings"),
    path("teen/unlink/", family.teen_unlink, name="teen_unlink"),
    path("teen/videos/", family.videos_audience, name="videos_audience"),
    path("teen/more-time/", family.teen_more_time, name="teen_more_time"),
    path("family/", family.family, name="family"),
    path("family/code/", family.family_code, name="family_code"),
    path("family/<int:link_id>/settings/", family.family_settings, name="family_settings"),
    path("family/<int:link_id>/unlink/", family.family_unlink, name="family_unlink"),
    path(
        "family/<int:link_id>/unlink/<str:decision>/",
        family.family_unlink_decide,
        name="family_unlink_decide",
    ),
    path(
        "family/time/<int:request_id>/<str:decision>/",
        family.family_time_decide,
        name="family_time_decide",
    ),
    path("data/", family.data_page, name="data"),
    path("data/export/", family.data_export, name="data_export"),
    path("data/delete/", family.account_delete, name="account_delete"),
    path("people/<str:username>/<str:action>/", account.relation, name="relation"),
]
