"""Rebuild the committed pictogram data from the two npm tarballs it came from.

    npm pack @iconify-json/fluent-emoji-flat@1.2.6 emojibase-data@17.0.0
    python -m generation.pipeline.pictograms.build_data \
        iconify-json-fluent-emoji-flat-1.2.6.tgz emojibase-data-17.0.0.tgz

It writes three files under ``data/``: the icons (name -> SVG body, sizes, emoji codes), the
English labels and tags of each emoji, and MiniLM vectors of every icon's label. Nothing here
runs in the app; the app reads only what this wrote.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import tarfile
from pathlib import Path
from typing import Any

import numpy as np

from generation.pipeline import pictograms
from generation.pipeline.pictograms import (
    ICONS_FILE,
    LABELS_FILE,
    SKIN_TONES,
    VECTORS_FILE,
    hex_key,
)
from sora_site import embeddings

DATA = pictograms.DATA_DIR


def _member(tgz: Path, name: str) -> Any:
    with tarfile.open(tgz) as tar:
        handle = tar.extractfile(name)
        if handle is None:
            raise SystemExit(f"{tgz} has no {name}.")
        return json.load(handle)


def icons_payload(fluent_tgz: Path) -> dict[str, Any]:
    """Visible icons and their flipped aliases, with emoji code -> icon name."""
    icon_set = _member(fluent_tgz, "package/icons.json")
    info = _member(fluent_tgz, "package/info.json")
    chars = _member(fluent_tgz, "package/chars.json")
    icons = {}
    for name, icon in icon_set["icons"].items():
        if icon.get("hidden"):
            continue
        icons[name] = {"body": icon["body"]}
        icons[name].update({k: icon[k] for k in ("width", "height") if k in icon})
    aliases = {
        name: {k: alias[k] for k in ("parent", "hFlip") if k in alias}
        for name, alias in icon_set.get("aliases", {}).items()
        if alias["parent"] in icons
    }
    return {
        "source": "@iconify-json/fluent-emoji-flat 1.2.6",
        "license": info["license"]["spdx"],
        "width": icon_set.get("width", 32),
        "height": icon_set.get("height", 32),
        "icons": icons,
        "aliases": aliases,
        "chars": {hex_key(code): name for code, name in chars.items()},
    }


TONE_SUFFIX = {
    "1f3fb": "light",
    "1f3fc": "medium-light",
    "1f3fd": "medium",
    "1f3fe": "medium-dark",
    "1f3ff": "dark",
}


def add_alias_chars(emojibase_tgz: Path, icons: dict[str, Any]) -> None:
    """Give the flipped aliases (backhand-index-pointing-right) the emoji codes the icon set's
    own table leaves out, found by their emojibase label."""
    data = _member(emojibase_tgz, "package/en/data.json")
    named = set(icons["chars"].values())
    for entry in data:
        code = hex_key(entry["hexcode"])
        name = "-".join(re.findall(r"[a-z0-9]+", entry["label"].lower()))
        if code in icons["chars"] or name not in icons["aliases"] or name in named:
            continue
        icons["chars"][code] = name
        for skin in entry.get("skins", []):
            skin_code = hex_key(skin["hexcode"])
            tones = [TONE_SUFFIX[part] for part in skin_code.split("-") if part in TONE_SUFFIX]
            toned = f"{name}-{tones[0]}" if len(tones) == 1 else ""
            if toned in icons["aliases"]:
                icons["chars"][skin_code] = toned


def labels_payload(emojibase_tgz: Path, icons: dict[str, Any]) -> dict[str, Any]:
    """Label, tags and subgroup of each emoji that has an icon, keyed by its code."""
    data = _member(emojibase_tgz, "package/en/data.json")
    groups = _member(emojibase_tgz, "package/meta/groups.json")
    wanted = {code for code in icons["chars"] if not SKIN_TONES & set(code.split("-"))}
    emoji = {}
    for entry in data:
        code = hex_key(entry["hexcode"])
        if code in wanted:
            emoji[code] = {
                "label": entry["label"],
                "tags": entry.get("tags", []),
                "subgroup": groups["subgroups"].get(str(entry.get("subgroup")), ""),
                "order": entry.get("order", 0),
            }
    return {"source": "emojibase-data 17.0.0 (en)", "license": "MIT", "emoji": emoji}


def _write_gz(path: Path, payload: dict[str, Any]) -> None:
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    # mtime=0 keeps the file byte-identical between rebuilds.
    path.write_bytes(gzip.compress(raw.encode(), compresslevel=9, mtime=0))


def write_vectors(path: Path, names: list[str], texts: list[str]) -> None:
    vectors = embeddings.embed_texts(texts).astype(np.float16)
    np.savez_compressed(path, names=np.array(names), texts=np.array(texts), vectors=vectors)


def main(argv: list[str]) -> None:
    fluent_tgz, emojibase_tgz = (Path(arg) for arg in argv)
    icons = icons_payload(fluent_tgz)
    add_alias_chars(emojibase_tgz, icons)
    _write_gz(DATA / ICONS_FILE, icons)
    _write_gz(DATA / LABELS_FILE, labels_payload(emojibase_tgz, icons))
    pictograms.reload()
    names, texts = pictograms.similarity_texts()
    write_vectors(DATA / VECTORS_FILE, names, texts)
    for file in (ICONS_FILE, LABELS_FILE, VECTORS_FILE):
        print(file, (DATA / file).stat().st_size, "bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
