"""``manage.py models list|pull|verify|remove|use``: install real video models (README, "Install a
real model"). This is the only code that downloads; the worker only ever loads a local folder."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from generation import model_store as store
from generation.model_catalogue import NAME, CatalogueError, CatalogueModel, load_catalogue
from generation.pipeline.families import read_model_index

INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C


class Command(BaseCommand):
    help = (
        "List, install (pull), check (verify), delete (remove) or choose (use) a real video "
        "model from the catalogue in generation/model_catalogue.toml."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = actions.add_parser("list", help="The catalogue, with what is installed.")
        listing.add_argument(
            "--details", action="store_true",
            help="Also each model's repository, revision, and the sources of its figures.",
        )  # fmt: skip
        pull = actions.add_parser("pull", help="Download, verify and install a model.")
        pull.add_argument("name")
        pull.add_argument(
            "--accept-licence", action="store_true",
            help="Accept a licence that restricts use (the pull shows it and names it).",
        )  # fmt: skip
        for action, text in (
            ("verify", "Hash every file of an installed model against the hub's hashes again."),
            ("remove", "Delete an installed model and any partial download of it."),
            ("use", "Print the SORA_VIDEO_MODEL line that points the video workers at it."),
        ):
            actions.add_parser(action, help=text).add_argument("name")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        self.models_dir = Path(settings.SORA_MODELS_DIR).expanduser()
        path = settings.SORA_MODEL_CATALOGUE
        try:
            self.catalogue = load_catalogue(Path(path).expanduser() if path else None)
        except CatalogueError as exc:
            raise CommandError(str(exc)) from exc
        handler = getattr(self, f"do_{action}")
        if action == "list":
            handler(details=options["details"])
        elif action == "pull":
            try:
                handler(options["name"], accept=options["accept_licence"])
            except KeyboardInterrupt:  # outside the download itself, which says how far it got
                raise CommandError(
                    "Stopped; run the same command to resume.", returncode=INTERRUPTED
                ) from None
        else:
            handler(options["name"])

    # --- list -------------------------------------------------------------------------------------

    def do_list(self, *, details: bool) -> None:
        rows = [("NAME", "TASKS", "DOWNLOAD", "MIN VRAM", "KNOWN CARDS", "LICENCE", "STATUS")]
        rows += [self._row(model) for model in self.catalogue.values()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[-1]]).rstrip())
        self.stdout.write(f"Models folder: {self.models_dir}")
        if details:
            for model in self.catalogue.values():
                self._details(model)
        else:
            self.stdout.write("`models list --details` adds repositories, revisions and sources.")

    def _row(self, model: CatalogueModel) -> tuple[str, ...]:
        size = store.human_size(model.download_bytes) if model.download_bytes else "unpublished"
        vram = f"{model.min_vram_gb:g} GB" if model.min_vram_gb is not None else "unpublished"
        terms = "commercial use" if model.commercial_use else "restricted"
        licence = f"{model.licence} ({terms})"
        cards = ", ".join(model.known_cards) or "not measured"
        status = self._status(model.name)
        return (model.name, "+".join(model.tasks), size, vram, cards, licence, status)

    def _status(self, name: str) -> str:
        model = store.installed(self.models_dir, name)
        if model is not None:
            checked = "verified" if model.verified else "FAILED verification"
            return f"installed, {store.human_size(model.size)} on disk, {checked}"
        partial = store.partial_bytes(self.models_dir, name)
        if partial:
            return f"partly downloaded ({store.human_size(partial)}); pull resumes it"
        return "not installed"

    def _details(self, model: CatalogueModel) -> None:
        lines = [
            f"{model.name}: {model.title}",
            f"  {model.repo} at {model.revision} ({model.pipeline}, family {model.family})",
            f"  revision: {model.revision_note or model.revision_source}",
            f"  download: {model.download_source or model.download_note}",
            f"  VRAM: {model.vram_source or ''} {model.vram_note}".rstrip(),
            f"  known cards: {self._cards(model)}",
            f"  licence: {model.licence_sentence()}",
        ]
        self.stdout.write("\n".join(lines))

    def _cards(self, model: CatalogueModel) -> str:
        if not model.known_cards:
            return "not measured"
        cards = ", ".join(model.known_cards)
        note = f"; {model.known_cards_note}" if model.known_cards_note else ""
        return f"{cards}, from {model.known_cards_source}{note}."

    # --- pull -------------------------------------------------------------------------------------

    def do_pull(self, name: str, *, accept: bool) -> None:
        model = self._model(name)
        existing = store.installed(self.models_dir, name)
        if existing is not None:
            self.stdout.write(
                f"{name} is already installed in {existing.folder}; `models verify {name}` "
                "checks it again."
            )
            self._print_use(existing)
            return
        self._refuse_foreign_folder(name)
        self.stdout.write(f"{model.title}: {model.repo} at {model.revision}.")
        self.stdout.write(f"Licence: {model.licence_sentence()}")
        if not model.pinned:
            self.stdout.write(f"The revision is not pinned: {model.revision_note}")
        self._refuse_licence(model, gated=False, accept=accept)
        endpoint = store.hub_endpoint()
        try:
            plan = store.plan_pull(model, models_dir=self.models_dir, endpoint=endpoint)
        except store.ModelStoreError as exc:
            raise CommandError(str(exc)) from exc
        self._refuse_licence(model, gated=plan.gated, accept=accept)
        try:
            store.check_disk(self.models_dir, plan.total - plan.have, name)
        except store.ModelStoreError as exc:
            raise CommandError(str(exc)) from exc
        staging = self._download(plan, endpoint)
        try:
            pipeline = store.check_config(staging)
        except store.ModelStoreError as exc:
            store.remove(self.models_dir, name)
            raise CommandError(f"{exc} The download was deleted.") from exc
        installed = store.install(plan, staging, models_dir=self.models_dir)
        self.stdout.write(
            f"Installed {name} ({pipeline}) in {installed.folder}: {len(plan.files)} files, "
            f"{store.human_size(plan.total)}, each matching the hub's hash."
        )
        self._print_use(installed)

    def _refuse_licence(self, model: CatalogueModel, *, gated: bool, accept: bool) -> None:
        refusal = store.licence_refusal(model, gated=gated, accepted=accept)
        if refusal:
            raise CommandError(refusal)

    def _download(self, plan: store.PullPlan, endpoint: str) -> Path:
        earlier = f" ({store.human_size(plan.have)} already here)" if plan.have else ""
        self.stdout.write(
            f"Downloading {len(plan.files)} files, {store.human_size(plan.total)}{earlier}, "
            f"from {endpoint}. Ctrl-C stops; the same command resumes."
        )
        bar = tqdm(
            total=plan.total, initial=plan.have, unit="B", unit_scale=True, desc=plan.model.name,
            file=_Stream(self.stderr), mininterval=0.5, dynamic_ncols=True,
        )  # fmt: skip
        lock = threading.Lock()

        def progress(n: int) -> None:
            with lock:
                bar.update(n)

        try:
            return store.download(
                plan, models_dir=self.models_dir, endpoint=endpoint, progress=progress
            )
        except store.PullInterrupted:
            got = store.human_size(store.partial_bytes(self.models_dir, plan.model.name))
            raise CommandError(
                f"Stopped with {got} of {store.human_size(plan.total)} downloaded; run the same "
                "command to resume from there.",
                returncode=INTERRUPTED,
            ) from None
        except store.ModelStoreError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()

    # --- verify, remove, use ----------------------------------------------------------------------

    def do_verify(self, name: str) -> None:
        model = self._installed(name)
        problems = store.verify(model)
        if problems:
            shown = "; ".join(problems[:5]) + ("; …" if len(problems) > 5 else "")
            raise CommandError(
                f"{name} failed verification ({shown}). Run `models remove {name}` and pull it "
                "again."
            )
        files = model.manifest["files"]
        self.stdout.write(
            f"{name}: all {len(files)} files ({store.human_size(model.size)}) match the hub's "
            "hashes."
        )

    def do_remove(self, name: str) -> None:
        self._check_name(name)
        if store.installed(self.models_dir, name) is None:
            self._refuse_foreign_folder(name)
            if not store.partial_bytes(self.models_dir, name):
                raise CommandError(f"{name} is not installed in {self.models_dir}.")
        folder = store.model_folder(self.models_dir, name).resolve()
        freed = store.remove(self.models_dir, name)
        self.stdout.write(f"Removed {name} from {self.models_dir} ({store.human_size(freed)}).")
        current = settings.SORA_VIDEO_MODEL
        if current and Path(current).expanduser().resolve() == folder:
            self.stdout.write(
                "SORA_VIDEO_MODEL still points at it, so the video workers will refuse to start "
                "until you change or unset it."
            )

    def do_use(self, name: str) -> None:
        self._print_use(self._installed(name), strict=True)

    def _print_use(self, model: store.Installed, *, strict: bool = False) -> None:
        if not model.verified:
            raise CommandError(
                f"{model.name} failed its last verification; run `models verify {model.name}` "
                "or remove it and pull it again."
            )
        try:
            read_model_index(model.folder)
        except ValueError as exc:
            if strict:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"The video worker can't use it yet: {exc}")
            return
        self.stdout.write(
            "Put this line in the environment of every video worker, then restart them:\n"
            f"SORA_VIDEO_MODEL={model.folder}"
        )

    # --- helpers ----------------------------------------------------------------------------------

    def _model(self, name: str) -> CatalogueModel:
        if name not in self.catalogue:
            names = ", ".join(self.catalogue)
            raise CommandError(
                f"There is no model {name!r} in the catalogue; choose one of {names}."
            )
        return self.catalogue[name]

    def _installed(self, name: str) -> store.Installed:
        self._check_name(name)
        model = store.installed(self.models_dir, name)
        if model is None:
            raise CommandError(
                f"{name} is not installed in {self.models_dir}; `models pull {name}` installs it."
            )
        return model

    def _check_name(self, name: str) -> None:
        if not NAME.fullmatch(name):
            raise CommandError(f"{name!r} is not a model name; `models list` shows them.")

    def _refuse_foreign_folder(self, name: str) -> None:
        folder = store.model_folder(self.models_dir, name)
        if folder.exists():
            raise CommandError(
                f"{folder} exists but was not installed by `models pull`; move it away first."
            )


class _Stream:
    """tqdm's output through the command's stderr, without the newline Django adds to writes."""

    def __init__(self, wrapper: Any) -> None:
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")

    def flush(self) -> None:
        self.wrapper.flush()
