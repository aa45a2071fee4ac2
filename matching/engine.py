"""The facade: :class:`MatchingEngine` over encoder, vector store, FAISS and BM25.

Thread safety: searches share a read lock and run concurrently; writes are
serialised by a writer mutex and hold the exclusive lock only while they apply
already-computed vectors and tokens (embedding happens before, outside it).
"""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import faiss
import numpy as np

from matching.catalog import Catalog
from matching.encoders import Encoder, create_encoder
from matching.index import VectorIndex
from matching.lexical import Tokenizer, load_domain
from matching.records import (
    KINDS,
    Filters,
    Kind,
    Match,
    Reasons,
    Record,
    content_hash,
    document_text,
)
from matching.rwlock import RWLock
from matching.signals import Weights, fuse, structured
from matching.store import SQLiteVectorStore, StoredVector, VectorStore

log = logging.getLogger(__name__)
_STATE_VERSION = 1


@dataclass(frozen=True)
class EngineConfig:
    """Typed configuration of a :class:`MatchingEngine`.

    Args:
        state_dir: folder for ``vectors.sqlite`` and the persisted indexes.
        embedder: a ``PORTAL_EMBEDDER`` value; None reads the environment.
        domain_dict: taxonomy JSON (``sectors.json``) or jieba user dictionary.
        province_region: region code of province-wide records.
        weights: fusion weights.
        exact_max: exact FAISS index up to this many vectors, IVF beyond.
        nprobe: IVF lists probed per query.
        candidates: dense and lexical candidates re-ranked per query.
        mlt_terms: key terms (highest tf-idf) used when a stored record is the query.
        persist_every: writes between index snapshots (also saved on sync/flush/close).
        embed_batch: texts per encoder call in bulk and background embedding.
        faiss_threads: OpenMP threads for FAISS (1 is fastest for single queries;
            set process-wide by the engine; None leaves FAISS alone).
        today: clock for deadline signals (injectable for tests).
    """

    state_dir: Path
    embedder: str | None = None
    domain_dict: Path | None = None
    province_region: str = "province"
    weights: Weights = field(default_factory=Weights)
    exact_max: int = 50_000
    nprobe: int = 16
    candidates: int = 100
    mlt_terms: int = 12
    persist_every: int = 200
    embed_batch: int = 8
    faiss_threads: int | None = 1
    today: Callable[[], dt.date] = dt.date.today


@dataclass(frozen=True)
class Progress:
    """Embedding progress of one kind (``done == total`` when idle)."""

    kind: Kind
    done: int
    total: int


@dataclass(frozen=True)
class SyncReport:
    """What :meth:`MatchingEngine.sync` changed."""

    added: int
    updated: int
    removed: int
    embedded: int
    pending: int


class _Shard:
    """Everything the engine keeps for one kind."""

    def __init__(self, dim: int, config: EngineConfig):
        self.index = VectorIndex(dim, config.exact_max, config.nprobe)
        self.catalog = Catalog(config.province_region)
        self.hashes: dict[int, str] = {}  # ids whose vector is in the index


class MatchingEngine:
    """Ranked, explained matches between scenarios, offers and free text.

    Example:
        >>> engine = MatchingEngine(EngineConfig(Path("/tmp/state")))  # doctest: +SKIP
        >>> engine.sync("offer", offers)  # doctest: +SKIP
        >>> engine.search("交通信号配时优化", "offer", k=5)  # doctest: +SKIP
    """

    def __init__(
        self,
        config: EngineConfig,
        encoder: Encoder | None = None,
        store: VectorStore | None = None,
        progress: Callable[[Progress], None] | None = None,
    ):
        self.config = config
        if config.faiss_threads:
            faiss.omp_set_num_threads(config.faiss_threads)
        self.encoder = encoder or create_encoder(config.embedder)
        Path(config.state_dir).mkdir(parents=True, exist_ok=True)
        self.store = store or SQLiteVectorStore(Path(config.state_dir) / "vectors.sqlite")
        domain = load_domain(config.domain_dict)
        self.sector_labels = domain.sector_labels
        self.tokenizer = Tokenizer(domain)
        self._rw = RWLock()
        self._writer = threading.Lock()
        self._progress_cb = progress
        self._progress = {kind: Progress(kind, 0, 0) for kind in KINDS}
        self._writes = 0
        self._queue: queue.Queue[tuple[Kind, list[Record]] | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()
        self._waiting: dict[Kind, set[int]] = {kind: set() for kind in KINDS}  # another process embeds them
        self.embedded_texts = 0  # record texts this engine handed to the encoder (queries not counted)
        self._shards = {kind: self._load_shard(kind) for kind in KINDS}

    # ------------------------------------------------------------ persistence
    def _paths(self, kind: str) -> tuple[Path, Path]:
        safe = "".join(c if c.isalnum() else "_" for c in self.encoder.model_id)
        base = Path(self.config.state_dir)
        return base / f"{safe}.{kind}.faiss", base / f"{safe}.{kind}.catalog.pkl"

    def _load_shard(self, kind: Kind) -> _Shard:
        index_path, catalog_path = self._paths(kind)
        if not index_path.exists() and not self.store.keeps_records:
            return _Shard(self.encoder.dim, self.config)  # ``sync`` loads the stored vectors
        generation = self.store.generation(self.encoder.model_id, kind)
        loaded = VectorIndex.load(index_path, self.encoder.dim, self.config.exact_max, self.config.nprobe)
        if loaded is not None and catalog_path.exists():
            index, meta = loaded
            if meta.get("generation") == generation and meta.get("version") == _STATE_VERSION:
                try:
                    with open(catalog_path, "rb") as fh:
                        catalog, hashes = pickle.load(fh)
                except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
                    catalog = None
                if catalog is not None and len(index) == len(hashes):
                    shard = _Shard(self.encoder.dim, self.config)
                    shard.index, shard.catalog, shard.hashes = index, catalog, hashes
                    return shard
        return self._rebuild_shard(kind)

    def _rebuild_shard(self, kind: Kind) -> _Shard:
        """Rebuild one kind from the vector store (no embedding)."""
        shard = _Shard(self.encoder.dim, self.config)
        ids, vectors = [], []
        for batch in self.store.iterate(self.encoder.model_id, kind):
            for item in batch:
                if item.record is None:
                    continue
                ids.append(item.id)
                vectors.append(item.vector)
                shard.hashes[item.id] = item.content_hash
                shard.catalog.put(item.record, self._terms(item.record))
        if ids:
            shard.index = VectorIndex.build(
                np.asarray(ids),
                np.vstack(vectors),
                self.encoder.dim,
                self.config.exact_max,
                self.config.nprobe,
            )
        return shard

    def flush(self) -> None:
        """Persist every index and catalogue now (atomic file replacement)."""
        with self._writer:
            self._persist()

    def _persist(self) -> None:
        with self._rw.read():
            for kind, shard in self._shards.items():
                index_path, catalog_path = self._paths(kind)
                generation = self.store.generation(self.encoder.model_id, kind)
                tmp = catalog_path.with_suffix(".tmp")
                with open(tmp, "wb") as fh:
                    pickle.dump((shard.catalog, shard.hashes), fh, protocol=pickle.HIGHEST_PROTOCOL)
                tmp.replace(catalog_path)
                meta = {
                    "generation": generation,
                    "version": _STATE_VERSION,
                    "model_id": self.encoder.model_id,
                    "kind": kind,
                }
                shard.index.save(index_path, meta)
        self._writes = 0

    def close(self) -> None:
        """Finish background embedding, persist, and release the store."""
        with self._worker_lock:  # never join a worker another thread is still starting
            worker, self._worker = self._worker, None
        if worker is not None:
            self._queue.put(None)
            worker.join()
        with self._writer:  # wait for an in-flight sync or upsert before the store goes away
            self._persist()
            self.store.close()

    # ----------------------------------------------------------------- writes
    def _text(self, record: Record) -> str:
        return document_text(record, self.sector_labels)

    def _terms(self, record: Record) -> Counter[str]:
        return Counter(self.tokenizer.tokenize(self._text(record)))

    def upsert(self, records: Iterable[Record]) -> int:
        """Insert or update records; only changed content is re-embedded.

        Returns:
            how many records were embedded.
        """
        records = list(records)
        with self._writer:
            embedded = 0
            for kind in KINDS:
                batch = [r for r in records if r.kind == kind]
                if batch:
                    embedded += self._apply(kind, batch, embed=True)[0]
            self._maybe_persist(len(records))
        return embedded

    def _apply(self, kind: Kind, records: list[Record], embed: bool) -> tuple[int, list[Record]]:
        """Bring ``records`` into the shard; caller holds the writer mutex.

        Returns ``(embedded, missing)``. With ``embed=False`` records lacking a
        stored vector are indexed lexically only and returned as ``missing`` for
        background embedding. With ``embed=True`` each batch is claimed first
        (``VectorStore.claim``): records another process is embedding are indexed
        lexically and wait for its vector (:meth:`collect`).
        """
        shard, model = self._shards[kind], self.encoder.model_id
        hashes = {r.id: content_hash(self._text(r), model) for r in records}
        changed = [r for r in records if shard.hashes.get(r.id) != hashes[r.id]]
        stored = self.store.get(model, kind, [r.id for r in changed]) if changed else {}
        reuse = {
            r.id: stored[r.id].vector
            for r in changed
            if r.id in stored and stored[r.id].content_hash == hashes[r.id]
        }
        missing = [r for r in changed if r.id not in reuse]
        new_vectors: dict[int, np.ndarray] = dict(reuse)
        waiting: list[Record] = []  # claimed by another process: its vector will come (``collect``)
        embedded = 0
        if embed and missing:
            for start in range(0, len(missing), self.config.embed_batch):
                part = missing[start : start + self.config.embed_batch]
                got, late, rest = self._embed_claimed(kind, part, hashes)
                new_vectors.update(got)
                new_vectors.update(late)
                reuse.update(late)
                waiting.extend(rest)
                embedded += len(got)
        items = {
            r.id: StoredVector(r.id, hashes[r.id], new_vectors[r.id], r)
            for r in records
            if r.id in new_vectors
        }
        meta_only = [r for r in records if r.id not in items and r.id in shard.hashes]
        if meta_only or reuse:
            self.store.update_records(model, kind, meta_only + [items[i].record for i in reuse])
        terms = {r.id: self._terms(r) for r in records}
        with self._rw.write():
            if items:
                ids = np.fromiter(items, dtype=np.int64, count=len(items))
                shard.index.add(ids, np.vstack([items[i].vector for i in items]))
                shard.hashes.update({i: items[i].content_hash for i in items})
            lacking = waiting if embed else missing
            stale = [r.id for r in lacking if r.id in shard.hashes]
            if stale:
                shard.index.remove(stale)
                for id_ in stale:
                    del shard.hashes[id_]
            for record in records:
                shard.catalog.put(record, terms[record.id])
        self._waiting[kind].difference_update(items)
        self._waiting[kind].update(r.id for r in waiting)
        self._writes += len(records)
        return (embedded, []) if embed else (0, missing)

    def _embed_claimed(
        self, kind: Kind, part: list[Record], hashes: dict[int, str]
    ) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray], list[Record]]:
        """Embed the records of ``part`` this process may claim; store them (which gives the claims back).

        Returns ``(embedded, stored_meanwhile, unclaimed)``: vectors computed here, vectors another
        process stored between our read and our claim, and records another process is embedding.
        """
        model = self.encoder.model_id
        claimed = self.store.claim(model, kind, {r.id: hashes[r.id] for r in part})
        late: dict[int, np.ndarray] = {}
        if claimed:
            found = self.store.get(model, kind, sorted(claimed))
            late = {i: v.vector for i, v in found.items() if v.content_hash == hashes[i]}
            if late:
                self.store.release(model, kind, list(late))
        todo = [r for r in part if r.id in claimed and r.id not in late]
        got: dict[int, np.ndarray] = {}
        if todo:
            vectors = self.encoder.encode_passages([self._text(r) for r in todo])
            self.embedded_texts += len(todo)
            got = {r.id: self.store.loaded(v) for r, v in zip(todo, vectors, strict=True)}
            self.store.put(model, kind, [StoredVector(r.id, hashes[r.id], got[r.id], r) for r in todo])
        return got, late, [r for r in part if r.id not in claimed]

    def collect(self) -> int:
        """Index vectors other processes stored for records waiting on them; embed those whose claim lapsed.

        Returns:
            how many waiting records got their vector.
        """
        got = 0
        for kind in KINDS:
            with self._writer:
                waiting = self._waiting[kind]
                if not waiting:
                    continue
                current = self._shards[kind].catalog.records
                waiting.intersection_update(current)
                before = len(waiting)
                if before:
                    self._apply(kind, [current[i] for i in sorted(waiting)], embed=True)
                got += before - len(waiting)
        return got

    def missing_vectors(self, kind: Kind) -> int:
        """Records of ``kind`` served without a vector (pending embedding here or elsewhere)."""
        with self._rw.read():
            shard = self._shards[kind]
            return len(shard.catalog) - len(shard.hashes)

    def waiting(self, kind: Kind) -> int:
        """Records of ``kind`` indexed lexically only while another process embeds them."""
        return len(self._waiting[kind])

    def delete(self, kind: Kind, ids: Iterable[int]) -> int:
        """Remove records of ``kind``; returns how many existed."""
        ids = [int(i) for i in ids]
        with self._writer:
            shard = self._shards[kind]
            self.store.delete(self.encoder.model_id, kind, ids)
            with self._rw.write():
                shard.index.remove(ids)
                removed = sum(shard.catalog.remove(i) for i in ids)
                for id_ in ids:
                    shard.hashes.pop(id_, None)
            self._maybe_persist(len(ids))
        return removed

    def _maybe_persist(self, n: int) -> None:
        if self._writes >= self.config.persist_every:
            self._persist()

    def sync(self, kind: Kind, records: Iterable[Record], background: bool = False) -> SyncReport:
        """Reconcile ``kind`` with the full authoritative list from the database.

        Adds missing records, re-embeds changed content only, removes records that
        are gone. With ``background=True`` records that need embedding are indexed
        lexically at once and embedded by a worker thread (see :meth:`progress`,
        :meth:`wait`); otherwise embedding happens before returning.
        """
        records = [r for r in records if r.kind == kind]
        wanted = {r.id for r in records}
        with self._writer:
            shard = self._shards[kind]
            with self._rw.read():
                known = dict(shard.catalog.records)
            gone = [i for i in known if i not in wanted]
            todo = [r for r in records if known.get(r.id) != r or shard.hashes.get(r.id) is None]
            embedded, pending = self._apply(kind, todo, embed=not background) if todo else (0, [])
            if gone:
                self.store.delete(self.encoder.model_id, kind, gone)
                with self._rw.write():
                    shard.index.remove(gone)
                    for id_ in gone:
                        shard.catalog.remove(id_)
                        shard.hashes.pop(id_, None)
            self._persist()
        if pending:
            self._enqueue(kind, pending)
        added = sum(1 for r in todo if r.id not in known)
        return SyncReport(added, len(todo) - added, len(gone), embedded, len(pending))

    # ------------------------------------------------------- background work
    def _enqueue(self, kind: Kind, records: list[Record]) -> None:
        prog = self._progress[kind]
        self._set_progress(Progress(kind, prog.done, prog.total + len(records)))
        with self._worker_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="matching-embed", daemon=True)
                self._worker.start()
            self._queue.put((kind, records))

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                self._queue.task_done()
                return
            kind, records = job
            try:
                for start in range(0, len(records), self.config.embed_batch):
                    part = records[start : start + self.config.embed_batch]
                    with self._writer:
                        current = self._shards[kind].catalog.records
                        part = [current[r.id] for r in part if r.id in current]
                        if part:
                            self._apply(kind, part, embed=True)
                    prog = self._progress[kind]
                    self._set_progress(Progress(kind, prog.done + len(part), prog.total))
                with self._writer:
                    self._persist()
            except Exception:  # pragma: no cover - logged, worker keeps serving
                log.exception("background embedding failed")
            finally:
                prog = self._progress[kind]
                self._set_progress(Progress(kind, prog.total, prog.total))
                self._queue.task_done()

    def _set_progress(self, progress: Progress) -> None:
        self._progress[progress.kind] = progress
        if self._progress_cb is not None:
            self._progress_cb(progress)

    def progress(self, kind: Kind) -> Progress:
        """Background embedding progress of ``kind``."""
        return self._progress[kind]

    def wait(self, timeout: float | None = None) -> bool:
        """Block until background embedding is done; False on timeout."""
        done = threading.Event()
        threading.Thread(target=lambda: (self._queue.join(), done.set()), daemon=True).start()
        return done.wait(timeout)

    # ------------------------------------------------------------------ reads
    def count(self, kind: Kind) -> int:
        """Number of records of ``kind`` (embedded or pending)."""
        with self._rw.read():
            return len(self._shards[kind].catalog)

    def get(self, kind: Kind, id_: int) -> Record | None:
        """The stored record, or None."""
        with self._rw.read():
            return self._shards[kind].catalog.records.get(id_)

    def search(
        self,
        text: str,
        kind: Kind,
        k: int = 10,
        filters: Filters | None = None,
        context: Record | None = None,
    ) -> list[Match]:
        """Free-text search (Chinese or English) over ``kind``.

        Args:
            text: the query, embedded as a query.
            kind: ``"scenario"`` or ``"offer"``.
            k: number of results.
            filters: hard constraints.
            context: optional record whose sectors/regions/budget feed the signals.
        """
        vector = self.encoder.encode_queries([text])[0]
        tokens = self.tokenizer.tokenize(text)
        return self._rank(kind, vector, tokens, k, filters, context)

    def recommend_offers(self, scenario_id: int, k: int = 10, filters: Filters | None = None) -> list[Match]:
        """Offers for a stored scenario (its stored vector; no embedding).

        Raises:
            KeyError: unknown scenario id.
        """
        return self._from_stored("scenario", [scenario_id], "offer", k, filters)

    def recommend_scenarios(
        self, offer_ids: int | Sequence[int], k: int = 10, filters: Filters | None = None
    ) -> list[Match]:
        """Scenarios for one stored offer, or for a vendor given all its offer ids.

        Raises:
            KeyError: none of the offer ids is stored.
        """
        ids = [offer_ids] if isinstance(offer_ids, int) else list(offer_ids)
        return self._from_stored("offer", ids, "scenario", k, filters)

    def similar_scenarios(
        self, text_or_record: str | Record, k: int = 5, exclude_ids: Sequence[int] = ()
    ) -> list[Match]:
        """Scenarios similar to a stored scenario, a draft record or draft text (duplicates)."""
        record = text_or_record if isinstance(text_or_record, Record) else None
        filters = Filters(exclude_ids=tuple(exclude_ids) + ((record.id,) if record else ()))
        if record is not None and self.get("scenario", record.id) == record:
            try:
                return self._from_stored("scenario", [record.id], "scenario", k, filters)
            except KeyError:
                pass
        text = self._text(record) if record else str(text_or_record)
        vector = self.encoder.encode_passages([text])[0]
        tokens = self._key_terms("scenario", Counter(self.tokenizer.tokenize(text)))
        return self._rank("scenario", vector, tokens, k, filters, record)

    def _key_terms(self, kind: Kind, terms: Counter[str]) -> list[str]:
        bm25 = self._shards[kind].catalog.bm25
        ranked = sorted(terms, key=lambda t: -terms[t] * bm25.idf(t))
        return ranked[: self.config.mlt_terms]

    def _from_stored(
        self, src_kind: Kind, ids: list[int], kind: Kind, k: int, filters: Filters | None
    ) -> list[Match]:
        with self._rw.read():
            shard = self._shards[src_kind]
            records = [shard.catalog.records[i] for i in ids if i in shard.catalog.records]
            if not records:
                raise KeyError(f"no stored {src_kind} with id in {ids}")
            with_vec = [r.id for r in records if r.id in shard.hashes]
            vector = None
            if with_vec:
                vector = shard.index.reconstruct(with_vec).mean(axis=0)
                vector /= max(float(np.linalg.norm(vector)), 1e-12)
            terms: Counter[str] = Counter()
            for r in records:
                terms.update(shard.catalog.terms[r.id])
            tokens = self._key_terms(kind, terms)
            context = records[0]
            if len(records) > 1:
                context = replace(
                    context,
                    sectors=tuple(dict.fromkeys(s for r in records for s in r.sectors)),
                    regions=tuple(dict.fromkeys(s for r in records for s in r.regions)),
                )
            return self._rank(kind, vector, tokens, k, filters, context, locked=True)

    def _rank(
        self,
        kind: Kind,
        vector: np.ndarray | None,
        tokens: Sequence[str],
        k: int,
        filters: Filters | None,
        context: Record | None,
        locked: bool = False,
    ) -> list[Match]:
        if not locked:
            with self._rw.read():
                return self._rank(kind, vector, tokens, k, filters, context, locked=True)
        shard, cfg = self._shards[kind], self.config
        catalog = shard.catalog
        mask = catalog.mask(filters)
        n = max(cfg.candidates, 3 * k)
        dense: dict[int, float] = {}
        if vector is not None and len(shard.index):
            passing = int(mask.sum())
            allowed = None if passing == len(catalog) else catalog.ids[: len(mask)][mask]
            scores, ids = shard.index.search(vector, n, allowed)
            dense = dict(zip(ids.tolist(), scores.tolist(), strict=True))
        lexical = catalog.lexical(tokens, mask, n)
        missing = [i for i in lexical if i not in dense and i in shard.hashes]
        if missing and vector is not None:
            dense.update(zip(missing, (shard.index.reconstruct(missing) @ vector).tolist(), strict=True))
        best_lex = max(lexical.values(), default=0.0)
        today = cfg.today()
        query_terms = set(tokens)
        scored = []
        for id_ in set(dense) | set(lexical):
            record = catalog.records[id_]
            signals = {"semantic": dense.get(id_, 0.0)}
            signals["lexical"] = lexical.get(id_, 0.0) / best_lex if best_lex else 0.0
            signals.update(structured(context, record, cfg.province_region, today))
            scored.append((fuse(signals, cfg.weights), id_, signals))
        scored.sort(key=lambda item: (-item[0], item[1]))
        out = []
        for score, id_, signals in scored[:k]:
            shared = query_terms & set(catalog.terms[id_])
            terms = tuple(sorted(shared, key=lambda t: (-catalog.bm25.idf(t), t))[:5])
            rounded = {name: round(value, 4) for name, value in signals.items()}
            out.append(Match(id_, kind, round(score, 6), Reasons(rounded, terms)))
        return out
