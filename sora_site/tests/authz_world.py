"""The people and objects the authorisation matrix probes, built through the services.

alice is the adult who owns things; tess is the teen who owns things. Every private thing they
hold carries a distinctive marker from ``PRIVATE``, so a page that shows one to anybody else is
caught. The probing personas are other accounts: a stranger, someone alice blocked, another
teen, a suspended account, a banned account and a staff member outside the moderators group.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import LimitExtensionRequest, Notification, ParentLink, User
from accounts.services.blocks import block_create
from accounts.services.teens import (
    parent_link_accept,
    parent_link_code_create,
    teen_extension_request,
)
from accounts.services.users import follow_create, notify
from cameo.models import CameoUse, CameoVerification
from cameo.services.consent import (
    cameo_grant_decide,
    cameo_grant_request,
    cameo_mark_verified,
    cameo_settings_update,
)
from conftest import make_user, moderators_group
from feed.models import DirectMessage, Post, WatchDay, WellbeingChange
from feed.services.social import comment_create, dm_send
from feed.services.wellbeing import check_in_answer
from feed.tests.social_helpers import FinishedJobFactory, published
from generation.models import GenerationJob
from generation.services import generation_request
from safety.models import Report, Strike
from safety.services.console import moderation_strike
from safety.services.reports import report_create_profile, report_message_create

EMBEDDING = [0.015 * i for i in range(128)]

# Strings only their owner may ever see. Each is unusual enough not to appear by chance.
PRIVATE = {
    "draft": "quokka juggling seven zq-draft-lanterns",
    "teen_draft": "axolotl painting zq-teen-draft-murals",
    "dm": "zq-dm-body the spare key is under the blue pot",
    "report_note": "zq-report-note he keeps sending me threats",
    "report_message": "zq-report-message more screenshots attached",
    "strike_reason": "zq-strike-reason repeated spam in comments",
    "check_in_note": "zq-check-in-note I have been sleeping badly",
    "notification": "zq-notification-text something only alice should read",
    "teen_notification": "zq-teen-notification-text something only tess should read",
    "cameo_attempt": "zq-attempt-reason the clip was too dark",
}


@dataclass
class World:
    alice: User
    tess: User
    bob: User
    pat: User
    moderator: User
    personas: dict[str, User]
    post: Post
    teen_post: Post
    draft: GenerationJob
    teen_draft: GenerationJob
    comment: Any
    teen_comment: Any
    message: DirectMessage
    notification: Notification
    teen_notification: Notification
    report: Report
    strike: Strike
    change: WellbeingChange
    grant: Any
    use: CameoUse
    attempt: CameoVerification
    link: ParentLink
    time_request: LimitExtensionRequest
    # Every row once the world is built, to compare each probe against.
    baseline: dict[str, list[tuple]] = field(default_factory=dict)


def _draft(user: User, prompt: str) -> GenerationJob:
    """A finished draft whose file is on disk, named the way the renderer names it."""
    job = FinishedJobFactory(creator=user, prompt=prompt)
    name = default_storage.save(f"videos/{job.public_id}-draft.mp4", ContentFile(b"ftypmp42"))
    GenerationJob.objects.filter(pk=job.pk).update(video=name)
    job.refresh_from_db()
    return job


def _strike(moderator: User, person: User) -> Strike:
    moderation_strike(moderator=moderator, user_id=person.pk, reason=PRIVATE["strike_reason"])
    return Strike.objects.get(user=person)


def wellbeing_change_for(alice: User) -> WellbeingChange:
    """A week of watching (as the heartbeat records it) makes the weekly check-in due."""
    today = timezone.localdate()
    WatchDay.objects.bulk_create(
        WatchDay(user=alice, day=today - dt.timedelta(days=n), seconds=600) for n in range(8)
    )
    check_in = check_in_answer(
        user=alice, kind="weekly", answer="worse", note=PRIVATE["check_in_note"]
    )
    return check_in.change


def _cameo_use(alice: User, bob: User) -> tuple[Any, CameoUse]:
    cameo = cameo_mark_verified(owner=alice, display_name="Alice", embedding=EMBEDDING)
    cameo = cameo_settings_update(owner=alice, permission="approved")
    grant = cameo_grant_decide(
        owner=alice,
        grant_id=cameo_grant_request(requester=bob, cameo_id=cameo.pk).pk,
        approve=True,
    )
    job = generation_request(
        user=bob, prompt="a picnic in the park", duration_s=4, aspect="9:16", seed=1,
        cameo_ids=[cameo.pk],
    )  # fmt: skip
    return grant, CameoUse.objects.get(job=job)


def family_link_for(pat: User, tess: User) -> tuple[ParentLink, LimitExtensionRequest]:
    code = parent_link_code_create(parent=pat)
    link = parent_link_accept(teen=tess, code=code.code)
    link.refresh_from_db()
    return link, teen_extension_request(teen=tess, minutes=15)


def _personas() -> dict[str, User]:
    people = {
        "stranger": make_user("charlie"),
        "blocked": make_user("bea"),
        "teen": make_user("tina", age=15),
        "suspended": make_user("sam"),
        "banned": make_user("ben"),
        "staff": make_user("stan"),
    }
    User.objects.filter(pk=people["suspended"].pk).update(
        suspended_until=timezone.now() + dt.timedelta(days=3)
    )
    User.objects.filter(pk=people["banned"].pk).update(is_active=False)
    User.objects.filter(pk=people["staff"].pk).update(is_staff=True)
    for user in people.values():
        user.refresh_from_db()
    return people


def build_world() -> World:
    alice, tess, bob, pat = (
        make_user("alice"),
        make_user("tess", 15),
        make_user("bob"),
        make_user("pat", 45),
    )
    moderator = make_user("mona")
    moderator.groups.add(moderators_group())
    User.objects.filter(pk=moderator.pk).update(is_staff=True)
    personas = _personas()
    block_create(blocker=alice, blocked=personas["blocked"])
    follow_create(follower=bob, followee=alice)
    follow_create(follower=alice, followee=bob)
    post = published(alice, prompt="a lighthouse in a storm", caption="my lighthouse")
    teen_post = published(tess, prompt="a skateboard trick at dusk", caption="my trick")
    report = report_create_profile(
        reporter=alice, username="bob", reason="harassment", note=PRIVATE["report_note"]
    )
    report_message_create(author=alice, report_id=report.pk, text=PRIVATE["report_message"])
    grant, use = _cameo_use(alice, bob)
    link, time_request = family_link_for(pat, tess)
    return World(
        alice=alice, tess=tess, bob=bob, pat=pat, moderator=moderator, personas=personas,
        post=post, teen_post=teen_post,
        draft=_draft(alice, PRIVATE["draft"]), teen_draft=_draft(tess, PRIVATE["teen_draft"]),
        comment=comment_create(author=alice, post_id=post.pk, text="nice light"),
        teen_comment=comment_create(author=tess, post_id=teen_post.pk, text="landed it"),
        message=dm_send(sender=alice, recipient_username="bob", text=PRIVATE["dm"]),
        notification=notify(recipient=alice, kind="system", text=PRIVATE["notification"]),
        teen_notification=notify(
            recipient=tess, kind="system", text=PRIVATE["teen_notification"]
        ),
        report=report, strike=_strike(moderator, alice), change=wellbeing_change_for(alice),
        grant=grant, use=use,
        attempt=CameoVerification.objects.create(
            owner=alice, display_name="Alice", state="failed", reason=PRIVATE["cameo_attempt"]
        ),
        link=link, time_request=time_request,
    )  # fmt: skip
