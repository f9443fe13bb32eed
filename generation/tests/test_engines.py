"""Engines: the built-in renderer on ``video`` and each catalogue model on ``video-<name>``.

A tiny random-weights Wan pipeline is installed the way an operator installs a real one (``models
pull`` from a local hub), under the catalogue name ``tiny-wan``. Workers run the real
``VideoWorker`` against the real Valkey queues: the built-in one serves ``video``, the one with
SORA_VIDEO_MODEL set serves ``video-tiny-wan``, and Create lists what RQ's worker registry says is
live.
"""

from __future__ import annotations

import io
import json
import os
import socket
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import django_rq
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from conftest import log_in, start_worker
from generation import engines
from generation.models import GenerationJob
from generation.pipeline import get_backend

pytest.importorskip("diffusers", reason="diffusers is not installed")

from generation.local_hub import LocalHub  # noqa: E402
from generation.worker import VideoWorker  # noqa: E402

# The browser tests at the end drive Chromium through Playwright's sync API, which runs a loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CREATE = reverse("generation:create")
TINY = "video-tiny-wan"
REPO = "test-org/tiny-wan-diffusers"
SMALL = {"SORA_MODEL_STEPS": 2, "SORA_MODEL_MAX_SIDE": 32, "SORA_MODEL_MAX_FRAMES": 9}


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generation.pipeline.tiny_models import save_tiny_model

    return save_tiny_model("wan-t2v", tmp_path_factory.mktemp("upstream") / "tiny-wan")


def _catalogue(commit: str) -> str:
    return (
        f'[[model]]\nname = "tiny-wan"\ntitle = "Tiny Wan (test model)"\nrepo = "{REPO}"\n'
        f'revision = "{commit}"\nrevision_source = "the local test hub"\nfamily = "wan"\n'
        'pipeline = "WanPipeline"\ntasks = ["t2v"]\ndownload_bytes = 245000\n'
        'download_source = "the tiny model"\nlicence = "Apache-2.0"\n'
        'licence_url = "https://example.org/apache"\ncommercial_use = true\n'
        'allow_patterns = ["model_index.json", "*/*"]\n'
    )


@pytest.fixture
def tiny_engine(
    upstream: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, Any]]:
    """``tiny-wan`` in the catalogue, with its queue, pulled into a fresh models folder."""
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    catalogue = tmp_path / "catalogue.toml"
    queues = {**settings.RQ_QUEUES, TINY: settings.RQ_QUEUES["video"]}
    with LocalHub() as hub:
        hub.add(REPO, upstream)
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        commit = hub.repos[REPO].commit
        catalogue.write_text(_catalogue(commit))
        overrides = {
            "SORA_MODEL_CATALOGUE": str(catalogue),
            "SORA_MODELS_DIR": tmp_path / "models",
            "RQ_QUEUES": queues,
            "SORA_DEVICE": "cpu",
            **SMALL,
        }
        with override_settings(**overrides):
            call_command("models", "pull", "tiny-wan", stdout=None, stderr=None)
            folder = (tmp_path / "models" / "tiny-wan").resolve()
            yield {"folder": folder, "commit": commit, "catalogue": catalogue}
    get_backend.cache_clear()


def _worker(model: Path | None = None) -> VideoWorker:
    queue = django_rq.get_queue("video")
    return VideoWorker([queue], connection=queue.connection)


def _run_worker(model: Path | None = None) -> None:
    """A real video worker in this process, in burst mode: the built-in one, or the model's."""
    get_backend.cache_clear()
    with override_settings(SORA_VIDEO_MODEL=str(model) if model else ""):
        _worker().work(burst=True)
    get_backend.cache_clear()


@pytest.fixture
def live_tiny_worker(tiny_engine: dict[str, Any]) -> Iterator[VideoWorker]:
    """A tiny-wan worker registered with RQ as a running worker does (it takes no jobs here)."""
    get_backend.cache_clear()
    with override_settings(SORA_VIDEO_MODEL=str(tiny_engine["folder"])):
        worker = _worker()
        worker.claim_engine()
    worker.register_birth()
    yield worker
    worker.register_death()
    get_backend.cache_clear()


def _page(client: Client, user: User, job: GenerationJob) -> str:
    client.force_login(user)
    return client.get(reverse("generation:job", args=[job.pk])).content.decode()


def _tiny_queue() -> list[str]:
    return django_rq.get_queue(TINY).job_ids


# --- Each job renders on the worker that holds its model -----------------------------------------


def test_each_job_renders_on_the_worker_that_holds_its_model(
    client: Client, alice: User, submit: Callable[..., Any], tiny_engine: dict[str, Any]
) -> None:
    drawn = submit(alice, "a red kite over the dunes")
    modelled = submit(alice, "a tiny test", engine=TINY, aspect="1:1")
    assert django_rq.get_queue("video").job_ids == [drawn.rq_job_id]
    assert _tiny_queue() == [modelled.rq_job_id]

    _run_worker()  # the built-in renderer's worker
    drawn.refresh_from_db()
    modelled.refresh_from_db()
    assert (drawn.status, drawn.backend, drawn.engine) == ("succeeded", "builtin", "video")
    assert modelled.status == "queued" and _tiny_queue() == [modelled.rq_job_id]
    page = _page(client, alice, modelled)
    assert (
        "No worker serves Tiny Wan right now. Your video is saved and starts when one comes "
        in (page)
    )
    assert "To be made by the generative video model Tiny Wan" in page

    _run_worker(tiny_engine["folder"])
    modelled.refresh_from_db()
    assert modelled.status == "succeeded", modelled.error
    assert (modelled.backend, modelled.engine) == ("diffusers", TINY)
    assert modelled.model_revision == tiny_engine["commit"]
    assert modelled.model_hash.startswith("sha256:")
    assert modelled.worker_name != drawn.worker_name
    page = _page(client, alice, modelled)
    assert "No worker serves" not in page
    assert (
        f"Engine: Tiny Wan (test model) · revision {tiny_engine['commit'][:12]}… · model hash "
        f"{modelled.model_hash[:16]}…"
    ) in page


def test_a_job_for_a_model_with_no_worker_waits_through_a_restart_then_runs_when_one_starts(
    client: Client,
    alice: User,
    bob: User,
    submit: Callable[..., Any],
    tiny_engine: dict[str, Any],
) -> None:
    waiting = submit(alice, "a tiny test", engine=TINY, aspect="1:1")
    drawn = submit(bob, "a dog on the beach")
    assert waiting.status == "queued" and waiting.stage == "Waiting for a worker"
    assert "No worker serves Tiny Wan right now." in _page(client, alice, waiting)

    # Everything restarts: Valkey comes back empty, and the rows are all that is left.
    django_rq.get_connection("video").flushdb()
    _run_worker(tiny_engine["folder"])

    waiting.refresh_from_db()
    drawn.refresh_from_db()
    assert waiting.status == "succeeded", waiting.error
    # The model's worker put the built-in job back on its own queue and did not render it.
    assert drawn.status == "queued" and drawn.backend == ""
    assert django_rq.get_queue("video").job_ids == [drawn.rq_job_id]
    _run_worker()
    drawn.refresh_from_db()
    assert (drawn.status, drawn.backend) == ("succeeded", "builtin")


def test_a_persons_cap_counts_per_engine_so_waiting_model_jobs_hold_back_no_drawn_ones(
    alice: User, submit: Callable[..., Any], tiny_engine: dict[str, Any]
) -> None:
    modelled = [submit(alice, f"a tiny test {n}", engine=TINY) for n in range(3)]
    drawn = submit(alice, "a dog on the beach")
    assert [j.status for j in modelled] == ["queued", "queued", "pending"]
    assert drawn.status == "queued"
    assert _tiny_queue() == [j.rq_job_id for j in modelled[:2]]


def test_cancelling_a_job_that_waits_for_a_model_takes_it_off_that_queue_and_lets_the_next_on(
    client: Client,
    alice: User,
    submit: Callable[..., Any],
    tiny_engine: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    first, second, third = (submit(alice, f"a tiny test {n}", engine=TINY) for n in range(3))
    assert third.status == "pending"
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("generation:job_cancel", args=[first.pk]))
    first.refresh_from_db()
    third.refresh_from_db()
    assert first.status == "cancelled" and third.status == "queued"
    assert _tiny_queue() == [second.rq_job_id, third.rq_job_id]
    assert django_rq.get_queue("video").job_ids == []


def test_a_worker_asked_for_another_engines_queue_refuses_to_start(
    tiny_engine: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    worker = VideoWorker([TINY], connection=django_rq.get_connection("video"))
    with pytest.raises(SystemExit) as stopped:
        worker.work(burst=True)
    assert stopped.value.code == 2
    assert (
        "The video worker can't start: This worker renders with the built-in renderer, so it "
        "serves the queue video, not video-tiny-wan; start it as `manage.py rqworker video`, or "
        "set SORA_VIDEO_MODEL to the model for that queue.\n"
    ) in capsys.readouterr().err


def test_a_folder_that_was_not_pulled_needs_its_engine_named(
    tiny_engine: dict[str, Any], upstream: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        _run_worker(upstream)
    err = capsys.readouterr().err
    assert f"The video model folder {upstream} was not installed by `manage.py models pull`" in err
    assert "set SORA_VIDEO_ENGINE to its name in the model catalogue (one of: tiny-wan)." in err

    with override_settings(SORA_VIDEO_ENGINE="tiny-wan", SORA_VIDEO_MODEL=str(upstream)):
        assert engines.served_engine() == engines.ServedEngine(
            queue=TINY, title="Tiny Wan (test model)", revision=""
        )
    with (
        override_settings(SORA_VIDEO_ENGINE="ltx-9", SORA_VIDEO_MODEL=str(upstream)),
        pytest.raises(Exception, match="The video model ltx-9 is not in the model catalogue"),
    ):
        engines.served_engine()


def test_a_hand_installed_folder_reports_the_hub_commit_it_came_from(
    tiny_engine: dict[str, Any], tmp_path: Path
) -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    # `hf download --local-dir` leaves the commit in its download records.
    local_dir = tmp_path / "wan-by-hand"
    records = local_dir / ".cache" / "huggingface" / "download"
    records.mkdir(parents=True)
    (local_dir / "model_index.json").write_text("{}")
    (records / "model_index.json.metadata").write_text(f"{commit}\netag\n1765000000.0\n")
    # A folder in the hub's own cache is named for its commit.
    snapshot = tmp_path / "hub" / "models--org--wan" / "snapshots" / commit
    snapshot.mkdir(parents=True)
    unknown = tmp_path / "copied"
    unknown.mkdir()
    (unknown / "model_index.json").write_text("{}")

    for folder, revision in ((local_dir, commit), (snapshot, commit), (unknown, "")):
        with override_settings(SORA_VIDEO_ENGINE="tiny-wan", SORA_VIDEO_MODEL=str(folder)):
            served = engines.served_engine()
        assert served.revision == revision, folder
        assert json.loads(served.worker_field("abc"))["revision"] == revision

    (records / "model_index.json.metadata").write_text("not a commit\n")
    assert engines.folder_revision(local_dir) == ""


def test_settings_give_every_catalogue_model_its_queue_and_name_a_broken_catalogue(
    tmp_path: Path,
) -> None:
    from sora_site.tests.settings_helpers import run_with_settings

    env = {"SORA_VAR_DIR": str(tmp_path / "var")}
    show = "from django.conf import settings as s\nprint(sorted(s.RQ_QUEUES))"
    result = run_with_settings(show, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("'video-")[1:3] == ["cogvideox-5b', ", "hunyuanvideo-1.5-480p', "]
    assert "'video-ltx-2'" in result.stdout and "'video'" in result.stdout

    missing = tmp_path / "nowhere.toml"
    result = run_with_settings(show, {**env, "SORA_MODEL_CATALOGUE": str(missing)})
    assert result.returncode != 0
    assert (
        f"ImproperlyConfigured: SORA_MODEL_CATALOGUE: The model catalogue {missing} can't be "
        "read: No such file or directory."
    ) in result.stderr


# --- Create ---------------------------------------------------------------------------------------


def _engine_labels(page: str) -> str:
    start = page.index('data-testid="engine-choice"')
    return page[start : page.index("</fieldset>", start)]


def test_create_lists_the_engines_with_unserved_ones_disabled_and_why(
    client: Client, alice: User, tiny_engine: dict[str, Any]
) -> None:
    client.force_login(alice)
    picker = _engine_labels(client.get(CREATE).content.decode())
    assert picker.index("Built-in renderer") < picker.index("Tiny Wan (test model)")
    assert 'value="video" id="id_engine_0" checked>' in picker
    assert f'value="{TINY}" id="id_engine_1" disabled aria-describedby="engine-why-1">' in picker
    assert 'id="engine-why-1">No worker serves Tiny Wan right now.</span>' in picker


def test_create_offers_a_model_while_its_worker_is_alive(
    client: Client, alice: User, live_tiny_worker: VideoWorker, tiny_engine: dict[str, Any]
) -> None:
    client.force_login(alice)
    page = client.get(CREATE).content.decode()
    picker = _engine_labels(page)
    assert f'value="{TINY}" id="id_engine_1">' in picker
    assert (
        f"generative video model · 1 worker ready · revision {tiny_engine['commit'][:12]}"
    ) in picker
    assert "Choose the engine below. Generative video models run on this site" in page

    live_tiny_worker.register_death()
    assert f'value="{TINY}" id="id_engine_1" disabled' in client.get(CREATE).content.decode()


def test_choosing_a_model_on_create_saves_the_job_for_that_engine(
    client: Client,
    alice: User,
    live_tiny_worker: VideoWorker,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(alice)
    form = {"prompt": "a tiny test", "duration_s": 4, "aspect": "1:1", "engine": TINY}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CREATE, form)
    job = GenerationJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/create/jobs/{job.pk}/"
    assert job.engine == TINY and _tiny_queue() == [job.rq_job_id]
    assert django_rq.get_queue("video").job_ids == []
    page = _page(client, alice, job)
    assert "Engine: Tiny Wan (test model)" in page and "No worker serves" not in page


def test_choosing_a_model_with_no_worker_saves_a_waiting_job_that_says_so(
    client: Client,
    alice: User,
    tiny_engine: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(alice)
    form = {"prompt": "a tiny test", "duration_s": 4, "aspect": "1:1", "engine": TINY}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CREATE, form, follow=True)
    job = GenerationJob.objects.get()
    assert (job.engine, job.status) == (TINY, "queued")
    assert "No worker serves Tiny Wan right now." in response.content.decode()


def test_a_forged_engine_is_refused_and_nothing_is_written(
    client: Client, alice: User, tiny_engine: dict[str, Any]
) -> None:
    client.force_login(alice)
    form = {"prompt": "a kite", "duration_s": 4, "aspect": "1:1", "engine": "default"}
    page = client.post(CREATE, form).content.decode()
    assert "That engine isn&#x27;t one this site offers. Choose one of the engines listed." in page
    assert not GenerationJob.objects.exists()
    assert django_rq.get_queue("default").job_ids == [] == django_rq.get_queue("video").job_ids


def test_the_service_refuses_an_unknown_engine_and_writes_nothing(alice: User) -> None:
    from django.core.exceptions import ValidationError

    from generation.services import generation_request

    with pytest.raises(ValidationError, match="That engine isn't one this site offers"):
        generation_request(
            user=alice, prompt="a kite", duration_s=4, aspect="1:1", engine="video-ltx-9"
        )
    assert not GenerationJob.objects.exists()


def test_create_without_valkey_offers_the_built_in_renderer_and_says_why(
    client: Client, alice: User
) -> None:
    unreachable = {"URL": "unix:///nonexistent/valkey.sock?db=0"}
    client.force_login(alice)
    with override_settings(RQ_QUEUES={"video": unreachable, "default": unreachable}):
        response = client.get(CREATE)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The list of running video workers can&#x27;t be read right now" in page
    assert 'value="video" id="id_engine_0" checked>' in page
    assert 'value="video-ltx-2" id="id_engine_1" disabled' in page


def test_create_gives_up_on_a_frozen_queue_server_within_a_second(
    client: Client, alice: User, tmp_path: Path
) -> None:
    # A socket that accepts connections and never answers, like a server stopped with SIGSTOP.
    path = tmp_path / "frozen.sock"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    listener.listen(16)
    frozen = {"URL": f"unix://{path}?db=0"}
    client.force_login(alice)
    try:
        with override_settings(RQ_QUEUES={"video": frozen, "default": frozen}):
            started = time.monotonic()
            page = client.get(CREATE).content.decode()
            assert time.monotonic() - started < 1.5
    finally:
        listener.close()
    assert "The list of running video workers can&#x27;t be read right now" in page


# --- The record: manifest and data export ---------------------------------------------------------


def test_the_manifest_and_the_data_export_record_engine_revision_and_hash(
    client: Client, alice: User, submit: Callable[..., Any], tiny_engine: dict[str, Any]
) -> None:
    from generation.pipeline.provenance import read_mp4

    job = submit(alice, "a tiny test", engine=TINY, aspect="1:1")
    _run_worker(tiny_engine["folder"])
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    manifest = read_mp4(default_storage.path(job.video.name))
    assert manifest is not None and manifest.intact
    assert manifest.fields["engine"] == "Tiny Wan (test model)"
    assert manifest.fields["engine_queue"] == TINY
    assert manifest.fields["model_revision"] == tiny_engine["commit"]
    assert manifest.fields["model_hash"] == job.model_hash

    client.force_login(alice)
    response = client.get(reverse("accounts:data_export"))
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        videos = json.loads(archive.read("videos.json"))
    (video,) = [v for v in videos if v["id"] == job.public_id]
    assert video["engine"] == TINY and video["model_revision"] == tiny_engine["commit"]
    assert video["model_hash"] == job.model_hash and video["model"] == "diffusers"


# --- A real rqworker subprocess on the model's queue ----------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_rqworker_with_a_model_renders_only_its_engines_jobs(
    alice: User, tiny_engine: dict[str, Any], submit: Callable[..., Any]
) -> None:
    modelled = submit(alice, "a tiny test", engine=TINY, aspect="1:1")
    drawn = submit(alice, "a red kite over the dunes")
    env = {
        "SORA_VIDEO_MODEL": str(tiny_engine["folder"]),
        "SORA_MODEL_CATALOGUE": str(tiny_engine["catalogue"]),
        "SORA_MODELS_DIR": str(tiny_engine["folder"].parent),
        "SORA_DEVICE": "cpu",
        **{name: str(value) for name, value in SMALL.items()},
    }
    worker = start_worker("video", burst=True, extra_env=env)
    assert worker.wait(timeout=240) == 0
    modelled.refresh_from_db()
    drawn.refresh_from_db()
    assert (modelled.status, modelled.backend) == ("succeeded", "diffusers"), modelled.error
    assert modelled.model_revision == tiny_engine["commit"]
    assert drawn.status == "queued" and django_rq.get_queue("video").job_ids == [drawn.rq_job_id]


# --- In Chromium on a phone -----------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}


def _shot(page: Any, name: str) -> None:
    """With SORA_SHOTS set to a folder, keep a screenshot of the page looked at."""
    folder = os.environ.get("SORA_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_a_person_picks_a_live_model_on_create_and_the_job_names_it(
    live_server: Any, page: Any, alice: User, live_tiny_worker: VideoWorker
) -> None:
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, alice, then=CREATE)

    choice = page.locator("[data-testid=engine-choice]")
    assert choice.locator("legend").inner_text() == "Engine"
    assert page.is_checked("#id_engine_0") and page.is_enabled("#id_engine_1")
    unserved = choice.locator("label", has_text="LTX-2 19B")
    assert unserved.count() == 0  # the test catalogue holds only the tiny model
    box = choice.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    # The whole line is the tap target.
    choice.locator("label", has_text="Tiny Wan").click()
    assert page.is_checked("#id_engine_1") and not page.is_checked("#id_engine_0")
    choice.scroll_into_view_if_needed()
    _shot(page, "phone-create-engine-live")

    page.fill("#id_prompt", "a tiny test")
    page.click("form[data-busy] button[type=submit]")
    page.wait_for_url(f"{base}/create/jobs/*/")
    job = GenerationJob.objects.get()
    assert job.engine == TINY and _tiny_queue() == [job.rq_job_id]
    _shot(page, "phone-job-engine")
    record = page.locator("[data-testid=engine-record]").inner_text()
    assert record == "Engine: Tiny Wan (test model)"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_an_unserved_model_is_greyed_with_its_reason(
    live_server: Any, page: Any, alice: User, tiny_engine: dict[str, Any]
) -> None:
    base = live_server.url
    page.set_viewport_size(PHONE)
    log_in(page, base, alice, then=CREATE)
    label = page.locator("[data-testid=engine-choice] label", has_text="Tiny Wan")
    assert page.is_disabled("#id_engine_1")
    assert "No worker serves Tiny Wan right now." in label.inner_text()
    label.click(force=True)  # a tap on the greyed line, which Playwright would otherwise refuse
    assert page.is_checked("#id_engine_0") and not page.is_checked("#id_engine_1")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    label.scroll_into_view_if_needed()
    _shot(page, "phone-create-engine-unserved")
