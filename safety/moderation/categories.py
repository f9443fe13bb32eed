"""The moderation categories, their plain-words names, and the sentences people see.

A category is stored and compared by its slug; people only ever read the plain-words name. The
sentences say which category, never which word or rule matched, so nobody can probe the lists.
"""

from __future__ import annotations

MINORS_SEXUAL = "minors_sexual"
SEXUAL = "sexual"
VIOLENCE = "violence"
SELF_HARM = "self_harm"
HATE = "hate"
HARASSMENT = "harassment"
DANGEROUS = "dangerous"
PUBLIC_FIGURE = "public_figure"

LABELS: dict[str, str] = {
    MINORS_SEXUAL: "sexual content involving minors",
    SEXUAL: "sexual content",
    VIOLENCE: "graphic violence",
    SELF_HARM: "self-harm",
    HATE: "hate",
    HARASSMENT: "harassment of a person",
    DANGEROUS: "dangerous activities",
    PUBLIC_FIGURE: "a public figure",
}

# Categories MiniLM and the rules score; public figures come from the operators' list instead.
SCORED = (MINORS_SEXUAL, SEXUAL, VIOLENCE, SELF_HARM, HATE, HARASSMENT, DANGEROUS)

_SUBJECT = {
    "prompt": "This prompt",
    "caption": "This caption",
    "comment": "This comment",
    "dm": "This message",
    "profile": "This profile text",
    "cameo_instructions": "These cameo instructions",
}

_SELF_HARM_HELP = (
    " If you are going through something hard, please reach out to someone you trust or a "
    "local crisis line; you don't have to face it alone."
)


def subject_for(kind: str) -> str:
    return _SUBJECT.get(kind, "This text")


def _it(kind: str) -> tuple[str, str, str]:
    """Pronoun and verb forms for the subject: cameo instructions are plural."""
    return ("they", "break", "have") if kind == "cameo_instructions" else ("it", "breaks", "has")


def block_message(category: str, kind: str) -> str:
    subject = subject_for(kind)
    if category == PUBLIC_FIGURE:
        return (
            f"{subject} names a public figure who has not given you use of their cameo. "
            "Leave the real person out, or ask them for access to their cameo."
        )
    pronoun, breaks, _ = _it(kind)
    message = (
        f"{subject} can't be used: {pronoun} {breaks} our rules on {LABELS[category]}. "
        "Please rewrite and try again."
    )
    if category == SELF_HARM:
        message += _SELF_HARM_HELP
    return message


def hold_message(category: str, kind: str) -> str:
    subject = subject_for(kind)
    pronoun, _, has = _it(kind)
    message = (
        f"{subject} {has} been held for a moderator to review, because {pronoun} may touch on "
        f"{LABELS[category]}. You'll be notified when the review is done."
    )
    if category == SELF_HARM:
        message += _SELF_HARM_HELP
    return message
