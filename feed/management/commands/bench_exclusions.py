"""Measure "none" in a person's words at volume: do excluded videos ever reach For you?

Over ``bench_feed``'s data (``seed_demo --scale N``, 100,000 posts by default, in a folder of its
own unless ``--here``), 30 people each write one instruction with a "none" part ("more cooking,
no dogs"). For each, the first three pages of For you are read the way the feed serves them, and
every post on them is checked against ground truth.

Ground truth does not come from embeddings: every bench post's prompt is built from a subject, an
action, a place and a style (``feed.seeding``), so a post is about "dogs" when its prompt names a
golden retriever or a puppy, about "rain" when it is set in the rain, and so on (``CASES``: the
seeding words, matched as whole words). The count printed is how many of those posts still reach
the three pages (goal: 0), beside how many exist. Over the For-you candidate pool it also prints
how many such posts the similarity rule lets through (misses, which only ranking keeps off the
first pages) and how many posts it hides without ground truth naming them (neighbours, the
price of the threshold), each with its total.

The rule matches a post's whole text and each of its parts (``feed.post_parts``). Beside it, the
same counts are printed for the whole text alone at ``WHOLE_TEXT_FLOOR`` (the rule before parts
were stored), for other floors over the parts, and for the labelled pairs the threshold is chosen
on (``LABELLED``: posts about a phrase and near misses, written apart from the bench's prompts),
with the pool's memory with and without the parts' vectors.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count

from feed import exclusions
from feed.exclusions import EXCLUDE_SIMILARITY
from feed.management.commands.bench_feed import Command as BenchFeed
from feed.models import Post, SeenPost
from feed.pool import Pool, candidate_pool
from feed.post_parts import embed_with_parts, parts_rows
from feed.seeding import scale_parts_fill
from feed.selectors import posts as selectors
from feed.selectors.steering import none_vectors
from feed.services import posts as services
from feed.services.steering import feed_instruction_set, feed_mode_set

PAGES = 3
# The rule before posts' parts were stored: the whole text alone, at this floor.
WHOLE_TEXT_FLOOR = 0.26
# Floors over parts and whole text printed beside the chosen one.
FLOORS = (0.28, 0.30, 0.32, 0.34, 0.36)
LABELLED = Path(settings.BASE_DIR) / "feed" / "tests" / "data" / "exclusions_labelled.csv"
# (instruction, the seeding words whose posts its "none" part must keep out)
CASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("more cooking, no dogs", ("golden retriever", "puppy")),
    ("no cats please", ("tabby cat", "kitten")),
    ("more dogs, nothing with birds", ("parrot", "seagull", "owl")),
    ("never show me cars", ("red car",)),
    ("no robots", ("robot",)),
    ("nothing about space", ("among the stars", "astronaut", "rocket")),
    ("no rain", ("in the rain",)),
    ("nothing with snow", ("snowy mountains", "skier")),
    ("avoid parties", ("birthday party",)),
    ("fewer cats, no dancing", ("dancer", "dancing")),
    ("no cooking", ("kitchen", "chef")),
    ("don't show me whales", ("whale",)),
    ("no dolphins", ("dolphin",)),
    ("without butterflies", ("butterfly",)),
    ("no hot air balloons", ("hot air balloon",)),
    ("never surfing", ("surfer",)),
    ("no skiing", ("skier",)),
    ("nothing in the desert", ("desert",)),
    ("more beaches, no forests", ("forest",)),
    ("no cities", ("city",)),
    ("I don't want any beaches", ("beach",)),
    ("no owls", ("owl",)),
    ("no parrots", ("parrot",)),
    ("no seagulls", ("seagull",)),
    ("no rockets", ("rocket",)),
    ("no astronauts", ("astronaut",)),
    ("more space, no boats", ("sailboat",)),
    ("no concerts", ("concert",)),
    ("no kittens", ("kitten",)),
    ("less robots, no chefs", ("chef",)),
)


def about(prompt: str, words: tuple[str, ...]) -> bool:
    """Ground truth: the prompt names one of the seeding words, as whole words."""
    return any(re.search(rf"\b{re.escape(word)}\b", prompt) for word in words)


class Command(BenchFeed):
    help = 'Measure whether videos a person said "none" of reach their first For-you pages.'
    command_name = "bench_exclusions"

    def _measure(self, options: dict[str, Any]) -> None:
        if options["seed"]:
            self._seed(options["posts"])
            # A bench folder seeded before posts' parts were stored gets them once.
            scale_parts_fill(self.stdout.write)
        viewers = self._viewers(len(CASES))
        prompts = dict(
            Post.objects.values_list("job__prompt")
            .annotate(n=Count("pk"))
            .values_list("job__prompt", "n")
        )
        w = self.stdout.write
        self._pool_memory(candidate_pool())
        leaked = existing = 0
        scores: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        w(f"Measured on {sum(prompts.values()):,} posts, first {PAGES} For-you pages each.")
        for viewer, (instruction, words) in zip(viewers, CASES, strict=True):
            ids = self._three_pages(viewer, instruction)
            shown = Post.objects.filter(pk__in=ids).values_list("job__prompt", flat=True)
            leaks = sum(about(prompt, words) for prompt in shown)
            exists = sum(n for prompt, n in prompts.items() if about(prompt, words))
            named, whole, best = self._pool_scores(viewer, words)
            scores.append((named, whole, best))
            misses, hidden = _errors(named, best, EXCLUDE_SIMILARITY)
            leaked, existing = leaked + leaks, existing + exists
            w(
                f"  {instruction!r:40} {leaks} of {exists:,} excluded-topic posts reached "
                f"{len(ids)} shown; in the pool {misses:,} let through, {hidden:,} other posts "
                "hidden"
            )
        w(
            f"Excluded-topic posts on the first {PAGES} For-you pages: {leaked} "
            f"(goal 0), of {existing:,} such posts in all, over {len(CASES)} instructions."
        )
        missed, neighbours = _summed(scores, 2, EXCLUDE_SIMILARITY)
        w(
            f"In the For-you pool: {missed:,} excluded-topic posts let through, {neighbours:,} "
            "harmless posts hidden (summed over the instructions)."
        )
        self._compared(scores)

    def _pool_memory(self, pool: Pool) -> None:
        whole = pool.nbytes - pool.parts.nbytes
        self.stdout.write(
            f"Candidate pool: {len(pool):,} posts in {pool.nbytes / 2**20:.1f} MiB: "
            f"{whole / 2**20:.1f} MiB of whole-text arrays (all it held before parts) and "
            f"{pool.parts.nbytes / 2**20:.1f} MiB for {len(pool.parts):,} part vectors (float16)."
        )

    def _compared(self, scores: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
        """The chosen rule beside the whole text alone and other floors, on the pool and on the
        labelled pairs."""
        w = self.stdout.write
        matches, whole, best = _labelled_scores()
        w(f"Rules compared (pool: let through, hidden; labelled pairs: {LABELLED.name}):")
        rules = [("whole text", 1, WHOLE_TEXT_FLOOR)]
        rules += [("parts and whole text", 2, floor) for floor in FLOORS]
        for name, column, floor in rules:
            missed, hidden = _summed(scores, column, floor)
            sims = whole if column == 1 else best
            lab_missed, lab_hidden = _errors(matches, sims, floor)
            chosen = " (chosen)" if column == 2 and floor == EXCLUDE_SIMILARITY else ""
            w(
                f"  {name:21} {floor:.2f}  pool {missed:6,} let through, {hidden:6,} hidden; "
                f"labelled matches missed {lab_missed} of {int(matches.sum())}, neighbours "
                f"hidden {lab_hidden} of {int((~matches).sum())}{chosen}"
            )

    def _three_pages(self, viewer: Any, instruction: str) -> list[int]:
        """The posts of the first pages of one scroll, served as the feed view serves them."""
        SeenPost.objects.filter(user=viewer).delete()
        feed_instruction_set(user=viewer, instruction=instruction)
        feed_mode_set(user=viewer, mode="for_you")
        ids: list[int] = []
        scroll = None
        for _ in range(PAGES):
            page = selectors.feed_page(viewer=viewer, scroll=scroll)
            scroll = page.scroll
            services.posts_served_record(user=viewer, post_ids=[p.pk for p in page.posts])
            ids += [p.pk for p in page.posts]
        return ids

    def _pool_scores(
        self, viewer: Any, words: tuple[str, ...]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each post of the pool: whether ground truth names it, and its best similarity to
        the viewer's "none" phrases by its whole text and by its parts and whole text (2 for a
        post with no vector yet, which is always left out)."""
        pool = candidate_pool()
        rule = exclusions.exclusions_for(selectors.feed_preference_for(viewer))
        whole = (pool.vectors @ rule.vectors.T).max(axis=1)
        best = np.maximum(whole, pool.parts.best(rule.vectors, len(pool)))
        unread = ~pool.vectors.any(axis=1)
        whole[unread] = best[unread] = 2.0
        prompts = dict(
            Post.objects.filter(pk__in=pool.ids.tolist()).values_list("pk", "job__prompt")
        )
        named = np.array([about(prompts.get(int(pk), ""), words) for pk in pool.ids], dtype=bool)
        return named, whole, best


def _errors(named: np.ndarray, sims: np.ndarray, floor: float) -> tuple[int, int]:
    """Posts named but under the floor (let through), and posts not named at or over it."""
    return int((named & (sims < floor)).sum()), int((~named & (sims >= floor)).sum())


def _summed(
    scores: list[tuple[np.ndarray, np.ndarray, np.ndarray]], column: int, floor: float
) -> tuple[int, int]:
    counts = [_errors(each[0], each[column], floor) for each in scores]
    return sum(c[0] for c in counts), sum(c[1] for c in counts)


def _labelled_scores() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The labelled pairs: which match, their whole-text similarity, and their best over parts
    and whole text."""
    with LABELLED.open() as fh:
        rows = list(csv.DictReader(fh))
    phrases = none_vectors([row["phrase"] for row in rows])
    posts, parts = embed_with_parts([row["post"] for row in rows])
    whole = (phrases * posts).sum(axis=1)
    best = np.array(
        [
            max([float(sim), *(parts_rows(blob).astype(np.float32) @ phrase).tolist()])
            for sim, blob, phrase in zip(whole, parts, phrases, strict=True)
        ]
    )
    return np.array([row["matches"] == "1" for row in rows]), whole, best
