"""The reporter's side: "Your reports", one report's page and its thread, and reporting a
profile."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Notification, User
from accounts.services.blocks import block_create
from cameo.services.consent import cameo_mark_verified, cameo_settings_update
from generation.services import generation_request
from safety.models import Report, ReportMessage
from safety.services import reports as services

pytestmark = pytest.mark.django_db


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _video_report(reporter: User, creator: User) -> Report:
    """``reporter`` finds their cameo in ``creator``'s video and reports it."""
    cameo_mark_verified(owner=reporter, display_name=reporter.username, embedding=[0.0] * 128)
    cameo = cameo_settings_update(owner=reporter, permission="everyone")
    job = generation_request(
        user=creator, prompt="a picnic", duration_s=4, aspect="9:16", seed=1,
        cameo_ids=[cameo.pk],
    )  # fmt: skip
    return services.report_create(
        reporter=reporter, job_id=job.pk, reason="likeness", likeness=True
    )


def _detail(report: Report) -> str:
    return reverse("safety:report_detail", args=[report.pk])


def _reply(report: Report) -> str:
    return reverse("safety:report_reply", args=[report.pk])


# --- "Your reports" -----------------------------------------------------------------------------


def test_someone_who_never_reported_sees_an_empty_state(alice: User) -> None:
    page = _login(alice).get(reverse("safety:reports")).content.decode()
    assert "<h1>Your reports</h1>" in page
    assert "You haven't reported anything." in page


def test_the_list_shows_each_report_with_target_reason_status_and_date(
    alice: User, bob: User, charlie: User
) -> None:
    report = services.report_create_profile(reporter=alice, username="bob", reason="spam")
    services.report_create_profile(reporter=charlie, username="bob", reason="hate")
    page = _login(alice).get(reverse("safety:reports")).content.decode()
    assert "@bob&#x27;s profile" in page and "Spam or scam" in page
    assert "Waiting for a moderator" in page
    assert f"{report.created_at:%-d %b %Y}" in page
    assert _detail(report) in page
    assert "Hate" not in page  # charlie's report is charlie's


def test_the_status_reads_the_outcome_once_a_moderator_acted(
    alice: User, bob: User, moderator: User
) -> None:
    video = _video_report(alice, bob)
    profile = services.report_create_profile(reporter=alice, username="bob", reason="spam")
    services.moderation_remove_video(moderator=moderator, job_id=video.job_id, reason="No.")
    services.report_dismiss(moderator=moderator, report_id=profile.pk, reason="Fine.")
    page = _login(alice).get(reverse("safety:reports")).content.decode()
    assert "Resolved: the video was removed" in page
    assert "A video by @bob that uses your likeness" in page
    assert ">Dismissed</small>" in page


def test_unread_moderator_replies_are_counted_until_the_report_is_opened(
    alice: User, bob: User, moderator: User
) -> None:
    report = services.report_create_profile(reporter=alice, username="bob", reason="spam")
    for text in ("Can you say more?", "Which posts?"):
        services.report_message_create(author=moderator, report_id=report.pk, text=text)
    client = _login(alice)
    listing = client.get(reverse("safety:reports")).content.decode()
    assert "2 new replies from a moderator" in listing

    page = client.get(_detail(report)).content.decode()
    assert "Can you say more?" in page and "Which posts?" in page
    assert page.count("<strong>Moderator:</strong>") == 2
    assert "new repl" not in client.get(reverse("safety:reports")).content.decode()
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()


def test_the_list_and_the_page_need_a_login(alice: User, bob: User) -> None:
    report = services.report_create_profile(reporter=alice, username="bob", reason="spam")
    for url in (reverse("safety:reports"), _detail(report)):
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_someone_elses_report_is_a_404_even_for_the_person_reported(
    alice: User, bob: User, charlie: User
) -> None:
    report = services.report_create_profile(reporter=alice, username="bob", reason="spam")
    for person in (bob, charlie):
        assert _login(person).get(_detail(report)).status_code == 404
    assert _login(alice).get(reverse("safety:report_detail", args=[999999])).status_code == 404


def test_the_page_shows_the_note_escaped_and_the_empty_thread(alice: User, bob: User) -> None:
    report = services.report_create_profile(
        reporter=alice, username="bob", reason="other", note="<script>alert(1)</script>"
    )
    page = _login(alice).get(_detail(report)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "No messages yet." in page and 'data-testid="reply"' in page


# --- Replying on a report -----------------------------------------------------------------------


def test_the_reporter_replies_and_moderators_see_it_in_the_thread(alice: User, bob: User) -> None:
    report = services.report_create_profile(reporter=alice, username="bob", reason="spam")
    client = _login(alice)
    response = client.post(_reply(report), {"text": "He posts scam links daily."}, follow=True)
    assert response.redirect_chain[-1][0] == _detail(report)
    assert "He posts scam links daily." in response.content.decode()
    message = ReportMessage.objects.get()
    assert (message.author, message.from_moderator) == (alice, False)


def test_an_htmx_reply_swaps_only_the_thread(alice: User, bob: User) -> None:
    report = services.report_create_profile(reporter=alice, username="bob", reason="spam")
    response = _login(alice).post(
        _reply(report), {"text": "<b>more</b> detail"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="report-thread"') and "<html" not in body
    assert "&lt;b&gt;more&lt;/b&gt; detail" in body
    assert 'name="text"' in body and "detail</textarea>" not in body  # the box is cleared
    assert ReportMessage.objects.get().text == "<b>more</b> detail"


def test_replying_by_get_is_not_allowed(alice: User, bob: User) -> None:
    report = services.report_create_profile(reporter=alice, username="bob", reason="spam")
    assert _login(alice).get(_reply(report)).status_code == 405


def test_a_stranger_or_a_visitor_cannot_reply(alice: User, bob: User, charlie: User) -> None:
    report = services.report_create_profile(reporter=alice, username="bob", reason="spam")
    assert _login(charlie).post(_reply(report), {"text": "hi"}).status_code == 404
    anonymous = Client().post(_reply(report), {"text": "hi"})
    assert anonymous.status_code == 302 and anonymous.url.startswith("/accounts/login/")
    assert not ReportMessage.objects.exists()


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("   ", "Write a message first."),
        ("x" * 2001, "That&#x27;s 2,001 characters; the limit is 2,000."),
    ],
)
def test_an_empty_or_long_reply_is_refused_with_a_sentence(
    alice: User, bob: User, text: str, sentence: str
) -> None:
    report = services.report_create_profile(reporter=alice, username="bob", reason="spam")
    client = _login(alice)
    page = client.post(_reply(report), {"text": text})
    assert page.status_code == 400 and sentence in page.content.decode()
    swapped = client.post(_reply(report), {"text": text}, headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and sentence in swapped.content.decode()
    assert not ReportMessage.objects.exists()


def test_a_flood_of_replies_is_rate_limited(alice: User, bob: User, settings: Any) -> None:
    settings.SORA_RATE_LIMITS = {**settings.SORA_RATE_LIMITS, "report-message": "2/h"}
    report = services.report_create_profile(reporter=alice, username="bob", reason="spam")
    client = _login(alice)
    for n in range(2):
        client.post(_reply(report), {"text": f"message {n}"})
    limited = client.post(_reply(report), {"text": "one more"})
    assert limited.status_code == 429
    assert "Too many messages in a short time. Try again in" in limited.content.decode()
    assert ReportMessage.objects.count() == 2


# --- Filing a report links to it ----------------------------------------------------------------


def test_the_thanks_after_reporting_a_video_links_to_the_report(alice: User, bob: User) -> None:
    cameo_mark_verified(owner=alice, display_name="alice", embedding=[0.0] * 128)
    cameo = cameo_settings_update(owner=alice, permission="everyone")
    job = generation_request(
        user=bob, prompt="a picnic", duration_s=4, aspect="9:16", seed=1, cameo_ids=[cameo.pk]
    )
    page = _login(alice).post(
        reverse("safety:report_video", args=[job.pk]), {"reason": "likeness"}, follow=True
    )
    report = Report.objects.get()
    assert f'Thanks. Moderators will look at it. <a href="{_detail(report)}">' in (
        page.content.decode()
    )


# --- Reporting a profile ------------------------------------------------------------------------


def _report_profile(client: Client, username: str, **data: str) -> Any:
    url = reverse("safety:report_profile", args=[username])
    return client.post(url, {"reason": "spam", **data}, follow=True)


def test_a_person_reports_a_profile_from_it(alice: User, bob: User) -> None:
    client = _login(alice)
    profile = client.get(reverse("profile", args=["bob"])).content.decode()
    assert 'data-testid="report-profile"' in profile and "Report @bob" in profile
    done = _report_profile(client, "bob", reason="harassment", note="Calls me names")
    assert done.redirect_chain[-1][0] == reverse("profile", args=["bob"])
    report = Report.objects.get()
    assert (report.reporter, report.reported_user, report.target) == (alice, bob, "profile")
    assert (report.reason, report.note, report.job) == ("harassment", "Calls me names", None)
    assert f'Thanks. Moderators will look at it. <a href="{_detail(report)}">' in (
        done.content.decode()
    )


def test_reporting_a_profile_again_merges_into_the_open_report(alice: User, bob: User) -> None:
    client = _login(alice)
    for _ in range(3):
        _report_profile(client, "bob")
    assert Report.objects.get().duplicates == 2


def test_reporting_a_profile_by_get_is_not_allowed(alice: User, bob: User) -> None:
    response = _login(alice).get(reverse("safety:report_profile", args=["bob"]))
    assert response.status_code == 405 and not Report.objects.exists()


def test_a_visitor_must_log_in_to_report_a_profile(bob: User) -> None:
    response = Client().post(reverse("safety:report_profile", args=["bob"]), {"reason": "spam"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not Report.objects.exists()


def test_an_unknown_or_blocked_profile_cannot_be_reported(
    alice: User, bob: User, charlie: User
) -> None:
    block_create(blocker=bob, blocked=alice)  # bob blocked alice
    block_create(blocker=alice, blocked=charlie)  # alice blocked charlie
    client = _login(alice)
    url = "safety:report_profile"
    for username in ("bob", "charlie", "nobody_here"):
        response = client.post(reverse(url, args=[username]), {"reason": "spam"})
        assert response.status_code == 404
    assert _login(charlie).post(reverse(url, args=["alice"]), {"reason": "spam"}).status_code == (
        404
    )
    assert not Report.objects.exists()


def test_there_is_no_report_control_on_your_own_or_a_blocked_profile(
    alice: User, bob: User
) -> None:
    client = _login(alice)
    own = client.get(reverse("profile", args=["alice"])).content.decode()
    assert 'data-testid="report-profile"' not in own
    block_create(blocker=alice, blocked=bob)
    blocked = client.get(reverse("profile", args=["bob"])).content.decode()
    assert 'data-testid="report-profile"' not in blocked


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        ({"reason": "because"}, "Choose a reason from the list."),
        ({"reason": "spam", "note": "x" * 1001}, "Keep the note to 1,000 characters."),
    ],
)
def test_a_bad_profile_report_is_refused_with_a_sentence(
    alice: User, bob: User, data: dict[str, str], sentence: str
) -> None:
    page = _report_profile(_login(alice), "bob", **data).content.decode()
    assert sentence in page and not Report.objects.exists()


def test_you_cannot_report_your_own_profile(alice: User) -> None:
    page = _report_profile(_login(alice), "alice").content.decode()
    assert "You can&#x27;t report your own profile." in page
    assert not Report.objects.exists()


def test_profile_reports_share_the_report_rate_limit(
    alice: User, bob: User, charlie: User, settings: Any
) -> None:
    settings.SORA_RATE_LIMITS = {**settings.SORA_RATE_LIMITS, "report": "1/h"}
    client = _login(alice)
    _report_profile(client, "bob")
    page = _report_profile(client, "charlie").content.decode()
    assert "Too many reports in a short time. Try again in" in page
    assert list(Report.objects.values_list("reported_user__username", flat=True)) == ["bob"]


def test_settings_and_your_profile_link_to_your_reports(alice: User) -> None:
    client = _login(alice)
    settings_page = client.get(reverse("accounts:settings")).content.decode()
    assert f'<a href="{reverse("safety:reports")}">Your reports</a>' in settings_page
    profile = client.get(reverse("profile", args=[alice.username])).content.decode()
    assert reverse("safety:reports") in profile and "Your reports" in profile


def test_the_post_page_has_a_report_control_for_others_only(
    alice: User, bob: User, rendered: Any
) -> None:
    from feed.services.posts import post_publish

    post = post_publish(user=bob, job_id=rendered(bob).pk)
    url = reverse("feed:post", args=[post.pk])
    others = _login(alice).get(url).content.decode()
    assert 'data-testid="report"' in others and "Report this video" in others
    assert reverse("safety:report_video", args=[post.job_id]) in others
    assert 'data-testid="report"' not in _login(bob).get(url).content.decode()
