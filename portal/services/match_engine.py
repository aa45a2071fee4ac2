"""The per-process matching engine: one ``matching.MatchingEngine`` per database, kept in step.

Why a file of its own: this is infrastructure (building records from rows, the process-wide engine
cache, following the ``change_log`` table so every process converges on the database), not a use
case. ``matchmaking`` holds the permission-checked use cases on top of it.

The database is the source of truth, vectors included: each embedding is stored once in
``record_vector`` (``vector_store.DatabaseVectorStore``) and claimed by one process through a lease
(``embed_lease``), so a change is embedded once among all processes and a new process loads the
stored vectors instead of computing them. On first use the engine reconciles itself with every
scenario and offer (``full_sync``); a local index snapshot in ``var/index`` only speeds that up.

Models: ``vector_model`` names the model whose set is complete (``ready``). A process configured with
another ``PORTAL_EMBEDDER`` keeps serving from the ready model while a second engine embeds the new
model's set in the background (claims shared with the other processes); once that set is complete it
marks the new model ready and swaps engines, so searches answer throughout.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from matching import Encoder, EngineConfig, MatchingEngine, Progress, Record, create_encoder
from matching.cache import CachedEncoder
from matching.encoders import resolve_encoder_name
from portal import clock
from portal.config import DATA_DIR, Settings, load_settings
from portal.db import get_engine, session_scope
from portal.models import (
    ChangeLog,
    Offer,
    Organization,
    Scenario,
    ScenarioInvite,
    VectorModel,
    Verification,
)
from portal.services.vector_store import DatabaseVectorStore

log = logging.getLogger(__name__)
T = TypeVar("T")
SYNC_INTERVAL = 1.0  # seconds between change-log checks per process
WORK_INTERVAL = 1.0  # seconds between the background thread's rounds (waiting vectors, model switch)
KINDS = ("scenario", "offer")
GAP_WINDOW = 300.0  # seconds a hole in the change-log ids is asked for again (late commits)
MAX_GAPS = 10_000


def scenario_record(s: Scenario, invited: tuple[int, ...] = ()) -> Record:
    indicators = "；".join(f"{i.get('name', '')} {i.get('target', '')}".strip() for i in s.indicators or [])
    return Record(
        id=s.id,
        kind="scenario",
        title=s.title,
        summary=s.summary,
        description=s.description,
        sectors=(s.sector,),
        regions=(s.region,),
        status=str(s.status),
        language="zh",
        data_resources="；".join(s.data_resources or []),
        outcomes=(s.expected_outcomes + ("；" + indicators if indicators else "")).strip("；"),
        owner_id=s.org_id,
        eligibility=str(s.eligibility),
        invited=invited,
        budget_min=s.budget_min,
        budget_max=s.budget_max,
        closing_date=s.closing_date,
    )


def offer_record(o: Offer, vendor: Organization) -> Record:
    return Record(
        id=o.id,
        kind="offer",
        title=o.title,
        description=o.description,
        sectors=tuple(o.sectors or ()),
        regions=tuple(o.regions or vendor.service_regions or (vendor.region,)),
        status=str(o.status),
        language=o.language,
        cases="；".join(o.reference_cases or []),
        owner_id=o.vendor_org_id,
        verified=vendor.verification == Verification.VERIFIED,
    )


def _invites(session: Session, scenario_ids: list[int] | None = None) -> dict[int, tuple[int, ...]]:
    q = select(ScenarioInvite.scenario_id, ScenarioInvite.vendor_org_id)
    if scenario_ids is not None:
        q = q.where(col(ScenarioInvite.scenario_id).in_(scenario_ids))
    out: dict[int, list[int]] = {}
    for sid, vid in session.exec(q):
        out.setdefault(sid, []).append(vid)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _scenario_records(session: Session, ids: list[int] | None = None) -> list[Record]:
    q = select(Scenario)
    if ids is not None:
        q = q.where(col(Scenario.id).in_(ids))
    rows = session.exec(q).all()
    invites = _invites(session, [r.id for r in rows])
    return [scenario_record(r, invites.get(r.id, ())) for r in rows]


def _offer_records(
    session: Session, ids: list[int] | None = None, vendor_ids: list[int] | None = None
) -> list[Record]:
    q = select(Offer, Organization).join(Organization, Organization.id == Offer.vendor_org_id)
    if ids is not None:
        q = q.where(col(Offer.id).in_(ids))
    if vendor_ids is not None:
        q = q.where(col(Offer.vendor_org_id).in_(vendor_ids))
    return [offer_record(o, v) for o, v in session.exec(q).all()]


# ------------------------------------------------------------------------------- the engine


def _quarantined(path: Path, build: Callable[[], T]) -> T:
    """Build a derived store; if its files are corrupt, move them aside and build it afresh.

    Why: the vector store, the FAISS snapshot and the embedding cache are all derived from the
    database, so a damaged file must never stop the portal: it is kept for inspection and rebuilt.
    """
    try:
        return build()
    except sqlite3.DatabaseError:
        aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
        log.warning("derived store %s is corrupt; moved to %s and rebuilt from the database", path, aside)
        path.rename(aside)
        return build()


def demo_seed_path(model_id: str) -> Path:
    """Shipped embeddings of the demo data for ``model_id`` (a derived file; see ``build-demo-embeddings``)."""
    safe = "".join(c if c.isalnum() else "_" for c in model_id)
    return DATA_DIR / "demo" / f"embeddings.{safe}.npz"


def configured_embedder(settings: Settings) -> str:
    """The ``PORTAL_EMBEDDER`` value this process is configured with (resolved: never ``default``)."""
    return resolve_encoder_name(settings.embedder if settings.embedder != "default" else None)


def _serving_embedder(settings: Settings, wanted: str, wanted_model: str, dim: int) -> str:
    """Which embedder to serve with: the configured one, unless another model's set is the complete one.

    Registers the configured model: ``ready`` on a database without a ready model (its vectors are
    filled by the usual reconcile), ``building`` where another model serves (a background switch).
    """
    with session_scope(get_engine(settings)) as session:
        rows = {r.model_id: r for r in session.exec(select(VectorModel)).all()}
        ready = [r for r in rows.values() if r.state == "ready"]
        serving = wanted
        if ready and all(r.model_id != wanted_model for r in ready):
            other = ready[0].embedder
            try:
                create_encoder(other)
                serving = other
            except ValueError:
                log.warning("stored model %s cannot be loaded here; serving %s at once", other, wanted)
        mine = rows.get(wanted_model)
        if mine is None:
            state = "ready" if serving == wanted else "building"
            session.add(VectorModel(model_id=wanted_model, embedder=wanted, dim=dim, state=state))
        elif serving == wanted and mine.state != "ready":
            mine.state = "ready"
            session.add(mine)
        try:
            session.commit()
        except Exception:  # a concurrent start registered it first
            session.rollback()
    return serving


def mark_ready(settings: Settings, model_id: str, embedder: str, dim: int, done: int) -> None:
    """Record that ``model_id``'s set is complete: it serves from now on, the others are retired."""
    with session_scope(get_engine(settings)) as session:
        for row in session.exec(select(VectorModel)).all():
            if row.model_id != model_id and row.state == "ready":
                row.state = "retired"
                session.add(row)
        row = session.get(VectorModel, model_id) or VectorModel(
            model_id=model_id, embedder=embedder, dim=dim, state="ready"
        )
        row.state, row.done, row.total, row.updated_at = "ready", done, done, clock.now()
        session.add(row)
        session.commit()


def _record_progress(settings: Settings, model_id: str, done: int, total: int) -> None:
    with session_scope(get_engine(settings)) as session:
        row = session.get(VectorModel, model_id)
        if row is not None and (row.done, row.total) != (done, total):
            row.done, row.total, row.updated_at = done, total, clock.now()
            session.add(row)
            session.commit()


class _Portal:
    """One serving matching engine bound to one database, its change-log position and background work.

    ``engine`` serves; ``building`` (during a model switch) embeds the configured model's set and
    replaces ``engine`` once complete. A daemon thread indexes vectors that other processes embedded
    (``MatchingEngine.collect``), retries vector writes that found SQLite busy and drives the switch.
    """

    def __init__(self, settings: Settings, *, worker: bool = True):
        self.settings = settings
        self.store = DatabaseVectorStore(settings.database_url)
        self.wanted = configured_embedder(settings)
        wanted_encoder = self._encoder(self.wanted)
        serving = _serving_embedder(settings, self.wanted, wanted_encoder.model_id, wanted_encoder.dim)
        encoder = wanted_encoder if serving == self.wanted else self._encoder(serving)
        self.engine = self._make_engine(encoder)
        self.building: MatchingEngine | None = None
        self._pending_switch = wanted_encoder if serving != self.wanted else None
        self.switch_progress: dict[str, tuple[int, int]] = {}
        self._retired_embedded = 0  # texts embedded by engines replaced in a model switch
        self.last_change = 0
        self.gaps: dict[int, float] = {}  # change-log ids below last_change not seen yet → first missed
        self.last_check = 0.0
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._want_worker = worker

    def _encoder(self, name: str) -> Encoder:
        cache = Path(os.environ.get("PORTAL_EMBED_CACHE") or self.settings.var_dir / "embed-cache.sqlite")
        inner = create_encoder(name)
        seeds = [demo_seed_path(inner.model_id)]
        return _quarantined(cache, lambda: CachedEncoder(inner, cache, seeds=seeds))

    def _make_engine(
        self, encoder: Encoder, progress: Callable[[Progress], None] | None = None
    ) -> MatchingEngine:
        config = EngineConfig(
            state_dir=self.settings.index_dir,
            domain_dict=DATA_DIR / "taxonomies" / "sectors.json",
            today=clock.today,
        )
        index_dir = self.settings.index_dir
        return _quarantined(
            index_dir, lambda: MatchingEngine(config, encoder=encoder, store=self.store, progress=progress)
        )

    @property
    def embedded_texts(self) -> int:
        """Record texts this process has embedded (every engine it ran; queries not counted)."""
        return self._retired_embedded + sum(e.embedded_texts for e in self.engines)

    @property
    def engines(self) -> list[MatchingEngine]:
        return [e for e in (self.engine, self.building) if e is not None]

    def full_sync(self, background: bool = False) -> None:
        with session_scope(get_engine(self.settings)) as session:
            head = session.exec(select(func.max(ChangeLog.id))).one() or 0
            scenarios, offers = _scenario_records(session), _offer_records(session)
        for engine in self.engines:
            engine.sync("scenario", scenarios, background=background)
            engine.sync("offer", offers, background=background)
        self.last_change = head
        self.last_check = time.monotonic()
        self.ready.set()
        if self._pending_switch is not None:
            encoder, self._pending_switch = self._pending_switch, None
            self._start_switch(encoder, scenarios, offers)
        self._start_worker()

    def sync_changes(self, session: Session, force: bool = False) -> int:
        """Apply change-log rows not applied yet; returns how many were applied.

        Ids come from a sequence, but transactions commit in any order: a row with a lower id can
        become visible after a higher one was applied. Such holes are remembered and asked for again
        for ``GAP_WINDOW`` seconds (holes left by rolled-back transactions simply expire).
        """
        now = time.monotonic()
        if not force and now - self.last_check < SYNC_INTERVAL:
            return 0
        with self.lock:
            self.last_check = now
            self.gaps = {i: t0 for i, t0 in self.gaps.items() if now - t0 < GAP_WINDOW}
            cond = ChangeLog.id > self.last_change
            if self.gaps:
                cond = or_(cond, col(ChangeLog.id).in_(sorted(self.gaps)))
            rows = session.exec(select(ChangeLog).where(cond).order_by(col(ChangeLog.id))).all()
            for engine in self.engines:
                if any(engine.waiting(k) for k in KINDS):
                    engine.collect()  # vectors other processes stored meanwhile
            if not rows:
                return 0
            self._apply_changes(session, rows)
            seen = {r.id for r in rows}
            for id_ in seen:
                self.gaps.pop(id_, None)
            top = max(seen)
            if top > self.last_change:
                for id_ in range(self.last_change + 1, top):
                    if id_ not in seen and len(self.gaps) < MAX_GAPS:
                        self.gaps[id_] = now
                self.last_change = top
            return len(rows)

    def _apply_changes(self, session: Session, rows: list[ChangeLog]) -> None:
        scenario_ids = {r.object_id for r in rows if r.object_type == "scenario"}
        offer_ids = {r.object_id for r in rows if r.object_type == "offer"}
        vendor_ids = {r.object_id for r in rows if r.object_type == "vendor"}
        records = _scenario_records(session, sorted(scenario_ids)) if scenario_ids else []
        records += _offer_records(session, sorted(offer_ids)) if offer_ids else []
        records += _offer_records(session, vendor_ids=sorted(vendor_ids)) if vendor_ids else []
        gone_s = scenario_ids - {r.id for r in records if r.kind == "scenario"}
        gone_o = offer_ids - {r.id for r in records if r.kind == "offer"}
        for engine in self.engines:
            if records:
                engine.upsert(records)
            if gone_s:
                engine.delete("scenario", sorted(gone_s))
            if gone_o:
                engine.delete("offer", sorted(gone_o))

    # ------------------------------------------------------------------ background work
    def _start_worker(self) -> None:
        if self._want_worker and self._thread is None:
            self._thread = threading.Thread(target=self._work, name="portal-vectors", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        while not self._stop.wait(WORK_INTERVAL):
            try:
                self.background_round()
            except Exception:  # pragma: no cover - logged; the next round tries again
                log.exception("background vector work failed")

    def background_round(self) -> None:
        """One round of background work (the daemon thread runs it every ``WORK_INTERVAL`` seconds)."""
        self.store.retry_pending()
        for engine in self.engines:
            if any(engine.waiting(k) for k in KINDS):
                engine.collect()
        if self.building is not None:
            self._advance_switch()

    def _start_switch(self, encoder: Encoder, scenarios: list[Record], offers: list[Record]) -> None:
        log.info(
            "model switch: embedding %s in the background; %s serves",
            encoder.model_id,
            self.engine.encoder.model_id,
        )
        self.building = self._make_engine(encoder)
        self.building.sync("scenario", scenarios, background=True)
        self.building.sync("offer", offers, background=True)

    def _advance_switch(self) -> None:
        building = self.building
        assert building is not None
        progress = {k: (building.count(k) - building.missing_vectors(k), building.count(k)) for k in KINDS}
        self.switch_progress = progress
        done, total = sum(d for d, _ in progress.values()), sum(t for _, t in progress.values())
        model = building.encoder.model_id
        _record_progress(self.settings, model, done, total)
        if done < total:
            return
        mark_ready(self.settings, model, self.wanted, building.encoder.dim, done)
        with self.lock:
            old, self.engine, self.building = self.engine, building, None
            self._retired_embedded += old.embedded_texts
        log.info("model switch: %s complete (%d vectors), now serving", model, done)
        old.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        for engine in self.engines:
            engine.close()
        self.store.dispose()


_portals: dict[tuple[str, str, str], _Portal] = {}
_portals_lock = threading.Lock()


def _key(settings: Settings) -> tuple[str, str, str]:
    return (settings.database_url, str(settings.var_dir), settings.embedder)


def portal_engine(settings: Settings | None = None, *, background: bool = False) -> _Portal:
    """The process-wide engine for the configured database (built and synced on first use)."""
    settings = settings or load_settings()
    key = _key(settings)
    with _portals_lock:
        portal = _portals.get(key)
        if portal is None:
            portal = _portals[key] = _Portal(settings)
            build = True
        else:
            build = False
    if build:
        portal.full_sync(background=background)
    else:
        portal.ready.wait(timeout=300)
    return portal


def warm_up(settings: Settings | None = None) -> None:
    """Load the model and reconcile the index (call from a background thread at app start)."""
    portal = portal_engine(settings, background=True)
    portal.engine.search("预热", "scenario", k=1)  # forces the model's lazy initialisation


def is_ready(settings: Settings | None = None) -> bool:
    portal = _portals.get(_key(settings or load_settings()))
    return portal is not None and portal.ready.is_set()


def progress(settings: Settings | None = None) -> dict[str, tuple[int, int]]:
    """Background embedding progress per kind: ``{kind: (done, total)}``."""
    portal = _portals.get(_key(settings or load_settings()))
    if portal is None:
        return {}
    return {
        k: (portal.engine.progress(k).done, portal.engine.progress(k).total) for k in ("scenario", "offer")
    }


def sync_changes(session: Session, force: bool = True) -> int:
    """Apply other processes' changes to this process's index (see ``ChangeLog``)."""
    return portal_engine().sync_changes(session, force=force)


def reset_engines() -> None:
    """Forget every engine of this process (tests, model switch)."""
    with _portals_lock:
        for portal in _portals.values():
            portal.close()
        _portals.clear()


def _engine(session: Session) -> MatchingEngine:
    portal = portal_engine()
    portal.sync_changes(session)
    return portal.engine


def switch_progress(settings: Settings | None = None) -> dict[str, tuple[int, int]]:
    """During a model switch: ``{kind: (vectors of the new model, records)}``; empty otherwise."""
    portal = _portals.get(_key(settings or load_settings()))
    return dict(portal.switch_progress) if portal is not None and portal.building is not None else {}


def reindex(
    settings: Settings | None = None,
    *,
    force: bool = False,
    prune: bool = False,
    report: Callable[[str], None] = lambda line: None,
    wait_s: float = 600.0,
) -> dict[str, object]:
    """Embed what is missing for the configured model, mark its set ready, rebuild this machine's snapshot.

    Cooperates with serving processes: work they hold a claim on is waited for, not repeated.

    Args:
        force: drop this model's stored vectors first, so every record is embedded again.
        prune: afterwards delete the vectors of every other model.
        report: receives progress lines (``offer 120/10000``).
        wait_s: how long to wait for vectors other processes are embedding.

    Returns:
        ``{"model", "scenarios", "offers", "embedded", "pruned", "seconds"}``.
    """
    settings = settings or load_settings()
    start = time.monotonic()
    portal = _Portal(settings, worker=False)
    try:
        portal._pending_switch = None  # reindex builds the configured model now, in the foreground
        portal.engine.close()
        wanted = portal._encoder(portal.wanted)
        model = wanted.model_id
        if force:
            report(f"dropped {portal.store.delete_model(model)} stored vectors of {model}")
        safe = "".join(c if c.isalnum() else "_" for c in model)
        for path in Path(settings.index_dir).glob(f"{safe}.*"):
            path.unlink()  # the snapshot is a cache: rebuilt from the stored vectors
        portal.engine = engine = portal._make_engine(
            wanted, progress=lambda p: report(f"{p.kind} {p.done}/{p.total}")
        )
        portal.full_sync(background=True)
        engine.wait()
        deadline = time.monotonic() + wait_s
        while any(engine.missing_vectors(k) for k in KINDS) and time.monotonic() < deadline:
            time.sleep(WORK_INTERVAL)
            engine.collect()
            report("waiting for other processes: " + ", ".join(f"{k} {engine.waiting(k)}" for k in KINDS))
        missing = sum(engine.missing_vectors(k) for k in KINDS)
        done = sum(engine.count(k) for k in KINDS) - missing
        if not missing:
            mark_ready(settings, model, portal.wanted, engine.encoder.dim, done)
        pruned = 0
        if prune and not missing:
            with session_scope(get_engine(settings)) as session:
                others = [r for r in session.exec(select(VectorModel)).all() if r.model_id != model]
                for row in others:
                    pruned += portal.store.delete_model(row.model_id)
                    session.delete(row)
                session.commit()
        result: dict[str, object] = {
            "model": model,
            "scenarios": engine.count("scenario"),
            "offers": engine.count("offer"),
            "missing": missing,
            "embedded": engine.embedded_texts,
            "pruned": pruned,
            "seconds": round(time.monotonic() - start, 2),
        }
    finally:
        portal.close()
    return result
