"""The settings page (every account link in one list, two taps from any page) and ``/me/``,
the Profile tab's address for someone not signed in yet."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/settings.html")


@login_required
def me(request: HttpRequest) -> HttpResponse:
    return redirect("profile", username=request.user.username)
