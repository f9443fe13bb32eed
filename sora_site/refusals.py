"""How a view turns a service's refusal, or a hand-typed number, into what the person sees.

Services refuse with ``ValidationError`` carrying whole sentences; every view shows them the
same way, as one paragraph.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def sentence(exc: ValidationError) -> str:
    """A refusal's messages as the one paragraph the person reads."""
    return " ".join(exc.messages)


def flash(request: HttpRequest, exc: ValidationError) -> None:
    """Show a refusal on the next page the person sees."""
    messages.error(request, sentence(exc))


def int_or_none(raw: str | None) -> int | None:
    """A whole number typed into a form or an address, or None for anything else."""
    try:
        return int(raw) if raw else None
    except ValueError:
        return None
