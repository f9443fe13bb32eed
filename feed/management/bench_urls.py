"""The site's URLs plus ``/__bench/bare/``: a Django view that does nothing, which the feed's
throughput is compared with (P6)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("__bench/bare/", bare),
    path("", include("sora_site.urls")),
]
