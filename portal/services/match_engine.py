"""The per-process matching engine: one ``matching.MatchingEngine`` per database, kept in step.

Why a file of its own: this is infrastructure (building records from rows, the process-wide engine
cache, following the ``change_log`` table so every process converges on the database), not a use
case. ``matchmaking`` holds the permission-checked use cases on top of it.

The database is the source of truth: on first use the engine reconciles itself with every scenario
and offer (``full_sync``), embedding only what changed since its persisted state.
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

from matching import EngineConfig, MatchingEngine, Record, create_encoder
from matching.cache import CachedEncoder
from portal import clock
from portal.config import DATA_DIR, Settings, load_settings
from portal.db import get_engine, session_scope
from portal.models import ChangeLog, Offer, Organization, Scenario, ScenarioInvite, Verification

log = logging.getLogger(__name__)
T = TypeVar("T")
SYNC_INTERVAL = 1.0  # seconds between change-log checks per process
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


class _Portal:
    """One matching engine bound to one database, plus its change-log position."""

    def __init__(self, settings: Settings):
        self.settings = settings
        cache = Path(os.environ.get("PORTAL_EMBED_CACHE") or settings.var_dir / "embed-cache.sqlite")
        inner = create_encoder(settings.embedder if settings.embedder != "default" else None)
        seeds = [demo_seed_path(inner.model_id)]
        encoder = _quarantined(cache, lambda: CachedEncoder(inner, cache, seeds=seeds))
        config = EngineConfig(
            state_dir=settings.index_dir,
            domain_dict=DATA_DIR / "taxonomies" / "sectors.json",
            today=clock.today,
        )
        self.engine = _quarantined(settings.index_dir, lambda: MatchingEngine(config, encoder=encoder))
        self.last_change = 0
        self.gaps: dict[int, float] = {}  # change-log ids below last_change not seen yet → first missed
        self.last_check = 0.0
        self.lock = threading.Lock()
        self.ready = threading.Event()

    def full_sync(self, background: bool = False) -> None:
        with session_scope(get_engine(self.settings)) as session:
            head = session.exec(select(func.max(ChangeLog.id))).one() or 0
            self.engine.sync("scenario", _scenario_records(session), background=background)
            self.engine.sync("offer", _offer_records(session), background=background)
        self.last_change = head
        self.last_check = time.monotonic()
        self.ready.set()

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
        if records:
            self.engine.upsert(records)
        gone_s = scenario_ids - {r.id for r in records if r.kind == "scenario"}
        gone_o = offer_ids - {r.id for r in records if r.kind == "offer"}
        if gone_s:
            self.engine.delete("scenario", sorted(gone_s))
        if gone_o:
            self.engine.delete("offer", sorted(gone_o))


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
            portal.engine.close()
        _portals.clear()


def _engine(session: Session) -> MatchingEngine:
    portal = portal_engine()
    portal.sync_changes(session)
    return portal.engine
