"""The person's side of sound: the choice on Create, the checks on submit, the soundtrack in the
file, on the job page and in the signed record."""

from __future__ import annotations

from typing import Any

import av
import django_rq
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from accounts.models import User
from feed.services.posts import post_publish
from generation.models import GenerationJob
from generation.pipeline.encode import probe_mp4
from generation.pipeline.provenance import read_mp4
from generation.services import PROMPT_HOLD_REASON

CREATE = reverse("generation:create")
BEACH = (
    "a golden retriever puppy running on a sunny beach with kids building sandcastles, "
    "seagulls, waves and ice cream, then the puppy says “{}” and keeps playing happily in "
    "the warm sunshine"
)


def _post(client: Client, user: User, prompt: str, **fields: str) -> Any:
    client.force_login(user)
    form = {"prompt": prompt, "duration_s": "4", "aspect": "9:16", "seed": "5", **fields}
    return client.post(CREATE, form)


def _nothing_saved() -> bool:
    return not GenerationJob.objects.exists() and django_rq.get_queue("video").job_ids == []


def _streams(job: GenerationJob) -> tuple[list[Any], list[Any]]:
    with av.open(default_storage.path(job.video.name)) as container:
        return list(container.streams.video), list(container.streams.audio)


def test_it_offers_the_sound_choice_on_create_with_sound_on_first(
    client: Client, alice: User
) -> None:
    client.force_login(alice)
    html = client.get(CREATE).content.decode()
    assert 'data-testid="sound-choice"' in html
    assert html.index("Sound on") < html.index("No music") < html.index("Silent")
    assert 'type="radio" name="sound" value="on" id="id_sound_0" checked' in html
    assert "Quoted lines after says/asks/whispers are spoken" in html


@pytest.mark.parametrize(
    ("posted", "saved"), [("no_music", "no_music"), ("off", "off"), ("", "on")]
)
def test_it_saves_the_sound_choice(client: Client, alice: User, posted: str, saved: str) -> None:
    fields = {"sound": posted} if posted else {}
    response = _post(client, alice, "a dog running on the beach", **fields)
    assert response.status_code == 302
    assert GenerationJob.objects.get().sound == saved


def test_it_refuses_a_sound_that_is_not_on_the_list(client: Client, alice: User) -> None:
    response = _post(client, alice, "a dog running on the beach", sound="loud")
    assert response.status_code == 200
    assert "Choose the sound: Sound on, No music or Silent." in response.content.decode()
    assert _nothing_saved()


def test_it_refuses_a_spoken_line_over_200_characters_and_saves_nothing(
    client: Client, alice: User
) -> None:
    line = "la " * 133 + "la"  # 401 characters
    response = _post(client, alice, f"a cat says “{line}”", duration_s="12")
    html = response.content.decode()
    assert response.status_code == 200
    assert "is 401 characters; keep each line under 200." in html
    assert _nothing_saved()


def test_it_refuses_a_line_that_cannot_fit_the_clip_and_saves_nothing(
    client: Client, alice: User
) -> None:
    line = "I have been waiting all summer long for this one perfect afternoon at the seaside"
    response = _post(client, alice, f"a dog says “{line}”")
    html = response.content.decode()
    assert "a 4-second clip has room for 3.2; shorten it or choose a longer clip." in html
    assert _nothing_saved()
    # The same line fits a 12-second clip.
    assert _post(client, alice, f"a dog says “{line}”", duration_s="12").status_code == 302


def test_a_silent_video_skips_the_speaking_checks(client: Client, alice: User) -> None:
    line = "I have been waiting all summer long for this one perfect afternoon at the seaside"
    response = _post(client, alice, f"a dog says “{line}”", sound="off")
    assert response.status_code == 302
    assert GenerationJob.objects.get().sound == "off"


def test_it_refuses_a_spoken_line_that_moderation_blocks_on_its_own(
    client: Client, alice: User
) -> None:
    # The prompt as a whole passes; the line alone does not, and it would be heard.
    response = _post(client, alice, BEACH.format("I want to hurt myself tonight"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This prompt can&#x27;t be used: it breaks our rules on self-harm" in html
    assert _nothing_saved()


def test_a_spoken_line_moderation_is_unsure_about_holds_the_video(
    client: Client, alice: User
) -> None:
    response = _post(client, alice, BEACH.format("take off your clothes and touch yourself"))
    assert response.status_code == 302
    assert GenerationJob.objects.get().held_reason == PROMPT_HOLD_REASON


def test_a_default_video_has_one_aac_stream_as_long_as_the_picture(
    client: Client, alice: User, rendered: Any
) -> None:
    job = rendered(alice, "rain in a city at night, a man says “what a night”")
    video, audio = _streams(job)
    assert len(video) == 1 and len(audio) == 1
    info = probe_mp4(default_storage.path(job.video.name))
    assert info["audio"]["codec"] == "aac"
    assert (info["audio"]["sample_rate"], info["audio"]["channels"]) == (48_000, 2)
    assert abs(info["audio"]["duration_s"] - info["duration_s"]) <= 0.05

    client.force_login(alice)
    html = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert (
        f'<p class="soundtrack" data-testid="soundtrack">Sound: {job.plan["soundtrack"]}</p>'
        in (html)
    )
    assert "one spoken line" in job.plan["soundtrack"]
    assert "muted" not in html.split('data-testid="draft-video"')[0].rsplit("<video", 1)[1]

    record = read_mp4(default_storage.path(job.video.name))
    assert record is not None and record.intact
    soundtrack = record.fields["soundtrack"]
    assert soundtrack["made_by"] == "builtin"
    assert soundtrack["music"] == "procedural synthesis"
    assert "hibari" in soundtrack["voice"]


def test_a_silent_video_has_no_audio_stream_and_says_silent(
    client: Client, alice: User, bob: User, rendered: Any
) -> None:
    job = rendered(alice, "snow falling on the mountains at dawn", sound="off")
    video, audio = _streams(job)
    assert len(video) == 1 and audio == []
    assert probe_mp4(default_storage.path(job.video.name))["audio"] is None

    client.force_login(alice)
    html = client.get(reverse("generation:job", args=[job.pk])).content.decode()
    assert "Sound: Silent. This video has no sound, as you chose." in html
    record = read_mp4(default_storage.path(job.video.name))
    assert record is not None and record.fields["soundtrack"] == "none (silent)"

    # A remix starts from the original's choice.
    post = post_publish(user=alice, job_id=job.pk)
    client.force_login(bob)
    remix = client.get(reverse("feed:remix", args=[post.pk]), follow=True).content.decode()
    assert 'name="sound" value="off" id="id_sound_2" checked' in remix
    assert 'value="on" id="id_sound_0" checked' not in remix


def test_a_no_music_video_says_so_and_records_no_music(alice: User, rendered: Any) -> None:
    job = rendered(alice, "a dog jumping in a meadow", sound="no_music")
    assert "no music" in job.plan["soundtrack"]
    assert len(_streams(job)[1]) == 1
    record = read_mp4(default_storage.path(job.video.name))
    assert record is not None and record.fields["soundtrack"]["music"] is None
