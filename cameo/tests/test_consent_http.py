"""The consent matrix again, through HTTP, as the people in each cell would try it.

64 setups (4 levels x approve-each on/off x 8 relations), each trying 4 actions (use in a new
video, see the draft, publish, owner deletes) as the person, the owner and an outsider: 256
cells. Every id an outsider guesses answers 404, so no view leaks a draft or takes an action.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services.blocks import block_create
from accounts.services.users import follow_create
from cameo.models import Cameo, CameoGrant, CameoUse
from cameo.services.consent import (
    cameo_grant_decide,
    cameo_grant_request,
    cameo_grant_revoke,
    cameo_mark_verified,
    cameo_settings_update,
)
from cameo.tests.test_consent import ALLOWED, LEVELS, RELATIONS
from conftest import make_user
from feed.models import Post
from generation.models import GenerationJob
from generation.services import generation_request

EMBEDDING = [0.03 * i for i in range(128)]
# Relations that had a grant and made a video with it before losing (or keeping) access.
HISTORY = {"blocked", "expired", "revoked"}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _finish(job: GenerationJob) -> GenerationJob:
    """Give a job finished files: the cells test consent, so they skip the real render
    (generation's own tests render through the queue)."""
    name = f"{job.public_id}-cell"
    video = default_storage.save(f"videos/{name}.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"))
    poster = default_storage.save(f"posters/{name}.jpg", ContentFile(b"\xff\xd8\xff"))
    GenerationJob.objects.filter(pk=job.pk).update(
        status=GenerationJob.Status.SUCCEEDED, video=video, poster=poster, progress=100
    )
    job.refresh_from_db()
    return job


def _grant(owner: User, person: User, cameo: Cameo) -> CameoGrant:
    grant = cameo_grant_request(requester=person, cameo_id=cameo.pk)
    return cameo_grant_decide(owner=owner, grant_id=grant.pk, approve=True)


def _earlier_video(person: User, cameo: Cameo) -> GenerationJob:
    job = generation_request(
        user=person, prompt="a picnic in the park", duration_s=4, aspect="9:16", seed=1,
        cameo_ids=[cameo.pk],
    )  # fmt: skip
    return _finish(job)


def _build(relation: str, level: str, approve_each: bool) -> tuple[User, User, Cameo, object]:
    owner = make_user("owner")
    cameo_mark_verified(owner=owner, display_name="Owner", embedding=EMBEDDING)
    cameo = cameo_settings_update(owner=owner, permission="approved")
    person, earlier = owner, None
    if relation != "self":
        person = make_user(f"p_{relation}")
    if relation in {"approved"} | HISTORY:
        grant = _grant(owner, person, cameo)
        if relation in HISTORY:
            earlier = _earlier_video(person, cameo)
        if relation == "blocked":
            block_create(blocker=owner, blocked=person)
        elif relation == "expired":
            CameoGrant.objects.filter(pk=grant.pk).update(
                expires_at=timezone.now() - dt.timedelta(minutes=1)
            )
        elif relation == "revoked":
            cameo_grant_revoke(owner=owner, grant_id=grant.pk)
    elif relation in {"mutual", "follower"}:
        follow_create(follower=person, followee=owner)
        if relation == "mutual":
            follow_create(follower=owner, followee=person)
    cameo = cameo_settings_update(owner=owner, permission=level, approve_each_video=approve_each)
    return owner, person, cameo, earlier


def _try_use(person: User, cameo: Cameo, allowed: bool) -> GenerationJob | None:
    before = GenerationJob.objects.count()
    response = _client(person).post(
        reverse("generation:create"),
        {"prompt": "a walk on the beach", "duration_s": 4, "aspect": "9:16", "cameo_ids": cameo.pk},
    )
    if not allowed:
        assert response.status_code == 200
        assert "isn&#x27;t available to you" in response.content.decode()
        assert GenerationJob.objects.count() == before
        return None
    assert response.status_code == 302, response.content.decode()[:2000]
    return _finish(GenerationJob.objects.latest("pk"))


def _media(client: Client, job: GenerationJob) -> int:
    return client.get(job.video.url).status_code


def _see(owner: User, person: User, outsider: User, job: GenerationJob) -> CameoUse:
    use = CameoUse.objects.get(job=job, cameo__owner=owner)
    down = job.taken_down_at is not None
    person_view = _client(person).get(reverse("generation:job", args=[job.pk]))
    assert person_view.status_code == 200
    assert ("was taken down" in person_view.content.decode()) == down
    assert _media(_client(person), job) == (404 if down else 200)
    owner_view = _client(owner).get(reverse("cameo:use", args=[use.pk]))
    assert owner_view.status_code == 200
    assert _media(_client(owner), job) == (404 if down else 200)
    stranger = _client(outsider)
    assert stranger.get(reverse("generation:job", args=[job.pk])).status_code == 404
    assert stranger.get(reverse("cameo:use", args=[use.pk])).status_code == 404
    assert _media(stranger, job) == 404
    return use


def _publish(owner: User, person: User, outsider: User, job: GenerationJob, use: CameoUse) -> None:
    url = reverse("feed:publish", args=[job.pk])
    assert _client(outsider).post(url).status_code == 404
    outsider_decides = _client(outsider).post(
        reverse("cameo:use_decide", args=[use.pk]), {"decision": "approve"}
    )
    assert outsider_decides.status_code == 404
    _client(person).post(url)
    if job.taken_down_at is not None:
        assert not Post.objects.filter(job=job).exists()
        return
    awaiting = use.state == CameoUse.State.AWAITING and person != owner
    assert Post.objects.filter(job=job).exists() is not awaiting
    if awaiting:
        decided = _client(owner).post(
            reverse("cameo:use_decide", args=[use.pk]), {"decision": "approve"}
        )
        assert decided.status_code == 302
        _client(person).post(url)
        assert Post.objects.filter(job=job).exists()


def _owner_deletes(owner: User, person: User, outsider: User, job: GenerationJob) -> None:
    use = CameoUse.objects.get(job=job, cameo__owner=owner)
    url = reverse("cameo:use_take_down", args=[use.pk])
    assert _client(outsider).post(url).status_code == 404
    assert _client(person).post(url).status_code == (302 if person == owner else 404)
    _client(owner).post(url)
    job.refresh_from_db()
    assert job.taken_down_at is not None
    assert _media(_client(person), job) == 404
    assert not Post.objects.filter(job=job).exclude(job__taken_down_at__isnull=False).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("approve_each", [False, True], ids=["approve-off", "approve-each"])
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("relation", RELATIONS)
def test_consent_matrix_over_http(relation: str, level: str, approve_each: bool) -> None:
    owner, person, cameo, earlier = _build(relation, level, approve_each)
    outsider = make_user("outsider")
    allowed = relation in ALLOWED[level]
    job = _try_use(person, cameo, allowed) or earlier
    if job is None:
        # Never allowed, so no draft of theirs with this cameo can exist to see or publish.
        assert not CameoUse.objects.filter(job__creator=person).exists()
        return
    job.refresh_from_db()
    # A block or a revoked grant takes down what the person made; an expired grant does not.
    assert (job.taken_down_at is not None) == (job == earlier and relation != "expired")
    use = _see(owner, person, outsider, job)
    _publish(owner, person, outsider, job, use)
    _owner_deletes(owner, person, outsider, job)
