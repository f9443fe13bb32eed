"""The rules for a prompt, shared by the create form and ``generation_request``."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from sora_site.text import has_control_characters, visible

PROMPT_MAX = 1000


def clean_prompt(prompt: str) -> str:
    """Return the prompt stripped, or raise ValidationError with a sentence for the person."""
    prompt = (prompt or "").strip()
    if not visible(prompt):  # empty, or only zero-width and direction characters
        raise ValidationError("Write a prompt describing the video you want.", code="empty")
    if len(prompt) > PROMPT_MAX:
        raise ValidationError(
            f"Keep the prompt to {PROMPT_MAX:,} characters; this one has {len(prompt):,}.",
            code="too_long",
        )
    if has_control_characters(prompt):
        raise ValidationError(
            "The prompt contains control characters. Remove them and try again.",
            code="control_chars",
        )
    return prompt
