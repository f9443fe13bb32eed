"""The site's URLs plus two pages the feed's throughput is compared with (P6):
``/__bench/bare/``, a Django view that does nothing, and ``/__bench/base/``, a signed-in page
that renders the site's own base template with no content. Every signed-in page pays for the
session, the user and the header; the base page pays exactly that and no more."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
def base(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html", {})


urlpatterns = [
    path("__bench/bare/", bare),
    path("__bench/base/", base),
    path("", include("sora_site.urls")),
]
