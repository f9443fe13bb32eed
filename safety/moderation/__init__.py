"""One text-moderation service for prompts, comments, DMs, profile text and cameo instructions.

    from safety.moderation import moderate_text

    verdict = moderate_text(prompt, kind="prompt", protected_names=figures, allowed_names=ids)
    if verdict.outcome == "block":
        raise ValidationError(verdict.message)

See ``classify.py`` for how the decision is made, ``normalise.py`` for the obfuscations that are
undone first, and ``rule_lists.py`` / ``exemplars.py`` for the data.
"""

from __future__ import annotations

from .categories import LABELS as CATEGORY_LABELS
from .categories import MINORS_SEXUAL, PUBLIC_FIGURE
from .classify import KINDS, Verdict, moderate_text
from .normalise import normalise
from .public_figures import STARTER_PUBLIC_FIGURES, PublicName
from .similarity import warm_up

__all__ = [
    "CATEGORY_LABELS",
    "KINDS",
    "MINORS_SEXUAL",
    "PUBLIC_FIGURE",
    "STARTER_PUBLIC_FIGURES",
    "PublicName",
    "Verdict",
    "moderate_text",
    "normalise",
    "warm_up",
]
