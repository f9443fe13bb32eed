"""Writes and checks for safety. Every path that creates text a person wrote calls
``text_check`` before saving it."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from accounts.models import User
from safety.models import PublicFigure

TEXT_LIMITS = {
    "prompt": 1_000,
    "comment": 2_000,
    "dm": 2_000,
    "profile": 300,
    "cameo_instructions": 500,
}


def _public_names(user: User | None) -> tuple[list, set[str]]:
    """The protected names, and the ids of those whose cameo this person may use."""
    from cameo.selectors import cameo_use_refusal
    from safety.moderation import PublicName

    figures = list(PublicFigure.objects.select_related("account__cameo"))
    names = [PublicName(id=f.pk, name=f.name, aliases=f.alias_list()) for f in figures]
    allowed = set()
    for figure in figures:
        cameo = getattr(figure.account, "cameo", None) if figure.account else None
        usable = user is not None and cameo is not None and cameo.state == "verified"
        if usable and cameo_use_refusal(cameo=cameo, user=user) is None:
            allowed.add(str(figure.pk))
    return names, allowed


def text_check(*, text: str, kind: str, user: User | None = None) -> str:
    """Refuse text that is too long or that moderation blocks; return the outcome
    ("allow" or "hold") for the caller to act on. The person reads the category, never the rule.
    """
    from safety.moderation import moderate_text

    limit = TEXT_LIMITS[kind]
    if len(text) > limit:
        raise ValidationError(
            f"That's {len(text):,} characters; the limit is {limit:,}. Shorten it and try again."
        )
    names, allowed = _public_names(user) if kind == "prompt" else ([], set())
    verdict = moderate_text(text, kind=kind, protected_names=names, allowed_names=allowed)
    if verdict.outcome == "block":
        raise ValidationError(verdict.message, code=f"moderation:{verdict.category}")
    return verdict.outcome
