"""The teen cells of the consent matrix: adults never use or ask for a teen's cameo; teens use
each other's by the owner's level, which can't go past the cap a parent sets."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import TeenSettings, User
from accounts.services.teens import parent_link_accept, parent_link_code_create
from accounts.services.teens import teen_settings_update_by_parent as parent_sets
from accounts.services.users import follow_create
from cameo.models import Cameo, CameoGrant, ConsentEvent
from cameo.selectors import cameo_on_profile, cameo_use_refusal, cameos_usable_by
from cameo.services.consent import (
    cameo_grant_decide,
    cameo_grant_request,
    cameo_mark_verified,
    cameo_settings_update,
)
from conftest import make_user

pytestmark = pytest.mark.django_db

EMBEDDING = [0.01 * i for i in range(128)]
LEVELS = ["only_me", "approved", "mutuals", "everyone"]
TEEN_RELATIONS = ["approved", "mutual", "follower", "stranger"]
# Which other teens may use a teen's cameo at each level (the same rule as for adults).
ALLOWED = {
    "only_me": set(),
    "approved": {"approved"},
    "mutuals": {"approved", "mutual"},
    "everyone": {"approved", "mutual", "follower", "stranger"},
}


def _teen_with_cameo(cap: str = "everyone", level: str = "approved") -> tuple[User, Cameo]:
    """A teen whose linked parent allows ``cap``, with a verified cameo at ``level``."""
    owner = make_user("owner_teen", age=15)
    parent = make_user("owner_parent", age=45)
    link = parent_link_accept(teen=owner, code=parent_link_code_create(parent=parent).code)
    parent_sets(parent=parent, link_id=link.pk, cameo_cap=cap)
    cameo_mark_verified(owner=owner, display_name="Owner", embedding=EMBEDDING)
    return owner, cameo_settings_update(owner=owner, permission=level)


def _teen_in_relation(relation: str, owner: User, cameo: Cameo) -> User:
    person = make_user(f"t_{relation}", age=16)
    if relation == "approved":
        grant = cameo_grant_request(requester=person, cameo_id=cameo.pk)
        cameo_grant_decide(owner=owner, grant_id=grant.pk, approve=True)
    elif relation in ("mutual", "follower"):
        follow_create(follower=person, followee=owner)
        if relation == "mutual":
            follow_create(follower=owner, followee=person)
    return person


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("relation", TEEN_RELATIONS)
def test_consent_matrix_for_a_teen_using_another_teens_cameo(level: str, relation: str) -> None:
    owner, cameo = _teen_with_cameo()
    person = _teen_in_relation(relation, owner, cameo)
    cameo = cameo_settings_update(owner=owner, permission=level)
    refusal = cameo_use_refusal(cameo=cameo, user=person)
    if relation in ALLOWED[level]:
        assert refusal is None
    else:
        assert refusal is not None and "@owner_teen" in refusal


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("relation", ["mutual", "follower", "stranger"])
def test_no_adult_may_use_a_teens_cameo_at_any_level(level: str, relation: str) -> None:
    owner, cameo = _teen_with_cameo(level=level)
    adult = make_user(f"a_{relation}")
    if relation in ("mutual", "follower"):
        follow_create(follower=adult, followee=owner)
        if relation == "mutual":
            follow_create(follower=owner, followee=adult)
    assert cameo_use_refusal(cameo=cameo, user=adult) == (
        "@owner_teen's cameo isn't open to your account."
    )
    assert cameo not in cameos_usable_by(user=adult)


def test_an_adult_cannot_ask_to_use_a_teens_cameo_and_nothing_is_written(alice: User) -> None:
    _owner, cameo = _teen_with_cameo(level="approved")
    before = (CameoGrant.objects.count(), ConsentEvent.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        cameo_grant_request(requester=alice, cameo_id=cameo.pk)
    assert excinfo.value.messages == ["@owner_teen's cameo isn't open to your account."]
    assert (CameoGrant.objects.count(), ConsentEvent.objects.count()) == before


def test_an_adult_sees_no_ask_button_on_a_teens_profile(alice: User) -> None:
    owner, _cameo = _teen_with_cameo(level="approved")
    shown = cameo_on_profile(viewer=alice, owner=owner)
    assert (shown.usable, shown.can_ask) == (False, False)
    teen_viewer = make_user("tom", age=16)
    assert cameo_on_profile(viewer=teen_viewer, owner=owner).can_ask


def test_a_teens_cameo_starts_capped_at_only_me(teen: User) -> None:
    cameo_mark_verified(owner=teen, display_name="Tess", embedding=EMBEDDING)
    before = ConsentEvent.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        cameo_settings_update(owner=teen, permission="approved")
    assert excinfo.value.messages == [
        "Your teen settings let your cameo go no further than only you. Choose that or a "
        "narrower option; a linked parent can change the limit."
    ]
    assert Cameo.objects.get(owner=teen).permission == "only_me"
    assert ConsentEvent.objects.count() == before


@pytest.mark.parametrize(("cap", "allowed"), [(c, LEVELS[: i + 1]) for i, c in enumerate(LEVELS)])
def test_a_teen_may_open_their_cameo_up_to_the_cap_and_no_further(
    cap: str, allowed: list[str]
) -> None:
    owner, cameo = _teen_with_cameo(cap=cap, level="only_me")
    for level in LEVELS:
        if level in allowed:
            assert cameo_settings_update(owner=owner, permission=level).permission == level
        else:
            with pytest.raises(ValidationError):
                cameo_settings_update(owner=owner, permission=level)
    assert Cameo.objects.get(pk=cameo.pk).permission == allowed[-1]


def test_a_level_above_the_cap_stays_closed_to_everyone() -> None:
    """If a cameo's stored level were ever above its cap, nobody but the owner gets in."""
    owner, cameo = _teen_with_cameo(cap="everyone", level="everyone")
    stranger_teen = make_user("tom", age=16)
    assert cameo_use_refusal(cameo=cameo, user=stranger_teen) is None
    # Rows written around the services, to stand for data from before the cap existed.
    TeenSettings.objects.filter(user=owner).update(cameo_cap="only_me")
    cameo.refresh_from_db()
    assert cameo_use_refusal(cameo=cameo, user=stranger_teen) == (
        "@owner_teen keeps their cameo to themselves."
    )
    assert cameo_use_refusal(cameo=cameo, user=owner) is None


def test_a_teen_may_use_an_adults_open_cameo(alice: User, teen: User) -> None:
    cameo_mark_verified(owner=alice, display_name="Alice", embedding=EMBEDDING)
    cameo = cameo_settings_update(owner=alice, permission="everyone")
    assert cameo_use_refusal(cameo=cameo, user=teen) is None
