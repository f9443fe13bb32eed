"""The decision: rules, MiniLM similarity, an exemplar probe, public figures and profanity.

The signals, strongest first:

1. **Rules** (``rules.py``) are the clear-cut cases and always block. Sexual content involving
   minors is checked first and always wins: a minor named near any sexual cue, or in text that
   MiniLM finds even mildly sexual (``MINOR_SEXUAL_SIMILARITY``), is blocked with that category.
2. **MiniLM similarity** to the written exemplars (``similarity.py``) blocks when a category's
   score passes its block threshold and the text is clearly closer to that harm than to any
   harmless exemplar (``BLOCK_MARGIN``). Above the hold threshold with a smaller margin, the
   text is held for a moderator instead.
3. **Public figures** named in a prompt block unless the person granted the creator use of
   their cameo. This only applies to prompts: saying a celebrity's name in a comment is fine.
4. **The exemplar probe** (``similarity.py``), a linear model trained on the same exemplars,
   holds a text for review when it finds it harmful with ``PROBE_HOLD`` probability or more. It
   catches harmful prompts worded unlike any exemplar, at some cost in precision, so it never
   blocks.
5. **Profanity** (``alt-profanity-check``) is only a signal, and never blocks by itself.
   Swearing on its own is allowed: adults swear, and the feed's own filters can hide coarse
   language. Swearing aimed at a person (a clause that says ``you`` or names an ``@handle``) may
   be harassment, so it is held for a moderator. Clauses are scored separately because the
   model is blunt: "this fucking song slaps, you have to hear it" is 1.0 as a whole, but its
   swearing is not in the clause that addresses someone. Clear insults aimed at a person are
   blocked by the harassment rules and exemplars instead.

Every block comes before any hold, so a violent prompt that also names a celebrity is blocked
for violence, and a held prompt naming a celebrity is blocked for the celebrity.

The thresholds were chosen on the first part of ``safety/tests/data/prompts.csv`` and checked
on batches written afterwards; ``manage.py bench_moderation`` prints the figures on all of it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

from . import categories as cat
from .normalise import normalise
from .public_figures import PublicName, unconsented_figure
from .rules import RuleHit, mask_benign, match_rules, mentions_minor
from .similarity import CategorySimilarity, SimilarityReport, similarities

Outcome = Literal["allow", "block", "hold"]
KINDS = ("prompt", "caption", "comment", "dm", "profile", "cameo_instructions")

# (hold, block) cosine-similarity thresholds per category. One pair fits all categories on the
# corpus; they are per category so that operators can move one without the others.
THRESHOLDS: dict[str, tuple[float, float]] = {
    cat.SEXUAL: (0.45, 0.60),
    cat.VIOLENCE: (0.45, 0.60),
    cat.SELF_HARM: (0.45, 0.60),
    cat.HATE: (0.45, 0.60),
    cat.HARASSMENT: (0.45, 0.60),
    cat.DANGEROUS: (0.45, 0.60),
}
# How far a text must be closer to the category than to its nearest harmless exemplar. The
# margin separates harmful from harmless text better than the raw score does: harmless prompts
# with violent or sexual words often score 0.5 or more, but almost always sit nearer a harmless
# exemplar (margin below 0.1).
BLOCK_MARGIN = 0.15
HOLD_MARGIN = 0.10
# A minor named in text at least this close to sexual exemplars is blocked, never held.
MINOR_SEXUAL_SIMILARITY = 0.35
MINOR_SEXUAL_MARGIN = 0.02
# Probe probability at which a text is held for review (the probe never blocks).
PROBE_HOLD = 0.8
# Profanity-check probability at which swearing aimed at a person is held.
PROFANITY_HOLD = 0.9

_TARGETED = re.compile(
    r"(?<![a-z0-9])(?:you|u|ur|you're|youre|yourself|ya|@[a-z0-9_]+)(?![a-z0-9])"
)
_CLAUSES = re.compile(r"[.,!?;:\n]+|\s+(?:but|and|so)\s+")


@dataclass(frozen=True)
class Verdict:
    """What moderation decided about one text.

    ``message`` is the sentence the person sees: it names the category in plain words and never
    the rule or word that matched. ``scores`` and ``rule`` are for moderators only.
    """

    outcome: Outcome
    category: str | None
    message: str
    scores: dict[str, float] = field(default_factory=dict, compare=False)
    rule: str | None = field(default=None, compare=False)

    @property
    def allowed(self) -> bool:
        return self.outcome == "allow"


def _verdict(
    outcome: Outcome, category: str, kind: str, scores: dict[str, float], rule: str | None
) -> Verdict:
    describe = cat.block_message if outcome == "block" else cat.hold_message
    message = describe(category, kind)
    return Verdict(outcome, category, message, scores, rule)


def _similarity_outcome(sims: dict[str, CategorySimilarity]) -> tuple[Outcome, str] | None:
    """The strongest category MiniLM would block or hold, if any."""
    best: tuple[Outcome, str, float] | None = None
    for category, sim in sims.items():
        hold_at, block_at = THRESHOLDS[category]
        if sim.score >= block_at and sim.margin >= BLOCK_MARGIN:
            outcome: Outcome = "block"
        elif sim.score >= hold_at and sim.margin >= HOLD_MARGIN:
            outcome = "hold"
        else:
            continue
        rank = (1.0 if outcome == "block" else 0.0) + sim.margin
        if best is None or rank > best[2]:
            best = (outcome, category, rank)
    return (best[0], best[1]) if best else None


def _probe_category(report: SimilarityReport) -> str | None:
    """The probe's likeliest category, when it finds the text harmful enough to hold."""
    if report.harm_probability < PROBE_HOLD:
        return None
    return max(report.categories.items(), key=lambda item: item[1].probability)[0]


def _targeted_profanity(clean: str, scores: dict[str, float]) -> bool:
    """Whether a clause that addresses someone is profane; records the probability."""
    aimed = [clause for clause in _CLAUSES.split(clean[:2000]) if _TARGETED.search(clause)]
    if not aimed:
        return False
    from profanity_check import predict_prob

    probability = float(predict_prob(aimed).max())
    scores["profanity"] = round(probability, 3)
    return probability >= PROFANITY_HOLD


@dataclass(frozen=True)
class _Request:
    """One call's inputs after normalisation, passed between the decision steps."""

    kind: str
    clean: str
    masked: str
    protected_names: Sequence[PublicName]
    allowed_names: Collection[int | str]


def _rule_verdict(request: _Request, hit: RuleHit, scores: dict[str, float]) -> Verdict:
    rule = f"rule:{hit.category}:{hit.rule}"
    return _verdict("block", hit.category, request.kind, scores, rule)


def moderate_text(
    text: str,
    *,
    kind: str = "prompt",
    protected_names: Sequence[PublicName] = (),
    allowed_names: Collection[int | str] = (),
) -> Verdict:
    """Decide whether ``text`` may be used: allow, block (with the category), or hold.

    ``kind`` is one of ``KINDS``; it changes the wording of the message, and public figures are
    only checked in prompts. ``protected_names`` is the operators' public-figure list, and
    ``allowed_names`` holds the ids of the figures whose verified cameo the creator may use.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown text kind {kind!r}; expected one of {', '.join(KINDS)}.")
    clean = normalise(text)
    request = _Request(kind, clean, mask_benign(clean), protected_names, allowed_names)
    hits = match_rules(request.masked)
    minor = mentions_minor(request.masked)
    # A rule hit blocks at once, unless a minor is named: then MiniLM must also get a say,
    # because "minor + anything sexual" outranks every other category.
    if hits and (hits[0].category == cat.MINORS_SEXUAL or not minor):
        return _rule_verdict(request, hits[0], {})
    report = similarities(clean)
    scores = {category: round(sim.score, 3) for category, sim in report.categories.items()}
    scores["probe"] = round(report.harm_probability, 3)
    if minor and _sexual_enough(report.categories[cat.SEXUAL]):
        return _verdict("block", cat.MINORS_SEXUAL, kind, scores, "similarity:minor+sexual")
    if hits:
        return _rule_verdict(request, hits[0], scores)
    return _after_rules(request, report, scores)


def _sexual_enough(sexual: CategorySimilarity) -> bool:
    return sexual.score >= MINOR_SEXUAL_SIMILARITY and sexual.margin >= MINOR_SEXUAL_MARGIN


def _after_rules(request: _Request, report: SimilarityReport, scores: dict[str, float]) -> Verdict:
    """MiniLM blocks, then public figures, then MiniLM and probe holds, then aimed profanity."""
    kind = request.kind
    similar = _similarity_outcome(report.categories)
    if similar and similar[0] == "block":
        return _verdict("block", similar[1], kind, scores, f"similarity:{similar[1]}")
    person = _unconsented_person(request)
    if person is not None:
        return _verdict("block", cat.PUBLIC_FIGURE, kind, scores, f"public_figure:{person.id}")
    if similar:
        return _verdict("hold", similar[1], kind, scores, f"similarity:{similar[1]}")
    probed = _probe_category(report)
    if probed:
        return _verdict("hold", probed, kind, scores, f"probe:{probed}")
    if _targeted_profanity(request.clean, scores):
        return _verdict("hold", cat.HARASSMENT, kind, scores, "profanity:targeted")
    return Verdict("allow", None, "", scores)


def _unconsented_person(request: _Request) -> PublicName | None:
    if request.kind != "prompt" or not request.protected_names:
        return None
    return unconsented_figure(request.masked, request.protected_names, request.allowed_names)
