"""An encoder wrapper that remembers embeddings by text, across engines and processes.

Why: the vector store is keyed by record id; the same text embedded under another id (a restored
backup, a second database, a test's fresh world) would be embedded again. Embedding is the
dominant cost (see docs/matching.md), so identical texts are looked up in a small SQLite file
keyed by ``sha256(model_id, mode, text)`` first.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matching.encoders import Encoder


class CachedEncoder(Encoder):
    """Wrap ``inner``; vectors are identical to the inner encoder's (same model_id).

    Example:
        >>> enc = CachedEncoder(create_encoder("use-m3"), Path("/tmp/embed-cache.sqlite"))  # doctest: +SKIP
    """

    def __init__(self, inner: Encoder, path: Path, seeds: Sequence[Path] = ()):
        self.inner = inner
        self._seed_paths = [Path(p) for p in seeds if Path(p).exists()]
        self._seeds: dict[str, np.ndarray] | None = None
        self.model_id = inner.model_id
        self.dim = inner.dim
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS embedding (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._db.commit()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def _key(self, mode: str, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x00{mode}\x00{text}".encode()).hexdigest()

    def _encode(self, texts: Sequence[str], mode: str) -> np.ndarray:
        keys = [self._key(mode, t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                marks = ",".join("?" * len(part))
                rows = self._db.execute(f"SELECT key, vector FROM embedding WHERE key IN ({marks})", part)
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing and self._seed_paths:
            seeds = self._load_seeds()
            for i in missing:
                if keys[i] in seeds:
                    found[keys[i]] = seeds[keys[i]]
            missing = [i for i in missing if keys[i] not in found]
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            todo = [texts[i] for i in missing]
            vectors = self.inner.encode_queries(todo) if mode == "q" else self.inner.encode_passages(todo)
            with self._lock:
                self._db.executemany(
                    "INSERT OR REPLACE INTO embedding (key, vector) VALUES (?, ?)",
                    [
                        (keys[i], np.asarray(v, dtype=np.float32).tobytes())
                        for i, v in zip(missing, vectors, strict=True)
                    ],
                )
                self._db.commit()
            for i, v in zip(missing, vectors, strict=True):
                found[keys[i]] = np.asarray(v, dtype=np.float32)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = found[key]
        return out

    def _load_seeds(self) -> dict[str, np.ndarray]:
        """Read-only seed files (``keys``/``vectors`` arrays), e.g. the shipped demo embeddings."""
        if self._seeds is None:
            seeds: dict[str, np.ndarray] = {}
            for path in self._seed_paths:
                with np.load(path, allow_pickle=False) as data:
                    if data["vectors"].shape[1:] != (self.dim,):
                        continue
                    seeds.update(zip(data["keys"].tolist(), data["vectors"].astype(np.float32), strict=True))
            self._seeds = seeds
        return self._seeds

    def export(self, path: Path) -> int:
        """Write every cached vector of this model to an ``.npz`` seed file; returns the count."""
        with self._lock:
            rows = self._db.execute("SELECT key, vector FROM embedding").fetchall()
        keys = np.array([k for k, _ in rows])
        vectors = (
            np.vstack([np.frombuffer(b, dtype=np.float32) for _, b in rows])
            if rows
            else np.zeros((0, self.dim))
        )
        np.savez_compressed(path, keys=keys, vectors=vectors.astype(np.float32))
        return len(rows)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), "q")

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), "p")
