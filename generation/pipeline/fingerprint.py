"""Perceptual hashes of a video's frames, about one a second.

A copy whose metadata was stripped, or that was re-encoded, keeps nearly the same hashes, so the
Verify page can still recognise it.
"""

from __future__ import annotations

from typing import IO

import imagehash

MAX_HASHES = 60
# Hamming distance (of 64 bits) under which two frame hashes count as the same picture.
SAME_FRAME_DISTANCE = 10
UNREADABLE = "We couldn't read that file as a video. Upload an MP4, MOV or WebM file."


def keyframe_hashes(source: str | IO[bytes]) -> list[str]:
    """pHash of one frame at 0.5 s, 1.5 s, 2.5 s… (hex strings)."""
    import av

    hashes: list[str] = []
    next_time = 0.5
    try:
        with av.open(source) as container:
            if not container.streams.video:
                raise ValueError(UNREADABLE)
            for frame in container.decode(video=0):
                if frame.time is None or frame.time + 1e-6 < next_time:
                    continue
                hashes.append(str(imagehash.phash(frame.to_image())))
                next_time += 1.0
                if len(hashes) >= MAX_HASHES:
                    break
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise ValueError(UNREADABLE) from exc
    if not hashes:
        raise ValueError(UNREADABLE)
    return hashes


def match_fraction(probe: list[str], known: list[str]) -> float:
    """Share of the probe's frames that look like one of the known frames."""
    if not probe or not known:
        return 0.0
    known_hashes = [imagehash.hex_to_hash(h) for h in known]
    hits = sum(
        1
        for h in probe
        if min(imagehash.hex_to_hash(h) - k for k in known_hashes) <= SAME_FRAME_DISTANCE
    )
    return hits / len(probe)
