"""The consent promise, cell by cell: who may put whose cameo into a new video."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from accounts.services.blocks import block_create
from accounts.services.users import follow_create
from cameo.models import Cameo, CameoGrant, ConsentEvent
from cameo.selectors import cameo_use_refusal
from cameo.services.consent import (
    cameo_grant_decide,
    cameo_grant_request,
    cameo_grant_revoke,
    cameo_mark_verified,
    cameo_settings_update,
)
from conftest import make_user

EMBEDDING = [0.01 * i for i in range(128)]
LEVELS = ["only_me", "approved", "mutuals", "everyone"]
RELATIONS = [
    "self", "approved", "mutual", "follower", "stranger", "blocked", "expired", "revoked",
]  # fmt: skip
# Which relations may use the cameo at each level. Everything else must be refused.
ALLOWED = {
    "only_me": {"self"},
    "approved": {"self", "approved"},
    "mutuals": {"self", "approved", "mutual"},
    "everyone": {"self", "approved", "mutual", "follower", "stranger", "expired", "revoked"},
}


def _cameo_of(owner: User, permission: str = "approved") -> Cameo:
    cameo_mark_verified(owner=owner, display_name=owner.username, embedding=EMBEDDING)
    return cameo_settings_update(owner=owner, permission=permission)


def _granted(owner: User, person: User, cameo: Cameo) -> CameoGrant:
    grant = cameo_grant_request(requester=person, cameo_id=cameo.pk)
    return cameo_grant_decide(owner=owner, grant_id=grant.pk, approve=True)


def _person_in_relation(relation: str, owner: User, cameo: Cameo) -> User:
    """Build the relation through the same services people use."""
    if relation == "self":
        return owner
    person = make_user(f"p_{relation}")
    if relation == "approved":
        _granted(owner, person, cameo)
    elif relation == "mutual":
        follow_create(follower=person, followee=owner)
        follow_create(follower=owner, followee=person)
    elif relation == "follower":
        follow_create(follower=person, followee=owner)
    elif relation == "blocked":
        _granted(owner, person, cameo)
        block_create(blocker=owner, blocked=person)
    elif relation == "expired":
        grant = _granted(owner, person, cameo)
        CameoGrant.objects.filter(pk=grant.pk).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    elif relation == "revoked":
        cameo_grant_revoke(owner=owner, grant_id=_granted(owner, person, cameo).pk)
    return person


@pytest.mark.django_db
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("relation", RELATIONS)
def test_consent_matrix_for_using_a_cameo_in_a_new_video(level: str, relation: str) -> None:
    owner = make_user("owner")
    cameo = _cameo_of(owner, "approved")  # grants can only be asked for above "only me"
    person = _person_in_relation(relation, owner, cameo)
    cameo = cameo_settings_update(owner=owner, permission=level)
    refusal = cameo_use_refusal(cameo=cameo, user=person)
    if relation in ALLOWED[level]:
        assert refusal is None
    else:
        assert refusal is not None and "@owner" in refusal


def test_an_unverified_cameo_can_only_be_used_by_its_owner(alice: User, bob: User) -> None:
    cameo = _cameo_of(alice, "everyone")
    Cameo.objects.filter(pk=cameo.pk).update(state=Cameo.State.VERIFYING)
    cameo.refresh_from_db()
    assert cameo_use_refusal(cameo=cameo, user=alice) is None
    assert cameo_use_refusal(cameo=cameo, user=bob) == (
        "@alice's cameo isn't verified, so it can't be used."
    )


def test_an_expired_grant_says_so(alice: User, bob: User) -> None:
    cameo = _cameo_of(alice)
    grant = cameo_grant_request(requester=bob, cameo_id=cameo.pk)
    cameo_grant_decide(owner=alice, grant_id=grant.pk, approve=True, expires_in_days=3)
    assert cameo_use_refusal(cameo=cameo, user=bob) is None
    CameoGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
    assert cameo_use_refusal(cameo=cameo, user=bob) == (
        "Your permission to use @alice's cameo has expired. Ask again."
    )
    # An expired permission may be asked for again.
    assert cameo_grant_request(requester=bob, cameo_id=cameo.pk).state == "requested"


def test_every_consent_decision_writes_an_audit_row(alice: User, bob: User) -> None:
    cameo = _cameo_of(alice)
    grant = _granted(alice, bob, cameo)
    cameo_grant_revoke(owner=alice, grant_id=grant.pk)
    actions = list(ConsentEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "verified", "settings_changed", "grant_requested", "grant_approved", "grant_revoked",
    ]  # fmt: skip
    revoked = ConsentEvent.objects.get(action="grant_revoked")
    assert (revoked.actor, revoked.subject, revoked.cameo_owner) == (alice, bob, alice)


def _refused(message: str, **kwargs: object) -> None:
    before = (CameoGrant.objects.count(), ConsentEvent.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        cameo_grant_request(**kwargs)
    assert excinfo.value.messages == [message]
    assert (CameoGrant.objects.count(), ConsentEvent.objects.count()) == before


def test_asking_for_your_own_cameo_is_refused(alice: User) -> None:
    cameo = _cameo_of(alice)
    _refused("This is your own cameo; you can already use it.", requester=alice, cameo_id=cameo.pk)


def test_asking_someone_who_blocked_you_is_refused(alice: User, bob: User) -> None:
    cameo = _cameo_of(alice)
    block_create(blocker=alice, blocked=bob)
    _refused("You can't ask to use @alice's cameo.", requester=bob, cameo_id=cameo.pk)


def test_asking_for_a_private_cameo_is_refused(alice: User, bob: User) -> None:
    cameo = _cameo_of(alice, "only_me")
    _refused("@alice isn't taking requests for their cameo.", requester=bob, cameo_id=cameo.pk)


def test_asking_for_a_deleted_cameo_is_refused(alice: User, bob: User) -> None:
    cameo = _cameo_of(alice)
    cameo_id = cameo.pk
    cameo.delete()
    _refused("That cameo no longer exists.", requester=bob, cameo_id=cameo_id)


def test_asking_twice_or_after_a_no_is_refused(alice: User, bob: User, charlie: User) -> None:
    cameo = _cameo_of(alice)
    cameo_grant_request(requester=bob, cameo_id=cameo.pk)
    _refused("You've already asked; @alice hasn't answered yet.", requester=bob, cameo_id=cameo.pk)
    grant = cameo_grant_request(requester=charlie, cameo_id=cameo.pk)
    grant = cameo_grant_decide(owner=alice, grant_id=grant.pk, approve=False)
    again = timezone.localtime(grant.decided_at + dt.timedelta(days=30))
    _refused(
        f"@alice said no to using their cameo. You can ask again from {again.day} {again:%B %Y}.",
        requester=charlie,
        cameo_id=cameo.pk,
    )


def test_only_the_owner_can_answer_or_revoke_a_request(alice: User, bob: User) -> None:
    from django.http import Http404

    grant = cameo_grant_request(requester=bob, cameo_id=_cameo_of(alice).pk)
    with pytest.raises(Http404):
        cameo_grant_decide(owner=bob, grant_id=grant.pk, approve=True)
    with pytest.raises(Http404):
        cameo_grant_revoke(owner=bob, grant_id=grant.pk)
    grant.refresh_from_db()
    assert grant.state == "requested"


def test_a_grant_length_outside_one_year_is_refused(alice: User, bob: User) -> None:
    grant = cameo_grant_request(requester=bob, cameo_id=_cameo_of(alice).pk)
    with pytest.raises(ValidationError, match="Choose between 1 and 365 days"):
        cameo_grant_decide(owner=alice, grant_id=grant.pk, approve=True, expires_in_days=400)
    grant.refresh_from_db()
    assert grant.state == "requested"


def test_the_consent_log_is_read_only_in_admin(client: object, alice: User, bob: User) -> None:
    _granted(alice, bob, _cameo_of(alice))
    admin_user = make_user("root")
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin_user)
    event = ConsentEvent.objects.first()
    assert client.get("/admin/cameo/consentevent/").status_code == 200
    delete_url = f"/admin/cameo/consentevent/{event.pk}/delete/"
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ConsentEvent.objects.filter(pk=event.pk).exists()


def test_moderators_can_read_the_consent_log_but_not_change_cameos(
    client: object, moderator: User, alice: User, bob: User
) -> None:
    cameo = _cameo_of(alice)
    _granted(alice, bob, cameo)
    client.force_login(moderator)
    assert client.get("/admin/cameo/consentevent/").status_code == 200
    assert client.get(f"/admin/cameo/cameo/{cameo.pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/cameo/cameo/{cameo.pk}/change/", {"permission": "everyone"})
    assert response.status_code == 403
    cameo.refresh_from_db()
    assert cameo.permission == "approved"
