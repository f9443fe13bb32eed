"""``bench_growth`` at a tiny size, growing the database, and the plans of the feed's queries."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from accounts.models import Follow, User
from feed.growth import grow_posts, posts_scans
from feed.management.commands.bench_growth import PAGES, _client_for, _plans, _request_for
from feed.models import Post, PostFeatures
from feed.pool import pool_clear
from feed.seeding import Template, seed_scale
from generation.models import GenerationJob

# A file the seeded posts point at; nothing here plays it.
TEMPLATE = Template(video="videos/t.mp4", poster="posters/t.jpg", keyframe_hashes=[], motion=0.4)


@pytest.fixture
def seeded(db: None) -> Iterator[int]:
    pool_clear()
    seed_scale(posts=60, templates=[TEMPLATE], say=lambda _: None)
    yield Post.objects.count()
    pool_clear()


def test_growing_copies_people_follows_jobs_and_features_with_each_post(seeded: int) -> None:
    people, follows = User.objects.count(), Follow.objects.count()
    growth = grow_posts(to=150, say=lambda _: None)
    assert (growth.before, growth.after) == (60, 150) == (seeded, Post.objects.count())
    assert GenerationJob.objects.count() == PostFeatures.objects.count() == 150
    # One whole copy and half of a second: the second brings only the oldest posts' people.
    assert User.objects.count() == people * 2 + 3
    assert Follow.objects.count() > follows
    newest = Post.objects.order_by("-pk").first()
    assert newest.author.username.endswith(f"_{newest.author_id}")
    assert newest.job.creator_id == newest.author_id
    assert newest.created_at >= Post.objects.order_by("pk").first().created_at
    assert newest.job.public_id.endswith(f"g{newest.job_id}")
    # Growing again copies the copies too, and their names stay unique.
    assert grow_posts(to=400, say=lambda _: None).after == 400


def test_growing_to_fewer_posts_than_there_are_writes_nothing(seeded: int) -> None:
    assert grow_posts(to=10, say=lambda _: None).after == seeded == Post.objects.count()


@pytest.mark.parametrize("page", PAGES)
def test_every_feed_page_reads_the_posts_through_an_index_never_a_full_scan(
    seeded: int, page: str
) -> None:
    grow_posts(to=200, say=lambda _: None)
    viewer = User.objects.filter(username__startswith="scale_").order_by("pk").first()
    plans = _plans(_request_for(page, viewer, _client_for(viewer)))
    assert plans, f"{page} read no posts"
    assert [(sql, scans) for sql, _, scans in plans if scans] == []


def test_the_search_page_reads_people_through_the_handle_and_name_indexes(seeded: int) -> None:
    grow_posts(to=200, say=lambda _: None)
    viewer = User.objects.filter(username__startswith="scale_").order_by("pk").first()
    plans = _plans(_request_for("Search", viewer, _client_for(viewer)))
    people = [(plan, scans) for sql, plan, scans in plans if 'LOWER("accounts_user"' in sql]
    assert len(people) == 1
    plan, scans = people[0]
    assert scans == [] and "user_last_name_search_key" in "\n".join(plan)


def test_a_scan_of_the_accounts_table_is_flagged_with_the_table_it_reads(seeded: int) -> None:
    plans = _plans(lambda: list(User.objects.filter(username__istartswith="scale")))
    [(_, plan, scans)] = plans
    assert scans == [f"accounts table ({plan[0].strip()})"]
    assert "accounts_user" in scans[0]


def test_a_sort_of_the_whole_posts_table_counts_as_a_scan_and_a_newest_first_walk_does_not() -> (
    None
):
    walk = 'SELECT "feed_post"."id" FROM "feed_post" ORDER BY "feed_post"."id" DESC LIMIT 10'
    assert posts_scans(walk, ["SCAN feed_post"]) == []
    sort = 'SELECT "feed_post"."id" FROM "feed_post" ORDER BY "feed_post"."created_at" DESC'
    assert posts_scans(sort, ["SCAN feed_post", "USE TEMP B-TREE FOR ORDER BY"]) == [
        "SCAN feed_post"
    ]
    nested = f"SELECT 1 FROM x WHERE a IN (SELECT U0.id FROM feed_post U0) {walk[-40:]}"
    assert posts_scans(nested, ["SCAN x", "LIST SUBQUERY 1", "  SCAN U0"]) == ["SCAN U0"]
    assert posts_scans("SELECT 1", ["Seq Scan on feed_post  (cost=0.00..1.00)"])


def test_bench_growth_prints_both_medians_the_ratio_the_plans_and_the_pool(seeded: int) -> None:
    out = io.StringIO()
    call_command(
        "bench_growth", "--here", "--posts", "60", "--grow-to", "240", "--viewers", "2",
        "--repeats", "1", stdout=out,
    )  # fmt: skip
    report = out.getvalue()
    assert "Grew from 60 to 240 posts" in report
    found = re.findall(r"   (\S[\w ]+?)\s+[\d.]+ ms ->\s+[\d.]+ ms  = ([\d.]+)x", report)
    assert len(found) == 2 * len(PAGES)  # wall clock, then CPU
    ratios = dict(found)
    assert set(ratios) == set(PAGES)
    assert all(float(ratio) > 0 for ratio in ratios.values())
    assert re.search(r"P8 worst page ratio \(page medians\) = [\d.]+ \((meets|MISS)", report)
    assert re.search(r"P8 worst page ratio \(CPU per page, medians\) = [\d.]+ \(", report)
    assert "P8 queries that scan the posts or accounts table at 240 posts: 0" in report
    assert re.search(r"P8 candidate pool: 60 -> 240 posts, [\d.]+ -> [\d.]+ MiB", report)
    assert "[For you] SELECT" in report and "[Latest] SELECT" in report
    assert "user_username_search_key" in report  # the Search page's people, from the index
