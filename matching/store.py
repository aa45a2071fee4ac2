"""Vector store: embeddings keyed by ``(model_id, kind, id)`` with a content hash.

The store is the source of truth for vectors: the FAISS index is derived from it
and can always be rebuilt from it. Records are stored beside their vectors so
filters and signals survive a restart.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matching.records import Record


@dataclass(frozen=True)
class StoredVector:
    """One stored embedding and the record it was made from."""

    id: int
    content_hash: str
    vector: np.ndarray
    record: Record | None  # None where the store keeps vectors only (the records live elsewhere)


class VectorStore(ABC):
    """Persistent embeddings, one namespace per ``(model_id, kind)``.

    A store shared by several processes (a database) also coordinates who embeds what:
    :meth:`claim` grants a process the right to embed a record's current content, :meth:`put`
    stores the vector and gives the claim back. A single-process store grants every claim.
    """

    #: False where the store keeps no records (the engine then starts empty and is reconciled by
    #: ``sync`` with the authoritative records, loading their stored vectors instead of embedding).
    keeps_records: bool = True

    def claim(self, model_id: str, kind: str, wanted: Mapping[int, str]) -> set[int]:
        """Ids of ``wanted`` (``{id: content_hash}``) this process may embed now; the rest is
        being embedded by another process (wait for its vector, see ``MatchingEngine.collect``)."""
        return set(wanted)

    def release(self, model_id: str, kind: str, ids: Iterable[int]) -> None:  # noqa: B027 - optional hook
        """Give claims back without storing a vector (nothing to do for a single-process store)."""

    def loaded(self, vector: np.ndarray) -> np.ndarray:
        """The vector as any process will load it back (after the store's compression)."""
        return np.asarray(vector, dtype=np.float32)

    @abstractmethod
    def get_hashes(self, model_id: str, kind: str) -> dict[int, str]:
        """Return ``{id: content_hash}`` for every stored vector."""

    @abstractmethod
    def get(self, model_id: str, kind: str, ids: Iterable[int]) -> dict[int, StoredVector]:
        """Return the stored vectors for ``ids`` (missing ids are left out)."""

    @abstractmethod
    def iterate(self, model_id: str, kind: str, batch: int = 10_000) -> Iterator[list[StoredVector]]:
        """Yield every stored vector in batches (for index rebuilds)."""

    @abstractmethod
    def put(self, model_id: str, kind: str, items: Iterable[StoredVector]) -> None:
        """Insert or replace vectors."""

    @abstractmethod
    def update_records(self, model_id: str, kind: str, records: Iterable[Record]) -> None:
        """Replace the stored record of existing vectors (metadata-only change)."""

    @abstractmethod
    def delete(self, model_id: str, kind: str, ids: Iterable[int]) -> None:
        """Remove vectors; unknown ids are ignored."""

    @abstractmethod
    def generation(self, model_id: str, kind: str) -> int:
        """A counter bumped by every write, to detect a stale persisted index."""

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release resources."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    model_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (model_id, kind, id)
);
CREATE TABLE IF NOT EXISTS generations (
    model_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    generation INTEGER NOT NULL,
    PRIMARY KEY (model_id, kind)
);
"""


class SQLiteVectorStore(VectorStore):
    """File-backed store (one SQLite file, WAL mode), safe to share between threads.

    Example:
        >>> store = SQLiteVectorStore(":memory:")
        >>> store.get_hashes("m", "offer")
        {}
    """

    def __init__(self, path: str | Path):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)

    @staticmethod
    def _row(row: tuple) -> StoredVector:
        id_, content_hash, dim, blob, record = row
        vector = np.frombuffer(blob, dtype=np.float32, count=dim).copy()
        return StoredVector(id_, content_hash, vector, Record.from_json(json.loads(record)))

    def get_hashes(self, model_id: str, kind: str) -> dict[int, str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, content_hash FROM vectors WHERE model_id=? AND kind=?", (model_id, kind)
            ).fetchall()
        return dict(rows)

    def get(self, model_id: str, kind: str, ids: Iterable[int]) -> dict[int, StoredVector]:
        ids = [int(i) for i in ids]
        out: dict[int, StoredVector] = {}
        with self._lock:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    "SELECT id, content_hash, dim, vector, record FROM vectors "
                    f"WHERE model_id=? AND kind=? AND id IN ({marks})",
                    (model_id, kind, *chunk),
                ).fetchall()
                out.update((row[0], self._row(row)) for row in rows)
        return out

    def iterate(self, model_id: str, kind: str, batch: int = 10_000) -> Iterator[list[StoredVector]]:
        last = -(2**63)
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT id, content_hash, dim, vector, record FROM vectors "
                    "WHERE model_id=? AND kind=? AND id>? ORDER BY id LIMIT ?",
                    (model_id, kind, last, batch),
                ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [self._row(row) for row in rows]

    def _bump(self, model_id: str, kind: str) -> None:
        self._db.execute(
            "INSERT INTO generations VALUES (?, ?, 1) ON CONFLICT(model_id, kind) "
            "DO UPDATE SET generation = generation + 1",
            (model_id, kind),
        )

    def put(self, model_id: str, kind: str, items: Iterable[StoredVector]) -> None:
        rows = [
            (
                model_id,
                kind,
                int(item.id),
                item.content_hash,
                int(item.vector.shape[0]),
                np.asarray(item.vector, dtype=np.float32).tobytes(),
                json.dumps(item.record.to_json(), ensure_ascii=False),
            )
            for item in items
        ]
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?,?,?,?,?)", rows)
            self._bump(model_id, kind)

    def update_records(self, model_id: str, kind: str, records: Iterable[Record]) -> None:
        rows = [(json.dumps(r.to_json(), ensure_ascii=False), model_id, kind, r.id) for r in records]
        with self._lock, self._db:
            self._db.executemany("UPDATE vectors SET record=? WHERE model_id=? AND kind=? AND id=?", rows)
            self._bump(model_id, kind)

    def delete(self, model_id: str, kind: str, ids: Iterable[int]) -> None:
        rows = [(model_id, kind, int(i)) for i in ids]
        with self._lock, self._db:
            self._db.executemany("DELETE FROM vectors WHERE model_id=? AND kind=? AND id=?", rows)
            self._bump(model_id, kind)

    def generation(self, model_id: str, kind: str) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT generation FROM generations WHERE model_id=? AND kind=?", (model_id, kind)
            ).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        with self._lock:
            self._db.close()
