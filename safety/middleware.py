"""A suspended person's session ends at their next request, with the reason and the date."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


class SuspendedAccountMiddleware:
    """Banned accounts are inactive, which Django's auth already treats as logged out;
    suspensions end the session here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_suspended:
            until = user.suspended_until
            logout(request)
            messages.error(request, suspended_message(until))
            return redirect("accounts:login")
        return self.get_response(request)


def suspended_message(until: object) -> str:
    return (
        f"Your account is suspended until {until:%d %b %Y %H:%M} UTC. You'll be able to log in "
        "again then."
    )
