"""Checking text a person wrote, and the automatic report a check files.

Every path that saves text a person wrote calls ``text_check`` first. This sits below the
services of every app (it reads accounts, cameo selectors and safety models, and writes only a
Report), so accounts, cameo and generation can call it from the top of their modules.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from accounts.models import User
from cameo.selectors import cameo_use_refusal
from safety.models import PublicFigure, Report
from safety.moderation import MINORS_SEXUAL, PublicName, moderate_text

REPORT_NOTE_LIMIT = 1000

TEXT_LIMITS = {
    "prompt": 1_000,
    "caption": 300,
    "comment": 2_000,
    "dm": 2_000,
    "profile": 300,
    "cameo_instructions": 500,
}


def _public_names(user: User | None) -> tuple[list, set[str]]:
    """The protected names, and the ids of those whose cameo this person may use."""
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
    limit = TEXT_LIMITS[kind]
    if len(text) > limit:
        raise ValidationError(
            f"That's {len(text):,} characters; the limit is {limit:,}. Shorten it and try again."
        )
    names, allowed = _public_names(user) if kind == "prompt" else ([], set())
    verdict = moderate_text(text, kind=kind, protected_names=names, allowed_names=allowed)
    if verdict.outcome == "block":
        if verdict.category == MINORS_SEXUAL:
            _report_outside_the_request(user, kind, text)
        raise ValidationError(verdict.message, code=f"moderation:{verdict.category}")
    return verdict.outcome


def report_automatic(*, user: User | None, reason: str, note: str) -> Report:
    """A report filed by a check, not a person; it survives the refused request that caused it."""
    return Report.objects.create(
        automatic=True, target=Report.Target.PROMPT, reported_user=user, reason=reason,
        note=note[:REPORT_NOTE_LIMIT],
    )  # fmt: skip


def _report_outside_the_request(user: User | None, kind: str, text: str) -> None:
    """Minors-related sexual content is always reported. Callers check text before they open
    their own transaction, so the refusal that follows doesn't roll this back."""
    report_automatic(user=user, reason=Report.Reason.MINORS, note=f"Blocked {kind}: {text}")
