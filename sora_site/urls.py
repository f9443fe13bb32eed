from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from accounts.views import profile
from generation import views as generation_views
from sora_site.media import serve_media

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("create/", include("generation.urls")),
    path("cameo/", include("cameo.urls")),
    path("safety/", include("safety.urls")),
    path("@<str:username>/", profile, name="profile"),
    path("verify/", generation_views.verify, name="verify"),
    path("v/<str:public_id>/", generation_views.record, name="record"),
    path("", include("feed.urls")),
]

if settings.SORA_STORAGE == "filesystem":
    urlpatterns.append(re_path(r"^media/(?P<path>.+)$", serve_media, name="media"))
