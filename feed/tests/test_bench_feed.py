"""``seed_demo --scale`` and ``bench_feed`` at a small scale: every code path, no timing claims."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Follow, User
from feed.models import Post, PostFeatures
from feed.seeding import POSTS_PER_PERSON, scale_posts_count, seed_scale, templates_from
from feed.services.posts import post_publish


@pytest.fixture
def demo_post(alice: User, rendered: Any) -> Post:
    return post_publish(user=alice, job_id=rendered(alice, "a dog running on the beach").pk)


def test_scale_seeding_makes_posts_with_features_across_a_tenth_as_many_people(
    demo_post: Post,
) -> None:
    made = seed_scale(posts=45, templates=templates_from([demo_post]), say=lambda _: None)
    assert made == 45 == scale_posts_count()
    people = User.objects.filter(username__startswith="scale_")
    assert people.count() == -(-45 // POSTS_PER_PERSON) == 5
    assert Follow.objects.filter(follower__in=people).exists()
    scaled = Post.objects.filter(author__in=people)
    assert PostFeatures.objects.filter(post__in=scaled).count() == 45
    assert set(scaled.values_list("job__video", flat=True)) == {demo_post.job.video.name}


def test_scale_seeding_tops_up_and_then_does_nothing(demo_post: Post) -> None:
    templates = templates_from([demo_post])
    seed_scale(posts=20, templates=templates, say=lambda _: None)
    assert seed_scale(posts=30, templates=templates, say=lambda _: None) == 10
    assert seed_scale(posts=30, templates=templates, say=lambda _: None) == 0
    assert scale_posts_count() == 30


@pytest.mark.django_db
def test_seed_demo_refuses_a_negative_scale() -> None:
    with pytest.raises(CommandError, match="--scale is a number of posts: 0 or more."):
        call_command("seed_demo", scale=-1)
    assert not Post.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_bench_feed_measures_queries_throughput_and_rerank_on_this_database(
    demo_post: Post,
) -> None:
    seed_scale(posts=150, templates=templates_from([demo_post]), say=lambda _: None)
    out = io.StringIO()
    call_command(
        "bench_feed", "--here", "--viewers", "6", "--workers", "1", "--clients", "2",
        "--seconds", "0.5", "--rounds", "1", "--repeats", "3", stdout=out,
    )  # fmt: skip
    report = out.getvalue()
    small, large = map(int, re.search(r"10 items (\d+), 50 items (\d+)", report).groups())
    assert small == large <= 12
    rates = dict(re.findall(r"   (\S[^\d]+?)\s+([\d.]+) requests/s \(0 errors", report))
    assert set(rates) == {
        "bare Django view",
        "signed-in empty base page",
        "For-you page, full",
        "For-you next page (htmx)",
        "first page of each viewer",
    }
    # Four viewers warmed the server up; the other two each ranked on a first page of their own.
    assert "2 viewers, each ranking their candidates" in report
    assert float(rates["bare Django view"]) > 0
    assert float(rates["signed-in empty base page"]) > 0  # signed in: a 200, not the sign-in page
    assert re.search(r"P6 full feed page / signed-in empty base page = [\d.]+ \(", report)
    assert re.search(r"P7 steered re-rank of \d+ candidates: median [\d.]+ ms", report)
