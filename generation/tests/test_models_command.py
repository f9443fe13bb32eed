"""``manage.py models``: pull, verify, list, remove and use, against a local hub.

Nothing here reaches the internet. ``generation.local_hub.LocalHub`` serves a tiny random-weights
Wan pipeline (the one ``make_tiny_model`` writes) with the Hub API huggingface_hub calls, and can
drop a connection, corrupt a file or press Ctrl-C part-way. HF_ENDPOINT points at it and HF_HOME
at a temporary folder; the catalogue is a test file naming the local repositories.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import threading
from collections import namedtuple
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from generation import local_hub, model_store
from generation.local_hub import LocalHub
from generation.model_catalogue import CatalogueError, load_catalogue

pytest.importorskip("diffusers", reason="diffusers is not installed")

REPO = "test-org/tiny-wan-diffusers"
NC_REPO = "test-org/tiny-wan-research-only"
WEIGHTS = "transformer/diffusion_pytorch_model.safetensors"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generation.pipeline.tiny_models import save_tiny_model

    return save_tiny_model("wan-t2v", tmp_path_factory.mktemp("upstream") / "tiny-wan")


@pytest.fixture
def hub(tiny_model: Path) -> Any:
    with LocalHub() as hub:
        hub.add(REPO, tiny_model)
        hub.add(NC_REPO, tiny_model)
        yield hub


def _catalogue(hub: LocalHub, *, revision: str | None = None, note: str = "") -> str:
    """A catalogue of two local models: one Apache-2.0, one for research only."""
    pinned = revision or hub.repos[REPO].commit
    revision_note = f'revision_note = "{note}"\n' if note else ""
    common = (
        'title = "Tiny Wan"\nfamily = "wan"\npipeline = "WanPipeline"\ntasks = ["t2v"]\n'
        'revision_source = "the local test hub"\ndownload_bytes = 245000\n'
        'download_source = "the tiny model"\nmin_vram_gb = 1\nvram_source = "a guess for tests"\n'
        'allow_patterns = ["model_index.json", "*/*"]\n'
    )
    return (
        f'[[model]]\nname = "tiny-wan"\nrepo = "{REPO}"\nrevision = "{pinned}"\n{revision_note}'
        f'licence = "Apache-2.0"\nlicence_url = "https://example.org/apache"\n'
        f"commercial_use = true\n{common}\n"
        f'[[model]]\nname = "tiny-research"\nrepo = "{NC_REPO}"\n'
        f'revision = "{hub.repos[NC_REPO].commit}"\nlicence = "Tiny Research Licence"\n'
        'licence_url = "https://example.org/research"\ncommercial_use = false\n'
        f'licence_note = "research only, no commercial use"\n{common}'
    )


@pytest.fixture
def models_env(hub: LocalHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """HF_ENDPOINT at the local hub, a fresh models folder and the test catalogue."""
    from huggingface_hub import constants

    catalogue = tmp_path / "catalogue.toml"
    catalogue.write_text(_catalogue(hub))
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    # Other tests in this process may have imported huggingface_hub with HF_HUB_OFFLINE=1 set.
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    # The tiny model's files are smaller than huggingface_hub's 10 MB read size; a smaller one
    # lets a 120 KB file stop and resume part-way, as a 5 GB shard does with the real size.
    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 16 * 1024)
    models_dir = tmp_path / "models"
    with override_settings(SORA_MODELS_DIR=models_dir, SORA_MODEL_CATALOGUE=str(catalogue)):
        yield models_dir


def _run(*args: str, **options: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("models", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def _status(name: str) -> str:
    out, _ = _run("list")
    return next(line for line in out.splitlines() if line.startswith(name + " "))


def _upstream_bytes(hub: LocalHub) -> int:
    return sum(f.size for f in hub.repos[REPO].files.values())


# --- pull, verify, list ---------------------------------------------------------------------------


def test_pull_installs_a_verified_model_and_prints_the_line_to_use(
    hub: LocalHub, models_env: Path
) -> None:
    out, err = _run("pull", "tiny-wan")

    folder = (models_env / "tiny-wan").resolve()
    assert f"SORA_VIDEO_MODEL={folder}" in out.splitlines()
    assert "Licence: Apache-2.0 (https://example.org/apache): allows commercial use." in out
    assert "Installed tiny-wan (WanPipeline)" in out and "each matching the hub's hash" in out
    assert "tiny-wan: 100%" in err  # one bar for the whole model, with bytes, rate and ETA
    assert (folder / WEIGHTS).read_bytes() == (hub.repos[REPO].files[WEIGHTS].source).read_bytes()
    manifest = json.loads((folder / model_store.MANIFEST).read_text())
    assert manifest["commit"] == hub.repos[REPO].commit and manifest["verified"] is True
    assert not (models_env / model_store.PARTIAL_DIR).exists()

    out, _ = _run("verify", "tiny-wan")
    assert "tiny-wan: all 10 files" in out and "match the hub's hashes" in out
    assert "installed" in _status("tiny-wan") and "verified" in _status("tiny-wan")
    assert "not installed" in _status("tiny-research")


def test_the_pulled_folder_loads_in_the_video_worker(models_env: Path) -> None:
    from generation.pipeline.diffusers_backend import DiffusersBackend

    _run("pull", "tiny-wan")
    backend = DiffusersBackend(str(models_env / "tiny-wan"), device="cpu")
    assert type(backend.load()).__name__ == "WanPipeline"


def test_pulling_an_installed_model_again_downloads_nothing(
    hub: LocalHub, models_env: Path
) -> None:
    _run("pull", "tiny-wan")
    hub.reset_counts()
    out, _ = _run("pull", "tiny-wan")
    assert "is already installed" in out and "SORA_VIDEO_MODEL=" in out
    assert hub.requests == []


def test_a_dropped_connection_resumes_without_fetching_the_first_half_again(
    hub: LocalHub, models_env: Path
) -> None:
    hub.faults.drop_at[WEIGHTS] = 0.5
    _run("pull", "tiny-wan")

    assert not hub.faults.drop_at  # the drop happened
    url = f"GET /{REPO}/resolve/{hub.repos[REPO].commit}/{WEIGHTS}"
    assert hub.requests.count(url) == 2  # the first try and the resumed rest
    assert hub.bytes_served <= 1.1 * _upstream_bytes(hub)
    assert "verified" in _status("tiny-wan")


def test_ctrl_c_keeps_what_arrived_and_the_next_pull_fetches_only_the_rest(
    hub: LocalHub, models_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = _upstream_bytes(hub)
    # Send in small blocks too, so the Ctrl-C lands inside a file rather than after it.
    monkeypatch.setattr(local_hub, "SEND_BLOCK", 16 * 1024)
    hub.faults.interrupt_after = total // 2
    hub.faults.interrupt = _press_ctrl_c

    with pytest.raises(CommandError, match="Stopped with .* downloaded; run the same command") as e:
        _run("pull", "tiny-wan")
    assert e.value.returncode == 130
    kept = model_store.partial_bytes(models_env, "tiny-wan")
    staging = models_env / model_store.PARTIAL_DIR / "tiny-wan"
    part_way = [p for p in staging.rglob(f"*{model_store.INCOMPLETE}") if p.stat().st_size]
    assert part_way and 0 < kept < total  # stopped part-way; how far depends on the machine
    assert "partly downloaded" in _status("tiny-wan")
    assert not (models_env / "tiny-wan").exists()

    hub.reset_counts()
    out, _ = _run("pull", "tiny-wan")
    assert "already here" in out
    assert hub.bytes_served == total - kept  # nothing that was kept came again
    assert "verified" in _status("tiny-wan")


def _press_ctrl_c() -> None:
    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)


# --- refusals -------------------------------------------------------------------------------------


def test_a_file_that_does_not_match_the_hub_hash_is_refused_and_nothing_is_installed(
    hub: LocalHub, models_env: Path
) -> None:
    hub.faults.corrupt.add(WEIGHTS)
    with pytest.raises(CommandError, match=f"{WEIGHTS} doesn't match the hub's sha256") as e:
        _run("pull", "tiny-wan")
    assert "it was deleted and nothing was installed" in str(e.value)

    assert not (models_env / "tiny-wan").exists()
    staged = models_env / model_store.PARTIAL_DIR / "tiny-wan" / WEIGHTS
    assert not staged.exists() and not Path(f"{staged}{model_store.INCOMPLETE}").exists()
    assert "installed," not in _status("tiny-wan")
    with pytest.raises(CommandError, match="is not installed"):
        _run("use", "tiny-wan")

    hub.faults.corrupt.clear()
    _run("pull", "tiny-wan")
    assert "verified" in _status("tiny-wan")


def test_not_enough_disk_is_refused_before_downloading_with_both_sizes(
    hub: LocalHub, models_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 5000, 5000))
    with pytest.raises(CommandError) as e:
        _run("pull", "tiny-wan")
    assert str(e.value) == (
        f"Pulling tiny-wan needs 268.7 MB of free space in {models_env}, but only 5.0 KB is "
        "free; free some space or set SORA_MODELS_DIR to a bigger disk."
    )
    assert not any("/resolve/" in r for r in hub.requests)
    assert not models_env.exists()


def test_an_unreachable_hub_is_one_sentence_and_writes_nothing(
    models_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("HF_ENDPOINT", closed)
    with pytest.raises(CommandError) as e:
        _run("pull", "tiny-wan")
    assert str(e.value) == (
        f"Can't reach the model hub at {closed} (ConnectError); check the network, or "
        "HF_ENDPOINT if you use a mirror, and try again."
    )
    assert not models_env.exists()


def test_offline_mode_is_named_instead_of_a_connection_error(
    models_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(CommandError, match="HF_HUB_OFFLINE is set, so nothing may be downloaded"):
        _run("pull", "tiny-wan")
    assert not models_env.exists()


def test_a_research_only_model_needs_the_licence_accepted(hub: LocalHub, models_env: Path) -> None:
    with pytest.raises(CommandError) as e:
        _run("pull", "tiny-research")
    assert str(e.value) == (
        "tiny-research restricts use: it is under the Tiny Research Licence "
        "(https://example.org/research): research only, no commercial use. Read the licence, "
        "then run the pull again with --accept-licence."
    )
    assert hub.requests == [] and not models_env.exists()

    out, _ = _run("pull", "tiny-research", accept_licence=True)
    assert "Installed tiny-research" in out


def test_a_gated_repository_asks_for_a_token(hub: LocalHub, models_env: Path) -> None:
    hub.repos[REPO].gated = True
    with pytest.raises(CommandError, match=f"{REPO} is gated: .* set HF_TOKEN"):
        _run("pull", "tiny-wan")
    assert not models_env.exists()


def test_an_unknown_model_names_the_catalogue(models_env: Path) -> None:
    with pytest.raises(CommandError, match="no model 'sora-2' in the catalogue; choose one of"):
        _run("pull", "sora-2")


def test_a_folder_the_pull_did_not_install_is_left_alone(models_env: Path) -> None:
    (models_env / "tiny-wan").mkdir(parents=True)
    (models_env / "tiny-wan" / "mine.txt").write_text("keep")
    for action in ("pull", "remove"):
        with pytest.raises(CommandError, match="was not installed by `models pull`"):
            _run(action, "tiny-wan")
    assert (models_env / "tiny-wan" / "mine.txt").read_text() == "keep"


# --- verify, remove, use --------------------------------------------------------------------------


def test_verify_finds_a_changed_file_and_use_then_refuses(models_env: Path) -> None:
    _run("pull", "tiny-wan")
    weights = models_env / "tiny-wan" / WEIGHTS
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))

    with pytest.raises(CommandError, match=f"failed verification \\({WEIGHTS} doesn't match"):
        _run("verify", "tiny-wan")
    assert "FAILED verification" in _status("tiny-wan")
    with pytest.raises(CommandError, match="failed its last verification"):
        _run("use", "tiny-wan")


def test_use_prints_the_variable_for_the_workers(models_env: Path) -> None:
    _run("pull", "tiny-wan")
    out, _ = _run("use", "tiny-wan")
    assert out.splitlines() == [
        "Put this line in the environment of every video worker, then restart them:",
        f"SORA_VIDEO_MODEL={(models_env / 'tiny-wan').resolve()}",
    ]


def test_use_of_a_model_that_is_not_installed_says_how_to_install_it(models_env: Path) -> None:
    with pytest.raises(CommandError, match="tiny-wan is not installed .* `models pull tiny-wan`"):
        _run("use", "tiny-wan")


def test_remove_deletes_it_and_a_worker_pointed_there_refuses_to_start(
    models_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import django_rq

    from generation.pipeline import get_backend
    from generation.worker import VideoWorker

    _run("pull", "tiny-wan")
    folder = (models_env / "tiny-wan").resolve()
    with override_settings(SORA_VIDEO_MODEL=str(folder)):
        out, _ = _run("remove", "tiny-wan")
        assert out.startswith(f"Removed tiny-wan from {models_env} (")
        assert "SORA_VIDEO_MODEL still points at it" in out
        assert not folder.exists() and "not installed" in _status("tiny-wan")

        get_backend.cache_clear()
        worker = VideoWorker(["video"], connection=django_rq.get_connection("video"))
        with pytest.raises(SystemExit) as stopped:
            worker.work(burst=True)
        get_backend.cache_clear()
    assert stopped.value.code == 2
    assert (
        f"The video worker can't start: The video model folder {folder} does not exist. Check "
        "SORA_VIDEO_MODEL, or unset it to use the built-in renderer.\n"
    ) in capsys.readouterr().err
    with pytest.raises(CommandError, match="tiny-wan is not installed"):
        _run("remove", "tiny-wan")


def test_remove_also_clears_a_partial_download(hub: LocalHub, models_env: Path) -> None:
    hub.faults.corrupt.add(WEIGHTS)
    with pytest.raises(CommandError):
        _run("pull", "tiny-wan")
    assert model_store.partial_bytes(models_env, "tiny-wan") > 0
    _run("remove", "tiny-wan")
    assert not (models_env / model_store.PARTIAL_DIR / "tiny-wan").exists()


# --- the catalogue --------------------------------------------------------------------------------


def test_an_unpinned_revision_is_pulled_and_said_so(
    hub: LocalHub, models_env: Path, tmp_path: Path
) -> None:
    catalogue = tmp_path / "main.toml"
    catalogue.write_text(_catalogue(hub, revision="main", note="no commit could be found"))
    with override_settings(SORA_MODEL_CATALOGUE=str(catalogue)):
        out, _ = _run("pull", "tiny-wan")
    assert "The revision is not pinned: no commit could be found" in out
    manifest = json.loads((models_env / "tiny-wan" / model_store.MANIFEST).read_text())
    assert manifest["revision"] == "main" and manifest["commit"] == hub.repos[REPO].commit


def test_an_unpinned_revision_without_a_reason_is_a_catalogue_error(
    hub: LocalHub, models_env: Path, tmp_path: Path
) -> None:
    catalogue = tmp_path / "bad.toml"
    catalogue.write_text(_catalogue(hub, revision="main"))
    with (
        override_settings(SORA_MODEL_CATALOGUE=str(catalogue)),
        pytest.raises(CommandError, match="tiny-wan pins no commit .* no revision_note"),
    ):
        _run("list")


def test_the_shipped_catalogue_pins_every_model_and_cites_its_figures() -> None:
    catalogue = load_catalogue()
    assert set(catalogue) == {
        "ltx-2", "wan2.2-ti2v-5b", "wan2.1-t2v-1.3b", "cogvideox-5b", "hunyuanvideo-1.5-480p",
    }  # fmt: skip
    for model in catalogue.values():
        assert model.pinned, model.name
        assert model.revision_source and model.licence_url.startswith("https://")
        assert model.vram_source or model.vram_note
    assert catalogue["ltx-2"].tasks == ("t2v", "i2v", "audio")
    assert not catalogue["ltx-2"].commercial_use


def test_a_missing_catalogue_file_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="can't be read: No such file or directory"):
        load_catalogue(tmp_path / "nope.toml")


def test_list_shows_each_model_with_its_figures_and_the_models_folder(models_env: Path) -> None:
    with override_settings(SORA_MODEL_CATALOGUE=""):
        out, _ = _run("list")
        details, _ = _run("list", "--details")
    assert out.splitlines()[0].split() == [
        "NAME", "TASKS", "DOWNLOAD", "MIN", "VRAM", "KNOWN", "CARDS", "LICENCE", "STATUS",
    ]  # fmt: skip
    wan = next(line for line in out.splitlines() if line.startswith("wan2.1-t2v-1.3b "))
    assert wan.split()[:4] == ["wan2.1-t2v-1.3b", "t2v", "28.9", "GB"]
    assert "8.19 GB" in wan and "Apache-2.0 (commercial use)" in wan and "not installed" in wan
    assert f"Models folder: {models_env}" in out
    assert "Wan-AI/Wan2.1-T2V-1.3B-Diffusers at 0fad780a534b6463e45facd96134c9f345acfa5b" in details


def test_list_says_which_cards_ltx2_is_known_to_work_on_and_whose_figure_that_is(
    models_env: Path,
) -> None:
    with override_settings(SORA_MODEL_CATALOGUE=""):
        out, _ = _run("list")
        details, _ = _run("list", "--details")
    ltx2 = next(line for line in out.splitlines() if line.startswith("ltx-2 "))
    assert "32 GB or more" in ltx2
    wan = next(line for line in out.splitlines() if line.startswith("wan2.1-t2v-1.3b "))
    assert "not measured" in wan
    assert (
        "  known cards: 32 GB or more, from Lightricks' ComfyUI-LTXVideo README for LTX-2 19B"
    ) in details
    assert "https://github.com/Lightricks/ComfyUI-LTXVideo" in details
    assert "this app's diffusers path (bf16, Gemma 3 12B streamed from system memory) is not " in (
        details
    )


def test_a_catalogue_entry_naming_known_cards_without_a_source_is_refused(tmp_path: Path) -> None:
    shipped = (Path(model_store.__file__).parent / "model_catalogue.toml").read_text()
    broken = tmp_path / "catalogue.toml"
    broken.write_text(shipped.replace('known_cards_source = "', 'known_cards_origin = "', 1))
    refusal = "ltx-2 names known_cards without a known_cards_source"
    with pytest.raises(CatalogueError, match=refusal):
        load_catalogue(broken)


def test_only_the_models_command_reaches_the_downloader() -> None:
    # The worker loads its folder with local_files_only; downloads live in model_store alone,
    # and only the models command and its bench import it (engines reads the manifest's name
    # from the catalogue, so a web process never loads huggingface_hub).
    app = Path(model_store.__file__).parent
    downloaders = sorted(
        p.relative_to(app).as_posix() for p in app.rglob("*.py")
        if "http_get" in p.read_text() and "tests" not in p.parts
    )  # fmt: skip
    assert downloaders == ["model_store.py"]
    importers = sorted(
        p.name for p in app.rglob("*.py")
        if "model_store" in p.read_text() and "tests" not in p.parts and p.name != "model_store.py"
    )  # fmt: skip
    assert importers == ["bench_pull.py", "models.py"]


def test_bench_pull_prints_the_ratio_and_the_bytes_fetched_twice() -> None:
    from huggingface_hub import constants

    offline = constants.HF_HUB_OFFLINE
    out = StringIO()
    call_command("bench_pull", mb=4, shards=2, rounds=1, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Synthetic model: 4.0 MB in 2 shards, served by a local hub")
    assert lines[1].startswith("(importing diffusers for the config check took ")
    assert lines[2].startswith("snapshot_download: ") and lines[3].startswith("models pull: ")
    assert lines[4].startswith("ratio: ") and "the goal of 0.9x" in lines[4]
    assert lines[5].startswith("dropped connection half-way through transformer/")
    assert lines[6].startswith("Ctrl-C at half, then pull again: ")
    assert offline == constants.HF_HUB_OFFLINE  # the bench put it back
