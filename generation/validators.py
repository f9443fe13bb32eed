"""The rules for a prompt, shared by the create form and ``generation_request``."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

PROMPT_MAX = 1000
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def clean_prompt(prompt: str) -> str:
    """Return the prompt stripped, or raise ValidationError with a sentence for the person."""
    prompt = (prompt or "").strip()
    if not prompt:
        raise ValidationError("Write a prompt describing the video you want.", code="empty")
    if len(prompt) > PROMPT_MAX:
        raise ValidationError(
            f"Keep the prompt to {PROMPT_MAX:,} characters; this one has {len(prompt):,}.",
            code="too_long",
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in prompt):
        raise ValidationError(
            "The prompt contains control characters. Remove them and try again.",
            code="control_chars",
        )
    return prompt
