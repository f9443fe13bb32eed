"""What each persona gets from each URL: the data behind ``test_authz_matrix``.

Each entry names a URL, how to fill its arguments with alice's object (and, where the URL takes
one, with tess's, the teen's), the methods it answers and an outcome for every persona:

- ``LOGIN``: a redirect to the login page, and nothing written.
- a status code (403, 404, 405): refused with that status, and nothing written.
- ``READ``: 200, and nothing of anybody else's written.
- ``OK``: allowed (below 400, not the login page); the person may change their own things, or
  add their own comment, like, request or report to alice's.
- ``MINE``: an action on the person's own things that their state may refuse (a form error, no
  cameo yet, not a teen): any answer below 500 but the login page, and nothing of anybody
  else's written.

An outcome may also be a dict by method, for a URL that shows a page on GET and refuses the POST.

Personas: ``anonymous``; ``stranger`` (charlie); ``blocked`` (alice blocked them); ``teen``
(another teen, against alice's object); ``adult`` (charlie against tess's object); ``suspended``;
``banned``; ``staff`` (is_staff, outside the moderators group). A ``GET`` on a URL that takes
only ``POST`` is probed too and expects 405 where the persona gets past the login.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sora_site.tests.authz_world import World

LOGIN = "login"
READ = "read"
OK = "ok"
MINE = "mine"
PERSONAS = ("anonymous", "stranger", "blocked", "teen", "adult", "suspended", "banned", "staff")
SIGNED_OUT = {"anonymous": LOGIN, "suspended": LOGIN, "banned": LOGIN}

Kwargs = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Entry:
    kwargs: Kwargs | None = None
    teen_kwargs: Kwargs | None = None
    methods: tuple[str, ...] = ("GET",)
    expect: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    # Whose object ``kwargs`` names: they GET it first, to show the arguments are real.
    owner: str = "alice"
    owner_status: int | None = 200

    def outcome(self, persona: str, method: str) -> Any:
        outcome = self.expect[persona]
        return outcome[method] if isinstance(outcome, dict) else outcome


def private(
    kwargs: Kwargs,
    teen_kwargs: Kwargs | None = None,
    methods: tuple[str, ...] = ("POST",),
    data: dict[str, Any] | None = None,
    owner: str = "alice",
    **override: Any,
) -> Entry:
    """Somebody's own object: everybody else gets a 404, signed-out people the login page."""
    expect = {p: 404 for p in PERSONAS} | SIGNED_OUT | override
    return Entry(kwargs, teen_kwargs, methods, expect, data or {}, owner)


def own(
    methods: tuple[str, ...] = ("GET",), data: dict[str, Any] | None = None, **kw: Any
) -> Entry:
    """A page or action about the signed-in person's own things."""
    signed_in = READ if methods == ("GET",) else MINE
    expect = {p: signed_in for p in PERSONAS} | SIGNED_OUT | kw
    return Entry(None, None, methods, expect, data or {}, owner_status=None)


def public(
    methods: tuple[str, ...] = ("GET",), data: dict[str, Any] | None = None, **kw: Any
) -> Entry:
    """Open to everybody; a suspended account is sent to the login page by its middleware."""
    signed_in = READ if methods == ("GET",) else MINE
    expect = {p: signed_in for p in PERSONAS} | {"suspended": LOGIN} | kw
    return Entry(None, None, methods, expect, data or {}, owner_status=None)


def social(
    kwargs: Kwargs,
    teen_kwargs: Kwargs | None,
    methods: tuple[str, ...],
    data: dict[str, Any] | None = None,
    owner_status: int | None = 200,
    **kw: Any,
) -> Entry:
    """Something alice published: a stranger may act on it, the person she blocked may not."""
    signed_in = READ if methods == ("GET",) else OK
    expect = {p: signed_in for p in PERSONAS} | SIGNED_OUT | {"blocked": 404} | kw
    return Entry(kwargs, teen_kwargs, methods, expect, data or {}, owner_status=owner_status)


def _post(w: World) -> dict[str, Any]:
    return {"post_id": w.post.pk}


def _teen_post(w: World) -> dict[str, Any]:
    return {"post_id": w.teen_post.pk}


def _alice(w: World) -> dict[str, Any]:
    return {"username": "alice"}


def _tess(w: World) -> dict[str, Any]:
    return {"username": "tess"}


def _draft(w: World) -> dict[str, Any]:
    return {"job_id": w.draft.pk}


def _teen_draft(w: World) -> dict[str, Any]:
    return {"job_id": w.teen_draft.pk}


def _change(w: World) -> dict[str, Any]:
    return {"change_id": w.change.pk}


def _use(w: World) -> dict[str, Any]:
    return {"use_id": w.use.pk}


def _link(w: World) -> dict[str, Any]:
    return {"link_id": w.link.pk}


def _report(w: World) -> dict[str, Any]:
    return {"report_id": w.report.pk}


POST = ("POST",)
BOTH = ("GET", "POST")

MATRIX: dict[str, Entry] = {
    # accounts
    "accounts:signup": public(BOTH),
    "accounts:login": public(BOTH),
    "accounts:logout": public(POST),
    "accounts:notifications": own(BOTH),
    "accounts:notification_read": private(
        lambda w: {"notification_id": w.notification.pk},
        lambda w: {"notification_id": w.teen_notification.pk},
    ),
    "accounts:profile_edit": own(BOTH, {"bio": "hello"}),
    "accounts:settings": own(),
    "accounts:me": own(**{p: OK for p in ("stranger", "blocked", "teen", "staff")}),
    "accounts:teen": own(),
    "accounts:teen_changes": own(),
    "accounts:teen_link": own(POST, {"code": "ZZZZ-ZZZZ"}),
    "accounts:teen_settings": own(POST),
    "accounts:teen_unlink": own(POST),
    # Only someone who had a teen account has a choice to make; for anyone else it's a sentence.
    "accounts:videos_audience": own(POST, {"videos_seen_by": "following"}),
    "accounts:teen_more_time": own(BOTH, {"minutes": "15"}),
    "accounts:family": own(),
    "accounts:family_code": own(POST),
    "accounts:family_settings": private(_link, owner="pat"),
    "accounts:family_unlink": private(_link, owner="pat"),
    "accounts:family_unlink_decide": private(
        lambda w: {"link_id": w.link.pk, "decision": "approve"}, owner="pat"
    ),
    "accounts:family_time_decide": private(
        lambda w: {"request_id": w.time_request.pk, "decision": "approve"}, owner="pat"
    ),
    "accounts:data": own(),
    "accounts:data_export": own(),
    "accounts:account_delete": own(POST),
    "accounts:relation": social(
        lambda w: {"username": "alice", "action": "follow"},
        lambda w: {"username": "tess", "action": "follow"},
        POST,
        adult=404,  # a teen's profile is closed to adults they don't know
    ),
    "profile": social(_alice, _tess, ("GET",), anonymous=READ, banned=READ, adult=404),
    # generation
    "generation:create": own(BOTH),
    "generation:drafts": own(),
    "generation:job": private(_draft, _teen_draft, ("GET",)),
    "generation:job_status": private(_draft, _teen_draft, ("GET",)),
    # The draft here starts from no picture, so even its creator gets a 404; with one, only the
    # creator gets it (generation/tests/test_source_image.py).
    "generation:job_source_image": replace(
        private(_draft, _teen_draft, ("GET",)), owner_status=404
    ),
    "generation:job_publish_action": private(_draft, _teen_draft, ("GET",)),
    "generation:job_cancel": private(_draft, _teen_draft),
    "verify": public(BOTH),
    # The signed record answers "is this file genuine?" for anyone holding it, draft or not; it
    # names a draft's creator and shows its prompt only to the creator.
    "record": Entry(
        lambda w: {"public_id": w.draft.public_id},
        lambda w: {"public_id": w.teen_draft.public_id},
        ("GET",),
        {p: READ for p in PERSONAS} | {"suspended": LOGIN},
    ),
    # feed
    "feed:index": public(),
    # A teen's videos reach adults only if the teen follows them (accounts.selectors.visibility).
    "feed:post": social(_post, _teen_post, ("GET",), anonymous=READ, banned=READ, adult=404),
    "feed:like": social(_post, _teen_post, POST, adult=404),
    "feed:publish": private(_draft, _teen_draft),
    "feed:see_less": social(_post, _teen_post, POST, adult=404),
    "feed:controls": own(),
    "feed:mode": own(POST, {"mode": "latest"}),
    "feed:mood": own(POST, {"mood": "50"}),
    "feed:interests": own(POST, {"interests": "cats"}),
    "feed:instruction": own(POST, {"instruction": "more cats"}),
    "feed:phrases": own(POST),
    "feed:reset": own(POST),
    "feed:budget": own(POST, {"minutes": "30"}),
    "feed:goals": own(),
    "feed:goals_set": own(POST),
    "feed:budget_extend": own(POST),
    "feed:heartbeat": own(POST),
    "feed:seen": own(POST, anonymous=403, banned=403),
    "feed:wellbeing": own(),
    "feed:check_in_answer": own(POST),
    "feed:check_in_dismiss": own(POST),
    "feed:break_end": own(POST),
    "feed:wellbeing_undo": private(_change),
    "feed:wellbeing_break": private(_change),
    "feed:wellbeing_budget": private(_change),
    # An adult the teen doesn't follow can't see the teen's post, let alone comment on it.
    "feed:comment_create": social(_post, _teen_post, POST, {"text": "lovely"}, adult=404),
    # The post and its comment setting are public; only its author may change the setting.
    "feed:comment_policy": private(
        _post,
        _teen_post,
        data={"policy": "everyone"},
        **{p: 403 for p in ("stranger", "teen", "staff")},
    ),
    "feed:post_send": social(
        _post, _teen_post, POST, {"to": "bob", "note": "look"}, teen=403, adult=404
    ),
    # The comment is public; only removing it is refused.
    "feed:comment_remove": private(
        lambda w: {"comment_id": w.comment.pk},
        lambda w: {"comment_id": w.teen_comment.pk},
        **{p: 403 for p in ("stranger", "teen", "staff")},
    ),
    "feed:comment_report": social(
        lambda w: {"comment_id": w.comment.pk},
        lambda w: {"comment_id": w.teen_comment.pk},
        POST,
        {"reason": "harassment"},
        adult=404,
    ),
    "feed:inbox": own(),
    # Remixing opens Create with the prompt filled in (or goes back to a post it can't remix).
    "feed:remix": social(
        _post,
        _teen_post,
        ("GET",),
        owner_status=302,
        **{p: OK for p in ("stranger", "teen", "staff")},
        adult=404,
    ),
    "feed:messages": own(),
    "feed:message_report": private(
        lambda w: {"message_id": w.message.pk}, data={"reason": "harassment"}
    ),
    # Teens message only teens; a teen is hidden from adults they don't know.
    "feed:thread": social(
        _alice, _tess, BOTH, {"text": "hi there"}, teen={"GET": READ, "POST": 403}, adult=404
    ),
    "feed:search": public(data={"q": "lighthouse"}),
    # cameo
    "cameo:home": own(),
    "cameo:record": own(POST),
    "cameo:new_steps": own(POST),
    "cameo:attempt_status": private(lambda w: {"attempt_id": w.attempt.pk}, methods=("GET",)),
    "cameo:settings": own(POST),
    "cameo:delete": own(POST),
    "cameo:grant_decide": private(
        lambda w: {"grant_id": w.grant.pk}, data={"decision": "decline", "days": ""}
    ),
    "cameo:grant_revoke": private(lambda w: {"grant_id": w.grant.pk}),
    "cameo:ask": social(_alice, _tess, POST, adult=404),
    "cameo:videos": own(),
    "cameo:use": private(_use, methods=("GET",)),
    "cameo:use_decide": private(_use),
    "cameo:use_take_down": private(_use),
    # safety
    "safety:report_video": private(_draft, _teen_draft, data={"reason": "hate"}),
    "safety:report_profile": social(_alice, _tess, POST, {"reason": "hate"}),
    "safety:reports": own(),
    "safety:report_detail": private(_report, methods=("GET",)),
    "safety:report_reply": private(_report, data={"text": "anything new?"}),
    "safety:standing": own(),
    "safety:appeal": private(lambda w: {"strike_id": w.strike.pk}, data={"text": "not me"}),
    # files and the rest
    "media": private(
        lambda w: {"path": w.draft.video.name},
        lambda w: {"path": w.teen_draft.video.name},
        ("GET",),
        anonymous=404,
        banned=404,
    ),
    "favicon.ico": public(**{p: OK for p in PERSONAS if p != "suspended"}),
}

# Every admin URL is for moderators only. The wellbeing report under /admin/ holds totals only
# and is open to every staff member by design (``feed.admin_wellbeing``).
ADMIN = "admin: moderators only"
ADMIN_PATHS = ("/admin/", "/admin/safety/report/", "/admin/accounts/user/", "/admin/wellbeing/")
