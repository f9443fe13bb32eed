"""The parent link: codes, accepting one, the parent's dashboard and changes, the log the teen
reads, unlinking, and asking for more time (htmx)."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    LimitExtensionRequest,
    Notification,
    ParentChange,
    ParentLink,
    TeenSettings,
    User,
)
from accounts.selectors.teens import usage_summary
from accounts.services.teens import (
    CODE_LIFETIME,
    parent_link_accept,
    parent_link_code_create,
    parent_link_unlink_request,
    teen_extension_request,
    teen_settings_update_by_parent,
)
from conftest import make_user

pytestmark = pytest.mark.django_db

FAMILY = "/accounts/family/"
CODE_URL = "/accounts/family/code/"
LINK_URL = "/accounts/teen/link/"
TEEN_PAGE = "/accounts/teen/"
MORE_TIME = "/accounts/teen/more-time/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _page(response: Any) -> str:
    return html.unescape(response.content.decode())


def _login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _linked(parent: User, teen: User) -> ParentLink:
    code = parent_link_code_create(parent=parent)
    return parent_link_accept(teen=teen, code=code.code)


def _limit(teen: User) -> int:
    return TeenSettings.objects.get(user=teen).daily_limit_minutes


def _settings_form(**change: str) -> dict[str, str]:
    form = {"daily_limit_minutes": "60", "quiet_start": "22:00", "quiet_end": "07:00"}
    return form | {"cameo_cap": "only_me"} | change


# --- Codes --------------------------------------------------------------------------------------


def test_a_parent_creates_a_code_that_works_for_24_hours(parent: User) -> None:
    response = _login(parent).post(CODE_URL, follow=True)
    link = ParentLink.objects.get()
    assert (link.parent, link.teen, link.ended_at) == (parent, None, None)
    assert len(link.code) == 8 and link.code.isalnum() and link.code.isupper()
    assert abs(link.code_expires_at - timezone.now() - CODE_LIFETIME) < dt.timedelta(minutes=1)
    page = _page(response)
    assert f'data-testid="link-code">{link.code[:4]}-{link.code[4:]}</strong>' in page
    assert "Your code is ready." in page


def test_a_new_code_replaces_the_unused_one(parent: User, teen: User) -> None:
    old = parent_link_code_create(parent=parent)
    new = parent_link_code_create(parent=parent)
    old.refresh_from_db()
    assert old.end_reason == "replaced" and new.ended_at is None
    with pytest.raises(ValidationError) as excinfo:
        parent_link_accept(teen=teen, code=old.code)
    assert excinfo.value.messages == [
        "That code doesn't match any link. Check it with your parent and type it again."
    ]


def test_creating_a_code_refuses_get(parent: User) -> None:
    assert _login(parent).get(CODE_URL).status_code == 405
    assert not ParentLink.objects.exists()


def test_a_visitor_cannot_create_a_code(parent: User) -> None:
    response = Client().post(CODE_URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not ParentLink.objects.exists()


def test_a_teen_cannot_create_a_parent_code(teen: User) -> None:
    response = _login(teen).post(CODE_URL)
    assert response.status_code == 400
    assert (
        "Only adults can create a parent link code. Ask your parent to create one, then enter "
        "it on your teen settings page." in _page(response)
    )
    assert not ParentLink.objects.exists()


# --- Accepting a code ---------------------------------------------------------------------------


def test_the_teen_accepts_the_code_from_their_settings_page(parent: User, teen: User) -> None:
    code = parent_link_code_create(parent=parent)
    typed = f" {code.code[:4].lower()}-{code.code[4:]} "  # as people type it
    response = _login(teen).post(LINK_URL, {"code": typed}, follow=True)
    assert response.redirect_chain[-1][0] == TEEN_PAGE
    page = _page(response)
    assert "You're linked to @pat." in page and "@pat</a> since" in page
    code.refresh_from_db()
    assert (code.teen, code.accepted_at is not None) == (teen, True)
    told = Notification.objects.get(recipient=parent, kind="parent_link")
    assert told.text == "@tess accepted your link. You can now manage their teen settings."
    family = _page(_login(parent).get(FAMILY))
    assert 'data-testid="teen-tess"' in family and "<h2>@tess</h2>" in family


def test_accepting_a_code_refuses_get(teen: User) -> None:
    assert _login(teen).get(LINK_URL).status_code == 405


def test_a_visitor_cannot_accept_a_code(parent: User) -> None:
    code = parent_link_code_create(parent=parent)
    response = Client().post(LINK_URL, {"code": code.code})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    code.refresh_from_db()
    assert code.teen is None


def _refused_code(user: User, code: str, sentence: str) -> None:
    before = list(ParentLink.objects.values_list("pk", "teen_id", "accepted_at"))
    response = _login(user).post(LINK_URL, {"code": code})
    assert response.status_code == 400
    assert sentence in _page(response)
    assert list(ParentLink.objects.values_list("pk", "teen_id", "accepted_at")) == before


def test_a_wrong_code_is_refused_and_nothing_is_linked(parent: User, teen: User) -> None:
    parent_link_code_create(parent=parent)
    _refused_code(
        teen, "ZZZZ-ZZZZ",
        "That code doesn't match any link. Check it with your parent and type it again.",
    )  # fmt: skip
    _refused_code(teen, "", "Type the 8-character code your parent gave you.")
    _refused_code(teen, "x" * 21, "A link code has 8 characters; check it with your parent.")


def test_an_expired_code_is_refused(parent: User, teen: User) -> None:
    made = timezone.now() - CODE_LIFETIME - dt.timedelta(minutes=1)
    code = parent_link_code_create(parent=parent, now=made)
    _refused_code(
        teen, code.code,
        "That code has expired. Ask your parent to make a new one on their family page.",
    )  # fmt: skip


def test_an_adult_cannot_accept_a_code(parent: User, alice: User) -> None:
    code = parent_link_code_create(parent=parent)
    _refused_code(
        alice, code.code,
        "Only teen accounts can accept a parent link code. Adults create codes on the family "
        "page.",
    )  # fmt: skip


def test_a_used_code_does_not_work_again_and_a_teen_has_one_parent(
    parent: User, teen: User
) -> None:
    code = parent_link_code_create(parent=parent)
    parent_link_accept(teen=teen, code=code.code)
    other_teen = make_user("tom", age=16)
    _refused_code(
        other_teen, code.code,
        "That code doesn't match any link. Check it with your parent and type it again.",
    )  # fmt: skip
    second = parent_link_code_create(parent=make_user("pam", age=50))
    _refused_code(
        teen, second.code,
        "You're already linked to @pat. Ask to unlink first if you want to link to someone "
        "else.",
    )  # fmt: skip


# --- The parent changes settings; the teen sees each change -------------------------------------


def test_a_parents_change_appears_on_the_teens_page_with_a_notification(
    parent: User, teen: User
) -> None:
    link = _linked(parent, teen)
    response = _login(parent).post(
        reverse("accounts:family_settings", args=[link.pk]),
        _settings_form(daily_limit_minutes="30", quiet_start="21:00"),
    )
    assert response.status_code == 302 and response.url == f"{FAMILY}#teen-{link.pk}"
    assert _limit(teen) == 30
    changes = list(
        ParentChange.objects.order_by("id").values_list("field", "old_value", "new_value")
    )
    assert changes == [
        ("daily_limit_minutes", "60 minutes", "30 minutes"),
        ("quiet_start", "22:00", "21:00"),
    ]
    told = Notification.objects.get(recipient=teen, kind="parent_change")
    assert told.text == (
        "@pat changed your settings: Daily limit 60 minutes → 30 minutes; Quiet hours start "
        "22:00 → 21:00."
    )
    assert told.url == reverse("accounts:teen_changes")
    teen_client = _login(teen)
    for url in (TEEN_PAGE, reverse("accounts:teen_changes")):
        page = _page(teen_client.get(url))
        assert "<strong>Daily limit</strong>: 60 minutes → 30 minutes" in page
        assert "<strong>Quiet hours start</strong>: 22:00 → 21:00" in page
        assert "by @pat" in page


def test_the_parent_can_loosen_what_the_teen_cannot(parent: User, teen: User) -> None:
    link = _linked(parent, teen)
    teen_settings_update_by_parent(
        parent=parent, link_id=link.pk, personalised=True, dms_enabled=True,
        daily_limit_minutes=120, quiet_start=dt.time(23, 0), quiet_end=dt.time(6, 30),
        cameo_cap="mutuals",
    )  # fmt: skip
    row = TeenSettings.objects.get(user=teen)
    assert (row.personalised, row.dms_enabled, row.daily_limit_minutes) == (True, True, 120)
    assert (row.quiet_start, row.quiet_end, row.cameo_cap) == (
        dt.time(23, 0), dt.time(6, 30), "mutuals",
    )  # fmt: skip
    assert ParentChange.objects.filter(teen=teen).count() == 6


def test_saving_unchanged_settings_logs_nothing(parent: User, teen: User) -> None:
    link = _linked(parent, teen)
    response = _login(parent).post(
        reverse("accounts:family_settings", args=[link.pk]), _settings_form(), follow=True
    )
    assert "Nothing changed." in _page(response)
    assert not ParentChange.objects.exists()
    assert not Notification.objects.filter(kind="parent_change").exists()


def test_the_family_settings_form_refuses_get(parent: User, teen: User) -> None:
    link = _linked(parent, teen)
    url = reverse("accounts:family_settings", args=[link.pk])
    assert _login(parent).get(url).status_code == 405
    assert not ParentChange.objects.exists()


def test_a_stranger_cannot_change_someone_elses_teen(parent: User, teen: User, alice: User) -> None:
    link = _linked(parent, teen)
    url = reverse("accounts:family_settings", args=[link.pk])
    for form in (
        _settings_form(daily_limit_minutes="500"),
        _settings_form(daily_limit_minutes="x"),
    ):
        assert _login(alice).post(url, form).status_code == 404
        assert _login(teen).post(url, form).status_code == 404
    response = Client().post(url, _settings_form(daily_limit_minutes="500"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert _limit(teen) == 60 and not ParentChange.objects.exists()


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (
            {"daily_limit_minutes": "-5"},
            "-5 minutes isn't a daily limit we can keep. Choose between 1 and 720 minutes "
            "(12 hours).",
        ),
        (
            {"daily_limit_minutes": "10000"},
            "10,000 minutes isn't a daily limit we can keep. Choose between 1 and 720 minutes "
            "(12 hours).",
        ),
        ({"quiet_start": "99:00"}, "Write quiet hours as a time on the 24-hour clock"),
        (
            {"quiet_start": "07:00"},
            "Quiet hours need different start and end times, such as 22:00 to 07:00.",
        ),
    ],
)
def test_bad_values_from_a_parent_get_a_sentence_and_nothing_is_written(
    parent: User, teen: User, change: dict[str, str], sentence: str
) -> None:
    link = _linked(parent, teen)
    response = _login(parent).post(
        reverse("accounts:family_settings", args=[link.pk]), _settings_form(**change)
    )
    assert response.status_code == 400
    assert sentence in _page(response)
    assert _limit(teen) == 60 and not ParentChange.objects.exists()
    assert not Notification.objects.filter(kind="parent_change").exists()


def test_lowering_the_cameo_cap_narrows_the_teens_cameo_at_once(parent: User, teen: User) -> None:
    from cameo.models import Cameo, ConsentEvent
    from cameo.services.consent import cameo_mark_verified, cameo_settings_update

    link = _linked(parent, teen)
    teen_settings_update_by_parent(parent=parent, link_id=link.pk, cameo_cap="everyone")
    cameo_mark_verified(owner=teen, display_name="Tess", embedding=[0.0] * 128)
    cameo_settings_update(owner=teen, permission="everyone")
    teen_settings_update_by_parent(parent=parent, link_id=link.pk, cameo_cap="approved")
    assert Cameo.objects.get(owner=teen).permission == "approved"
    event = ConsentEvent.objects.filter(action="settings_changed").first()
    assert event.detail["after"] == {"permission": "approved"}


# --- Unlinking ----------------------------------------------------------------------------------


def test_a_teens_request_to_unlink_waits_for_the_parent(parent: User, teen: User) -> None:
    link = _linked(parent, teen)
    response = _login(teen).post(reverse("accounts:teen_unlink"), follow=True)
    assert "You asked @pat to unlink. You'll be told their answer." in _page(response)
    assert "Waiting for @pat to answer." in _page(response)
    link.refresh_from_db()
    assert link.unlink_requested_at is not None and link.ended_at is None
    assert Notification.objects.get(recipient=parent, kind="unlink_request").text == (
        "@tess asked to unlink from you. Approve or decline on your family page."
    )
    again = _login(teen).post(reverse("accounts:teen_unlink"))
    assert again.status_code == 400
    assert "You've already asked @pat to unlink; they haven't answered yet." in _page(again)


def test_unlinking_refuses_get_and_a_teen_without_a_parent_is_told(teen: User) -> None:
    assert _login(teen).get(reverse("accounts:teen_unlink")).status_code == 405
    response = _login(teen).post(reverse("accounts:teen_unlink"))
    assert response.status_code == 400
    assert "You aren't linked to a parent, so there is nothing to unlink." in _page(response)
    anonymous = Client().post(reverse("accounts:teen_unlink"))
    assert anonymous.status_code == 302 and anonymous.url.startswith("/accounts/login/")


def test_the_parent_approves_the_unlink_and_the_teen_keeps_their_settings(
    parent: User, teen: User
) -> None:
    link = _linked(parent, teen)
    teen_settings_update_by_parent(parent=parent, link_id=link.pk, daily_limit_minutes=40)
    parent_link_unlink_request(teen=teen)
    url = reverse("accounts:family_unlink_decide", args=[link.pk, "approve"])
    response = _login(parent).post(url, follow=True)
    assert "You are no longer linked to @tess. They were told." in _page(response)
    link.refresh_from_db()
    assert link.end_reason == "unlink_approved" and _limit(teen) == 40
    assert "No parent is linked to your account." in _page(_login(teen).get(TEEN_PAGE))
    assert Notification.objects.filter(recipient=teen, kind="unlink_decided").exists()


def test_the_parent_declines_the_unlink(parent: User, teen: User) -> None:
    link = _linked(parent, teen)
    parent_link_unlink_request(teen=teen)
    url = reverse("accounts:family_unlink_decide", args=[link.pk, "decline"])
    _login(parent).post(url)
    link.refresh_from_db()
    assert (link.ended_at, link.unlink_requested_at) == (None, None)
    assert Notification.objects.get(recipient=teen, kind="unlink_decided").text == (
        "@pat declined your request to unlink, so you're still linked."
    )


def test_deciding_an_unlink_refuses_get_and_strangers(
    parent: User, teen: User, alice: User
) -> None:
    link = _linked(parent, teen)
    parent_link_unlink_request(teen=teen)
    url = reverse("accounts:family_unlink_decide", args=[link.pk, "approve"])
    assert _login(parent).get(url).status_code == 405
    assert _login(alice).post(url).status_code == 404
    assert _login(teen).post(url).status_code == 404
    link.refresh_from_db()
    assert link.ended_at is None


def test_approving_an_unlink_nobody_asked_for_is_refused(parent: User, teen: User) -> None:
    link = _linked(parent, teen)
    url = reverse("accounts:family_unlink_decide", args=[link.pk, "approve"])
    response = _login(parent).post(url)
    assert response.status_code == 400 and "@tess hasn't asked to unlink." in _page(response)
    link.refresh_from_db()
    assert link.ended_at is None


def test_the_parent_can_unlink_on_their_own(parent: User, teen: User, alice: User) -> None:
    link = _linked(parent, teen)
    url = reverse("accounts:family_unlink", args=[link.pk])
    assert _login(parent).get(url).status_code == 405
    assert _login(alice).post(url).status_code == 404
    response = _login(parent).post(url, follow=True)
    assert "You unlinked from @tess. They were told." in _page(response)
    link.refresh_from_db()
    assert link.end_reason == "parent_unlinked"
    assert "No teen is linked to you yet." in _page(response)


# --- More time: htmx request and approval -------------------------------------------------------


def test_the_teen_asks_for_more_time_and_the_box_polls_until_the_parent_answers(
    parent: User, teen: User
) -> None:
    _linked(parent, teen)
    teen_client = _login(teen)
    asked = teen_client.post(MORE_TIME, {"minutes": "30"}, **HTMX)
    assert asked.status_code == 200
    box = _page(asked).strip()
    assert box.startswith('<div id="more-time"') and "<html" not in box
    assert 'hx-trigger="every 5s"' in box
    assert "You asked @pat for 30 more minutes. Waiting for their answer…" in box
    ask = LimitExtensionRequest.objects.get()
    assert (ask.teen, ask.minutes, ask.state) == (teen, 30, "pending")
    assert Notification.objects.get(recipient=parent, kind="extension_request").text == (
        "@tess asked for 30 more minutes today."
    )

    family = _page(_login(parent).get(FAMILY))
    assert "@tess asked for 30 more minutes" in family
    approve = reverse("accounts:family_time_decide", args=[ask.pk, "approve"])
    row = _page(_login(parent).post(approve, **HTMX))
    assert row.strip().startswith(f'<li id="time-request-{ask.pk}"')
    assert "You gave @tess 30 more minutes today." in row

    polled = _page(teen_client.get(MORE_TIME, **HTMX))
    assert "@pat gave you 30 more minutes today." in polled
    assert "every 5s" not in polled  # polling stops once answered
    assert 'data-testid="extra-minutes">30 extra</strong>' in polled


def test_the_parent_declines_more_time(parent: User, teen: User) -> None:
    _linked(parent, teen)
    ask = teen_extension_request(teen=teen, minutes=15)
    decline = reverse("accounts:family_time_decide", args=[ask.pk, "decline"])
    response = _login(parent).post(decline)
    assert response.status_code == 302
    ask.refresh_from_db()
    assert ask.state == "declined"
    assert Notification.objects.get(recipient=teen, kind="extension_decided").text == (
        "@pat said no to more time today."
    )
    box = _page(_login(teen).get(MORE_TIME, **HTMX))
    assert "Your request for 15 more minutes today was declined." in box


def test_asking_for_more_time_refuses_other_methods_and_visitors(teen: User, parent: User) -> None:
    _linked(parent, teen)
    assert _login(teen).put(MORE_TIME, {"minutes": "30"}).status_code == 405
    response = Client().post(MORE_TIME, {"minutes": "30"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not LimitExtensionRequest.objects.exists()


def test_deciding_more_time_refuses_get_and_strangers(
    parent: User, teen: User, alice: User
) -> None:
    _linked(parent, teen)
    ask = teen_extension_request(teen=teen, minutes=15)
    url = reverse("accounts:family_time_decide", args=[ask.pk, "approve"])
    assert _login(parent).get(url).status_code == 405
    assert _login(alice).post(url).status_code == 404
    assert _login(teen).post(url).status_code == 404
    ask.refresh_from_db()
    assert ask.state == "pending"


@pytest.mark.parametrize(
    ("minutes", "sentence"),
    [("45", "Ask for 15, 30 or 60 more minutes."), ("", "Ask for 15, 30 or 60 more minutes.")],
)
def test_an_odd_amount_of_time_is_refused_in_the_box(
    parent: User, teen: User, minutes: str, sentence: str
) -> None:
    _linked(parent, teen)
    response = _login(teen).post(MORE_TIME, {"minutes": minutes}, **HTMX)
    assert response.status_code == 400 and response["HX-Retarget"] == "#more-time"
    assert sentence in _page(response)
    assert not LimitExtensionRequest.objects.exists()


def test_a_teen_without_a_parent_or_with_a_pending_request_is_told(
    parent: User, teen: User
) -> None:
    alone = _login(teen).post(MORE_TIME, {"minutes": "15"}, **HTMX)
    assert "Link a parent first: only a linked parent can give you more time." in _page(alone)
    _linked(parent, teen)
    teen_extension_request(teen=teen, minutes=15)
    again = _login(teen).post(MORE_TIME, {"minutes": "30"})
    assert again.status_code == 400
    assert "You've already asked @pat for more time today; wait for their answer." in _page(again)
    assert LimitExtensionRequest.objects.count() == 1


def test_a_request_from_an_earlier_day_has_lapsed(parent: User, teen: User) -> None:
    _linked(parent, teen)
    yesterday = timezone.now() - dt.timedelta(days=1)
    ask = teen_extension_request(teen=teen, minutes=15, now=yesterday)
    url = reverse("accounts:family_time_decide", args=[ask.pk, "approve"])
    response = _login(parent).post(url)
    assert response.status_code == 400
    assert "This request was for an earlier day, so it has lapsed." in _page(response)
    ask.refresh_from_db()
    assert ask.state == "pending"


# --- The dashboard ------------------------------------------------------------------------------


def test_the_dashboard_shows_minutes_per_day_and_posts_but_no_content(
    parent: User, teen: User, rendered: Any
) -> None:
    from feed.services.budget import watch_heartbeat
    from feed.services.posts import post_publish

    _linked(parent, teen)
    # Noon two days ago in the teen's day, so the 20 minutes never straddle a midnight.
    two_days_ago = timezone.localdate() - dt.timedelta(days=2)
    start = timezone.make_aware(dt.datetime.combine(two_days_ago, dt.time(12, 0)))
    for beat in range(20):  # 20 minutes, two days ago
        watch_heartbeat(user=teen, seconds=60, now=start + dt.timedelta(seconds=60 * beat))
    job = rendered(teen, "a paper boat on a pond")
    post_publish(user=teen, job_id=job.pk, caption="my boat")
    usage = usage_summary(teen=teen)
    assert len(usage.days) == 14 and usage.days[-1].day == timezone.localdate()
    assert [d.minutes for d in usage.days][-3] == 20 and usage.total_minutes == 20
    assert (usage.posts_total, usage.posts_recent) == (1, 1)
    page = _page(_login(parent).get(FAMILY))
    assert "20 minutes watched · 1 post in these 14 days (1 in all)." in page
    assert "paper boat" not in page and "my boat" not in page
    assert job.video.url not in page and job.poster.url not in page


def test_the_family_page_has_a_real_empty_state(parent: User) -> None:
    page = _page(_login(parent).get(FAMILY))
    assert "No teen is linked to you yet." in page
    assert "Create a link code" in page
