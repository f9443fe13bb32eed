"""The one rule for text people type: no control characters, and not only invisible characters.

Every service that stores typed text calls ``clean_typed_text`` (prompts, comments, messages),
and ``ControlCharacterMiddleware`` applies ``refuse_control_characters`` to every other field a
form posts, so a NUL byte is refused the same way everywhere instead of being stored on SQLite
and crashing PostgreSQL.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

ALLOWED_CONTROLS = frozenset("\n\r\t")
CONTROL_MESSAGE = (
    "The text contains control characters (such as a NUL byte) that can't be stored. "
    "Remove them and try again."
)


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS for ch in text)


def refuse_control_characters(text: str) -> None:
    """The validator: raise ValidationError with one sentence when ``text`` has control chars."""
    if has_control_characters(text):
        raise ValidationError(CONTROL_MESSAGE, code="control_chars")


def visible(text: str) -> str:
    """``text`` without format characters (zero-width spaces and joiners, direction marks) and
    surrounding whitespace: what is left is what a reader would see."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()


def clean_typed_text(text: str | None, *, empty_message: str) -> str:
    """``text`` stripped, refused with a sentence when it is empty or invisible, or has
    control characters."""
    text = (text or "").strip()
    if not visible(text):
        raise ValidationError(empty_message, code="empty")
    refuse_control_characters(text)
    return text


def checks_own_text(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view whose form refuses control characters itself, next to the field, so the
    middleware leaves the sentence to it (like ``csrf_exempt``, an attribute on the view)."""
    view.checks_own_text = True  # type: ignore[attr-defined]
    return view


class ControlCharacterMiddleware:
    """Refuse a POST whose fields hold control characters, before any view stores them.

    Views marked ``checks_own_text`` show the sentence beside the field; every other view is
    covered here with the same sentence, as a 400 page (or, for htmx, a fragment it shows).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: object, kwargs: object
    ) -> HttpResponse | None:
        if request.method != "POST" or getattr(view, "checks_own_text", False):
            return None
        if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return None
        values = (value for _, values in request.POST.lists() for value in values)
        if any(has_control_characters(value) for value in values):
            return _refusal(request)
        return None


def _refusal(request: HttpRequest) -> HttpResponse:
    if request.headers.get("HX-Request"):
        # Shown right after the form or button that posted (app.js swaps 4xx answers that
        # name their target).
        response = HttpResponse(f'<p class="error" role="alert">{CONTROL_MESSAGE}</p>', status=400)
        response["HX-Retarget"] = "this"
        response["HX-Reswap"] = "afterend"
        return response
    html = render_to_string("refused.html", {"message": CONTROL_MESSAGE}, request=request)
    return HttpResponse(html, status=400)
