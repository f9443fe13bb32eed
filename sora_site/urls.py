from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from accounts.views.account import profile
from feed import admin_wellbeing
from generation import views as generation_views
from sora_site.media import serve_media

urlpatterns = [
    # Before the admin's own URLs, which would otherwise answer this path with a 404.
    path(
        "admin/wellbeing/",
        admin.site.admin_view(admin_wellbeing.wellbeing),
        name="admin_wellbeing",
    ),
    path("admin/", admin.site.urls),
    # Browsers that ask for /favicon.ico before reading the page's <link rel="icon">.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/favicon.svg"))),
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
