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
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from feed.management.commands.bench_feed import Command as BenchFeed

PAGES = 3
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
        from django.db.models import Count

        from feed.models import Post

        if options["seed"]:
            self._seed(options["posts"])
        viewers = self._viewers(len(CASES))
        prompts = dict(
            Post.objects.values_list("job__prompt")
            .annotate(n=Count("pk"))
            .values_list("job__prompt", "n")
        )
        leaked = existing = missed = neighbours = 0
        w = self.stdout.write
        w(f"Measured on {sum(prompts.values()):,} posts, first {PAGES} For-you pages each.")
        for viewer, (instruction, words) in zip(viewers, CASES, strict=True):
            ids = self._three_pages(viewer, instruction)
            shown = Post.objects.filter(pk__in=ids).values_list("job__prompt", flat=True)
            leaks = sum(about(prompt, words) for prompt in shown)
            exists = sum(n for prompt, n in prompts.items() if about(prompt, words))
            misses, hidden = self._pool_counts(viewer, words)
            leaked, existing = leaked + leaks, existing + exists
            missed, neighbours = missed + misses, neighbours + hidden
            w(
                f"  {instruction!r:40} {leaks} of {exists:,} excluded-topic posts reached "
                f"{len(ids)} shown; in the pool {misses:,} let through, {hidden:,} other posts "
                "hidden"
            )
        w(
            f"Excluded-topic posts on the first {PAGES} For-you pages: {leaked} "
            f"(goal 0), of {existing:,} such posts in all, over {len(CASES)} instructions."
        )
        w(
            f"In the For-you pool: {missed:,} excluded-topic posts let through, {neighbours:,} "
            "harmless posts hidden (summed over the instructions)."
        )

    def _three_pages(self, viewer: Any, instruction: str) -> list[int]:
        """The posts of the first pages of one scroll, served as the feed view serves them."""
        from feed import selectors, services
        from feed.models import SeenPost
        from feed.steering import feed_instruction_set, feed_mode_set

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

    def _pool_counts(self, viewer: Any, words: tuple[str, ...]) -> tuple[int, int]:
        """Posts of the pool ground truth names that the rule lets through, and posts it hides
        that ground truth doesn't name."""
        from feed import exclusions, selectors
        from feed.models import Post
        from feed.pool import candidate_pool

        pool = candidate_pool()
        rule = exclusions.exclusions_for(selectors.feed_preference_for(viewer))
        out = exclusions.excluded(pool.vectors, rule)
        prompts = dict(
            Post.objects.filter(pk__in=pool.ids.tolist()).values_list("pk", "job__prompt")
        )
        named = np.array([about(prompts.get(int(pk), ""), words) for pk in pool.ids], dtype=bool)
        return int((named & ~out).sum()), int((~named & out).sum())
