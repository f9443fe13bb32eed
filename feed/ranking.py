"""The For-you ranking: a glass box in plain numpy.

A post's score is a weighted sum of named terms, each one a signal between 0 and 1 (mood runs
from -1 to 1) computed for every candidate at once:

- ``freshness``: halves every ``FRESH_HALF_LIFE_HOURS``;
- ``following`` and ``mutual``: the author is someone you follow, or you follow each other;
- ``interests``: how close the post is to your closest interest;
- ``mood``: how well the post's energy matches the relaxed-energized slider;
- ``more`` and ``less``: how close it is to what your instruction asked for more or less of;
- ``goals``: how close the post comes to the closest written exemplar of the best of your
  long-term goals (``feed.services.goals``); for "be more connected to friends", also 1 for posts by
  people you follow;
- ``see_less``: how close it is to posts you marked "see less like this".

No term is watch time or session length: the feed ranks what you asked for, not what keeps you
scrolling. The weighted terms of each picked post are also its "Why this video?": the largest
contributions are put into words. A diversity step (maximal marginal relevance) then fills the
page so that one topic does not take it over.

Everything here works on arrays; the only Python loops run over the page being filled.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from threadpoolctl import ThreadpoolController

from sora_site.embeddings import EMBEDDING_DIM

TERMS: tuple[str, ...] = (
    "freshness",
    "following",
    "mutual",
    "interests",
    "mood",
    "more",
    "less",
    "goals",
    "see_less",
)
# ``goals`` weighs as much as ``interests``: a goal is a standing interest the person chose for
# their own good, so it should beat a day of freshness and a follow, and lose to what they asked
# for more of today. A friend's post for the friends goal adds up to 2.5 with ``following``.
WEIGHTS: dict[str, float] = {
    "freshness": 1.0,
    "following": 1.0,
    "mutual": 0.5,
    "interests": 1.5,
    "mood": 1.0,
    "more": 2.0,
    "less": -3.0,
    "goals": 1.5,
    "see_less": -2.0,
}
# Terms that still count when ``personalised`` is off: nothing learned about or set by the
# viewer, only what is new.
UNPERSONALISED_TERMS = frozenset({"freshness"})
_INDEX = {name: i for i, name in enumerate(TERMS)}
_WEIGHT_VECTOR = np.array([WEIGHTS[name] for name in TERMS], dtype=np.float32)

FRESH_HALF_LIFE_HOURS = 24.0
# MiniLM cosine similarity between "a video of <phrase>" and a post's prompt: matching posts
# score 0.42-0.52, unrelated ones mostly stay under 0.3 ("a video of dogs" against a golden
# retriever 0.42, puppies 0.44, a chef 0.06). The signal ramps from FLOOR to FULL.
PHRASE_SIM_FLOOR = 0.30
PHRASE_SIM_FULL = 0.45
# Post against post ("see less like this"): near-duplicates score above 0.8.
POST_SIM_FLOOR = 0.50
POST_SIM_FULL = 0.80
# MMR: what a pick loses, in score, for being a near-duplicate (cosine 1) of one already on the
# page. Less than the "more" weight, so asking for more dogs can still fill a page with dogs;
# more than a day of freshness, so a slightly newer copy of the same thing can't.
# Goal exemplars go through the same ramp as phrases. Measured on 207 unrelated prompts, the
# closest exemplar of most goals stays under 0.30 (fewer than 5% of posts get a goal named); the
# goals' own prompts score 0.35-0.66. "Relax and sleep better" reaches calm sunsets and pastel
# dreaminess at 0.45-0.6 too, which is what the goal asks for.
FRIENDS_GOAL = "friends"
# A reason key for the goals term carries the goal ("goals:fitness"), so the page that shows
# the post can record which goal it was shown for (``goal_of``).
GOAL_KEY = "goals:"
MMR_DIVERSITY = 0.6
MMR_CANDIDATES = 100
# A term must add at least this much to a score to be named in "Why this video?".
REASON_MIN = 0.25
MAX_REASONS = 3


@dataclass(frozen=True)
class Phrases:
    """Phrases a person wrote and their MiniLM vectors (one row each, same order)."""

    labels: tuple[str, ...] = ()
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, EMBEDDING_DIM), np.float32))

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class Goals:
    """The viewer's long-term goals: their ``Goal`` values, their labels as the person reads
    them, and every goal's exemplar vectors stacked in the same order, ``sizes`` rows each."""

    names: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, EMBEDDING_DIM), np.float32))
    sizes: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.names)

    @property
    def friends(self) -> int:
        """The position of "be more connected to friends" among the goals, -1 if not chosen."""
        return self.names.index(FRIENDS_GOAL) if FRIENDS_GOAL in self.names else -1


@dataclass(frozen=True)
class Candidates:
    """The arrays the ranking reads (``feed.pool.Pool`` has them)."""

    ids: np.ndarray
    authors: np.ndarray
    created: np.ndarray
    energy: np.ndarray
    vectors: np.ndarray


@dataclass(frozen=True)
class Steering:
    """What the viewer set or did, as arrays. ``personalised=False`` ranks on freshness alone
    (for people who turn personalisation off; teen defaults build on it later)."""

    now: float
    followed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    mutuals: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    mood: float | None = None
    interests: Phrases = field(default_factory=Phrases)
    more: Phrases = field(default_factory=Phrases)
    less: Phrases = field(default_factory=Phrases)
    see_less: np.ndarray = field(default_factory=lambda: np.zeros((0, EMBEDDING_DIM), np.float32))
    goals: Goals = field(default_factory=Goals)
    personalised: bool = True


@dataclass(frozen=True)
class Terms:
    """Every term for every candidate, shape (len(TERMS), n), which phrase matched best, and
    which goal (its position in ``Steering.goals``) was best; -1 where none did."""

    values: np.ndarray
    best_interest: np.ndarray
    best_more: np.ndarray
    best_less: np.ndarray
    best_goal: np.ndarray


@dataclass(frozen=True)
class Pick:
    """One ranked post: its index in the candidates, its score and why, in words. ``because``
    pairs each sentence with the term it speaks for, so a sentence that depends on the clock
    (freshness) can be said again later with ``restate``."""

    index: int
    score: float
    contributions: dict[str, float]
    because: list[tuple[str, str]]

    @property
    def reasons(self) -> list[str]:
        return [sentence for _, sentence in self.because]

    @property
    def goal(self) -> str:
        return goal_of(self.because)


def _ramp(sims: np.ndarray, floor: float, full: float) -> np.ndarray:
    return np.clip((sims - floor) / (full - floor), 0.0, 1.0)


def _best(rel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate: the best phrase's signal and its column (-1 where there are none)."""
    if rel.shape[1] == 0:
        n = rel.shape[0]
        return np.zeros(n, np.float32), np.full(n, -1, np.int64)
    return rel.max(axis=1), rel.argmax(axis=1)


def score_terms(candidates: Candidates, steering: Steering) -> Terms:
    """All terms for all candidates. One matrix product covers every phrase, every goal
    exemplar and every "see less" post."""
    n = candidates.ids.shape[0]
    values = np.zeros((len(TERMS), n), dtype=np.float32)
    age_hours = np.maximum(0.0, steering.now - candidates.created) / 3600.0
    values[_INDEX["freshness"]] = np.exp2(-age_hours / FRESH_HALF_LIFE_HOURS)
    none = np.full(n, -1, np.int64)
    if not steering.personalised or n == 0:
        return Terms(values, none, none, none, none)
    values[_INDEX["following"]] = np.isin(candidates.authors, steering.followed)
    values[_INDEX["mutual"]] = np.isin(candidates.authors, steering.mutuals)
    if steering.mood is not None:
        values[_INDEX["mood"]] = 1.0 - 2.0 * np.abs(candidates.energy - steering.mood)
    groups = (
        steering.interests.vectors,
        steering.more.vectors,
        steering.less.vectors,
        steering.goals.vectors,
    )
    stacked = np.vstack([*groups, steering.see_less]).astype(np.float32, copy=False)
    sims = candidates.vectors @ stacked.T
    edges = np.cumsum([0, *(g.shape[0] for g in groups)])
    phrase_rel = _ramp(sims[:, : edges[3]], PHRASE_SIM_FLOOR, PHRASE_SIM_FULL)
    found = []
    for name, start, stop in zip(("interests", "more", "less"), edges[:3], edges[1:4], strict=True):
        signal, column = _best(phrase_rel[:, start:stop])
        values[_INDEX[name]] = signal
        found.append(column)
    by_friend = values[_INDEX["following"]]
    goal_sims = sims[:, edges[3] : edges[4]]
    goal_signal, best_goal = _goal_term(goal_sims, by_friend, steering.goals)
    values[_INDEX["goals"]] = goal_signal
    post_rel = _ramp(sims[:, edges[-1] :], POST_SIM_FLOOR, POST_SIM_FULL)
    values[_INDEX["see_less"]] = _best(post_rel)[0]
    return Terms(values, *found, best_goal)


def _goal_term(
    sims: np.ndarray, by_friend: np.ndarray, goals: Goals
) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate: the best goal's signal and its position in ``goals`` (-1 where no goal
    scores). A goal's signal is its closest exemplar's, ramped like a phrase; the friends goal
    also counts 1 for a post by someone the viewer follows."""
    n = sims.shape[0]
    if not len(goals):
        return np.zeros(n, np.float32), np.full(n, -1, np.int64)
    per_goal = np.zeros((n, len(goals)), np.float32)
    sizes = np.asarray(goals.sizes, dtype=np.int64)
    has = sizes > 0
    if has.any():
        # Each goal's exemplars are adjacent columns: one reduce takes every goal's closest, and
        # the ramp is monotonic, so ramping only those is the same as the best of the ramps.
        starts = np.cumsum(sizes) - sizes
        closest = np.maximum.reduceat(sims, starts[has], axis=1)
        per_goal[:, has] = _ramp(closest, PHRASE_SIM_FLOOR, PHRASE_SIM_FULL)
    if goals.friends >= 0:
        per_goal[:, goals.friends] = np.maximum(per_goal[:, goals.friends], by_friend)
    best = per_goal.argmax(axis=1)
    signal = per_goal.max(axis=1)
    return signal, np.where(signal > 0, best, -1)


def weights_for(steering: Steering) -> np.ndarray:
    if steering.personalised:
        return _WEIGHT_VECTOR
    keep = np.array([name in UNPERSONALISED_TERMS for name in TERMS])
    return np.where(keep, _WEIGHT_VECTOR, 0.0).astype(np.float32)


def rank(candidates: Candidates, steering: Steering, *, mask: np.ndarray, k: int) -> list[Pick]:
    """The best ``k`` of the candidates where ``mask`` is true, diversified, with reasons."""
    available = int(np.count_nonzero(mask))
    if k <= 0 or available == 0:
        return []
    with _one_blas_thread():
        terms = score_terms(candidates, steering)
        weights = weights_for(steering)
        scores = weights @ terms.values
        scores = np.where(mask, scores, -np.inf)
        shortlist = _shortlist(scores, min(available, max(MMR_CANDIDATES, 2 * k)))
        order = shortlist[mmr(scores[shortlist], candidates.vectors[shortlist], k)]
        # Every pick's terms times their weights at once: (terms, picks).
        weighted = np.round(weights[:, None] * terms.values[:, order], 3).T.tolist()
    return [
        _pick(
            int(i),
            float(scores[i]),
            dict(zip(TERMS, row, strict=True)),
            terms,
            candidates,
            steering,
        )
        for i, row in zip(order, weighted, strict=True)
    ]


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def _one_blas_thread() -> AbstractContextManager[object]:
    """These products are small (10,000 x 384 by a handful): BLAS's thread pool spends more on
    waking its threads than it saves, ~8 ms against ~0.7 ms for 2,000 posts on a busy 2-CPU
    machine, and a web server already runs one request per core."""
    return _blas().limit(limits=1, user_api="blas")


def _shortlist(scores: np.ndarray, size: int) -> np.ndarray:
    """Indexes of the ``size`` best scores, best first."""
    if size < scores.shape[0]:
        top = np.argpartition(-scores, size - 1)[:size]
    else:
        top = np.arange(scores.shape[0])
    return top[np.argsort(-scores[top], kind="stable")]


def mmr(
    scores: np.ndarray, vectors: np.ndarray, k: int, diversity: float = MMR_DIVERSITY
) -> np.ndarray:
    """Maximal marginal relevance: each next pick is the best score less ``diversity`` times its
    likeness (cosine) to the closest pick so far, so near-duplicates and one topic don't fill
    the page, while something the person asked for by name still can. Returns positions into
    ``scores``, in page order."""
    m = scores.shape[0]
    likeness = vectors @ vectors.T
    closest = np.zeros(m, dtype=np.float32)
    open_ = np.ones(m, dtype=bool)
    chosen: list[int] = []
    for _ in range(min(k, m)):
        value = np.where(open_, scores - diversity * closest, -np.inf)
        best = int(np.argmax(value))
        chosen.append(best)
        open_[best] = False
        closest = np.maximum(closest, likeness[best])
    return np.array(chosen, dtype=np.int64)


def _pick(
    index: int,
    score: float,
    contributions: dict[str, float],
    terms: Terms,
    candidates: Candidates,
    steering: Steering,
) -> Pick:
    return Pick(
        index=index,
        score=score,
        contributions=contributions,
        because=reasons(index, contributions, terms, candidates, steering),
    )


def reasons(
    index: int,
    contributions: dict[str, float],
    terms: Terms,
    candidates: Candidates,
    steering: Steering,
) -> list[tuple[str, str]]:
    """The largest contributions, in words, each with its term; a strong negative one is named
    last."""
    helped = sorted(
        (c, name) for name, c in contributions.items() if c >= REASON_MIN and name != "mutual"
    )[::-1]
    described = [
        (
            _reason_key(name, index, terms, steering),
            _describe(name, index, terms, candidates, steering),
        )
        for _, name in helped
    ]
    words = [(name, text) for name, text in described if text][:MAX_REASONS]
    if not words:
        words = [("none", "It's one of the newest videos you haven't seen.")]
    if contributions["less"] <= -REASON_MIN * 2:
        label = steering.less.labels[int(terms.best_less[index])]
        words.append(("less", f"It's lower down because you asked for less {label}."))
    return words


def _reason_key(name: str, index: int, terms: Terms, steering: Steering) -> str:
    if name == "goals":
        return GOAL_KEY + steering.goals.names[int(terms.best_goal[index])]
    return name


def goal_of(because: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str:
    """The goal (a ``Goal`` value) a post was shown for, when its goals term was one of its
    reasons; "" otherwise."""
    for term, _ in because:
        if term.startswith(GOAL_KEY):
            return term[len(GOAL_KEY) :]
    return ""


def restate(because: list[tuple[str, str]], *, age_seconds: float) -> list[str]:
    """The sentences of ``because``, with the freshness one said for the post's age now."""
    return [fresh_reason(age_seconds) if term == "freshness" else text for term, text in because]


def fresh_reason(age_seconds: float) -> str:
    return f"It's new: posted {_age(age_seconds)} ago."


def _describe(
    name: str, index: int, terms: Terms, candidates: Candidates, steering: Steering
) -> str:
    if name == "freshness":
        return fresh_reason(steering.now - float(candidates.created[index]))
    if name == "following":
        if np.isin(candidates.authors[index], steering.mutuals):
            return "It's from someone you follow, who follows you back."
        return "It's from someone you follow."
    if name == "interests":
        return f"You're into {steering.interests.labels[int(terms.best_interest[index])]}."
    if name == "more":
        return f"You asked for more {steering.more.labels[int(terms.best_more[index])]}."
    if name == "mood":
        return _mood_reason(steering.mood, float(candidates.energy[index]))
    if name == "goals":
        return _goal_reason(index, terms, candidates, steering)
    return ""


def _goal_reason(index: int, terms: Terms, candidates: Candidates, steering: Steering) -> str:
    which = int(terms.best_goal[index])
    label = steering.goals.labels[which]
    label = label[:1].lower() + label[1:]
    if which == steering.goals.friends and np.isin(candidates.authors[index], steering.followed):
        return f"It's from a friend, for your goal: {label}."
    return f"It's for your goal: {label}."


def _mood_reason(mood: float | None, energy: float) -> str:
    if mood is None:
        return ""
    if mood < 0.4:
        return "It's calm, and your mood is set to relaxed."
    if mood > 0.6:
        return "It's energetic, and your mood is set to energized."
    return "Its pace suits your mood setting."


def _age(seconds: float) -> str:
    minutes = max(1, int(seconds // 60))
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours // 24} days"
