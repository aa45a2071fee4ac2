"""The matching engine's vector store in the portal database: embeddings stored once, claimed by leases.

Why: every portal process behind a load balancer used to embed every change itself, and a new
process embedded the whole catalogue. Now each vector lives once in ``record_vector`` (float16
bytes, ``matching.codec``); a process that needs a missing vector first *claims* it in
``embed_lease`` (a row with an expiry), embeds it, and stores the vector and drops its lease in one
transaction. Other processes find the claim taken, serve the record lexically meanwhile and load the
vector once it is there. A holder that dies leaves a lease that expires, and the work is claimed again.

The claim is one statement on both backends::

    INSERT INTO embed_lease … ON CONFLICT (model_id, kind, record_id)
    DO UPDATE SET holder = :me, expires_at = :until, content_hash = …
    WHERE embed_lease.expires_at < :now OR embed_lease.holder = :me
    RETURNING record_id

PostgreSQL locks the conflicting row, so of two concurrent claims exactly one returns the id.

The store writes through its own connection pool (never inside a request's transaction). On SQLite a
request that holds the write lock while the engine stores a vector would block it; such a write is
kept in memory and retried by :meth:`retry_pending` (the vector already serves in this process).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from matching import codec
from matching.store import StoredVector, VectorStore
from portal import clock
from portal.db import make_engine
from portal.models import EmbedLease, RecordVector

log = logging.getLogger(__name__)
LEASE_SECONDS = 60.0  # a claim lasts this long (a batch of 8 long texts takes ~2 s on 2 cores)
CHUNK = 500  # ids per IN (...) query


def lease_seconds() -> float:
    """``PORTAL_EMBED_LEASE_SECONDS`` (default 60): how long a claim to embed lasts."""
    return float(os.environ.get("PORTAL_EMBED_LEASE_SECONDS") or LEASE_SECONDS)


class DatabaseVectorStore(VectorStore):
    """Vectors in ``record_vector``, claims in ``embed_lease``; shared by every process of one database.

    Example:
        >>> store = DatabaseVectorStore("sqlite:///var/portal.db")  # doctest: +SKIP
        >>> store.claim("use-m3", "offer", {7: "ab12…"})  # doctest: +SKIP
        {7}
    """

    keeps_records = False

    def __init__(
        self,
        url: str,
        *,
        holder: str | None = None,
        lease_s: float | None = None,
        vector_codec: str = codec.DEFAULT_CODEC,
        engine: Engine | None = None,
    ):
        self.engine = engine or make_engine(url)
        self._own_engine = engine is None
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.holder = holder or f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease_s = lease_s if lease_s is not None else lease_seconds()
        self.codec = vector_codec
        self._pending: dict[tuple[str, str], dict[int, StoredVector]] = {}
        self._lock = threading.Lock()

    # -------------------------------------------------------------------------------- reads
    def get_hashes(self, model_id: str, kind: str) -> dict[int, str]:
        q = select(RecordVector.record_id, RecordVector.content_hash).where(
            RecordVector.model_id == model_id, RecordVector.kind == kind
        )
        with self.engine.connect() as conn:
            return {int(i): h for i, h in conn.execute(q)}

    def count(self, model_id: str, kind: str | None = None) -> int:
        """Stored vectors of ``model_id`` (of one kind, or all)."""
        q = select(func.count()).select_from(RecordVector).where(RecordVector.model_id == model_id)
        if kind is not None:
            q = q.where(RecordVector.kind == kind)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    def _rows(self, rows: Iterable) -> dict[int, StoredVector]:  # type: ignore[type-arg]
        rows = list(rows)
        out: dict[int, StoredVector] = {}
        by_codec: dict[tuple[str, int], list] = {}  # type: ignore[type-arg]
        for row in rows:
            by_codec.setdefault((row.codec, row.dim), []).append(row)
        for (name, dim), group in by_codec.items():
            vectors = codec.decode_many([bytes(r.vector) for r in group], name, dim)
            for row, vector in zip(group, vectors, strict=True):
                out[int(row.record_id)] = StoredVector(int(row.record_id), row.content_hash, vector, None)
        return out

    def get(self, model_id: str, kind: str, ids: Iterable[int]) -> dict[int, StoredVector]:
        ids = sorted({int(i) for i in ids})
        out: dict[int, StoredVector] = {}
        cols = (RecordVector.record_id, RecordVector.content_hash, RecordVector.dim, RecordVector.codec)
        with self.engine.connect() as conn:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                q = select(*cols, RecordVector.vector).where(
                    RecordVector.model_id == model_id,
                    RecordVector.kind == kind,
                    RecordVector.record_id.in_(chunk),  # type: ignore[attr-defined]
                )
                out.update(self._rows(conn.execute(q)))
        with self._lock:
            pending = self._pending.get((model_id, kind), {})
            out.update({i: pending[i] for i in ids if i in pending})
        return out

    def iterate(self, model_id: str, kind: str, batch: int = 10_000) -> Iterator[list[StoredVector]]:
        last = -(2**31)
        cols = (RecordVector.record_id, RecordVector.content_hash, RecordVector.dim, RecordVector.codec)
        while True:
            q = (
                select(*cols, RecordVector.vector)
                .where(RecordVector.model_id == model_id, RecordVector.kind == kind)
                .where(RecordVector.record_id > last)
                .order_by(RecordVector.record_id)
                .limit(batch)
            )
            with self.engine.connect() as conn:
                rows = self._rows(conn.execute(q))
            if not rows:
                return
            last = max(rows)
            yield [rows[i] for i in sorted(rows)]

    def generation(self, model_id: str, kind: str) -> int:
        return 0  # a local snapshot is a cache: ``sync`` reconciles it with the database on every start

    def loaded(self, vector: np.ndarray) -> np.ndarray:
        return codec.roundtrip(vector, self.codec)

    # ------------------------------------------------------------------------------- writes
    def _insert(self):  # type: ignore[no-untyped-def]
        return sqlite_insert if self.is_sqlite else pg_insert

    def _write(self, fn) -> bool:  # type: ignore[no-untyped-def]
        """Run ``fn(conn)`` in its own transaction; False where SQLite's write lock is held elsewhere."""
        try:
            with self.engine.begin() as conn:
                if self.is_sqlite:
                    conn.exec_driver_sql("PRAGMA busy_timeout=3000")
                fn(conn)
            return True
        except OperationalError as exc:
            if self.is_sqlite and "locked" in str(exc):
                return False
            raise

    def put(self, model_id: str, kind: str, items: Iterable[StoredVector]) -> None:
        items = list(items)
        if not items:
            return
        if not self._put_now(model_id, kind, items):
            log.info("database busy: %d %s vector(s) kept for a later write", len(items), kind)
            with self._lock:
                self._pending.setdefault((model_id, kind), {}).update({i.id: i for i in items})

    def _put_now(self, model_id: str, kind: str, items: list[StoredVector]) -> bool:
        now = clock.now()
        rows = [
            {
                "model_id": model_id,
                "kind": kind,
                "record_id": int(item.id),
                "content_hash": item.content_hash,
                "dim": int(np.asarray(item.vector).shape[0]),
                "codec": self.codec,
                "vector": codec.encode(item.vector, self.codec),
                "updated_at": now,
            }
            for item in items
        ]
        stmt = self._insert()(RecordVector)
        stmt = stmt.on_conflict_do_update(
            index_elements=["model_id", "kind", "record_id"],
            set_={
                name: getattr(stmt.excluded, name)
                for name in ("content_hash", "dim", "codec", "vector", "updated_at")
            },
        )
        ids = [int(item.id) for item in items]

        def write(conn) -> None:  # type: ignore[no-untyped-def]
            conn.execute(stmt, rows)
            conn.execute(self._lease_rows(model_id, kind, ids, mine=True))

        return self._write(write)

    def retry_pending(self) -> int:
        """Write vectors that found SQLite's write lock taken; returns how many are still waiting."""
        with self._lock:
            pending, self._pending = self._pending, {}
        for (model_id, kind), items in pending.items():
            self.put(model_id, kind, list(items.values()))
        with self._lock:
            return sum(len(v) for v in self._pending.values())

    def _lease_rows(self, model_id: str, kind: str, ids: list[int], mine: bool):  # type: ignore[no-untyped-def]
        q = delete(EmbedLease).where(
            EmbedLease.model_id == model_id,
            EmbedLease.kind == kind,
            EmbedLease.record_id.in_(ids),  # type: ignore[attr-defined]
        )
        return q.where(EmbedLease.holder == self.holder) if mine else q

    def update_records(self, model_id: str, kind: str, records: Iterable) -> None:  # type: ignore[type-arg]
        """Nothing to do: the records live in the portal's own tables."""

    def delete(self, model_id: str, kind: str, ids: Iterable[int]) -> None:
        ids = [int(i) for i in ids]
        if not ids:
            return

        def write(conn) -> None:  # type: ignore[no-untyped-def]
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                conn.execute(
                    delete(RecordVector).where(
                        RecordVector.model_id == model_id,
                        RecordVector.kind == kind,
                        RecordVector.record_id.in_(chunk),  # type: ignore[attr-defined]
                    )
                )
                conn.execute(self._lease_rows(model_id, kind, chunk, mine=False))

        with self._lock:
            pending = self._pending.get((model_id, kind), {})
            for i in ids:
                pending.pop(i, None)
        self._write(write)  # a busy SQLite keeps the rows; they are deleted on the next reconcile

    def claim(self, model_id: str, kind: str, wanted: Mapping[int, str]) -> set[int]:
        if not wanted:
            return set()
        now = time.time()
        rows = [
            {
                "model_id": model_id,
                "kind": kind,
                "record_id": int(i),
                "content_hash": h,
                "holder": self.holder,
                "expires_at": now + self.lease_s,
            }
            for i, h in wanted.items()
        ]
        stmt = self._insert()(EmbedLease).values(rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=["model_id", "kind", "record_id"],
            set_={
                "content_hash": stmt.excluded.content_hash,
                "holder": stmt.excluded.holder,
                "expires_at": stmt.excluded.expires_at,
            },
            where=(EmbedLease.expires_at < now) | (EmbedLease.holder == self.holder),
        ).returning(EmbedLease.record_id)
        got: set[int] = set()

        def write(conn) -> None:  # type: ignore[no-untyped-def]
            got.update(int(r[0]) for r in conn.execute(stmt))

        if not self._write(write):
            return set(wanted)  # SQLite busy (one server): embed here rather than wait
        return got

    def release(self, model_id: str, kind: str, ids: Iterable[int]) -> None:
        ids = [int(i) for i in ids]
        if ids:
            self._write(lambda conn: conn.execute(self._lease_rows(model_id, kind, ids, mine=True)))

    def leases(self, model_id: str | None = None) -> list[EmbedLease]:
        """Current claims (for status output and tests)."""
        q = select(EmbedLease.__table__)  # type: ignore[attr-defined]
        if model_id is not None:
            q = q.where(EmbedLease.model_id == model_id)
        with self.engine.connect() as conn:
            return [EmbedLease(**row._mapping) for row in conn.execute(q)]

    def delete_model(self, model_id: str) -> int:
        """Drop every vector and claim of ``model_id`` (``reindex --force`` / ``--prune``); returns the count."""
        n = self.count(model_id)
        with self.engine.begin() as conn:
            conn.execute(delete(RecordVector).where(RecordVector.model_id == model_id))
            conn.execute(delete(EmbedLease).where(EmbedLease.model_id == model_id))
        return n

    def close(self) -> None:
        """Engines share one store: :meth:`dispose` releases it."""

    def dispose(self) -> None:
        self.retry_pending()
        if self._own_engine:
            self.engine.dispose()
