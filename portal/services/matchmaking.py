"""Matchmaking: the portal's adapter over the ``matching`` library.

Why an adapter: ``matching`` knows nothing of tables or permissions. This module turns rows into
``matching.Record`` values, keeps one engine per process (and per database), follows the
``change_log`` table so every process's index converges to the database within seconds (scale-out),
checks permissions, and turns ``Match`` ids back into what the actor may see.

The database is the source of truth: on first use the engine reconciles itself with every scenario
and offer (``sync``), embedding only what changed since its persisted state.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from matching import EngineConfig, Filters, Match, MatchingEngine, Reasons, Record, create_encoder
from matching.cache import CachedEncoder
from portal import audit, clock
from portal.audit import EventType
from portal.config import DATA_DIR, Settings, load_settings
from portal.db import get_engine, session_scope
from portal.domain import arguments
from portal.i18n import t
from portal.models import (
    ChangeLog,
    Offer,
    OfferStatus,
    Organization,
    Scenario,
    ScenarioInvite,
    ScenarioPublic,
    ScenarioStatus,
    Verification,
)
from portal.permissions import PUBLIC_STATUSES, Action, Actor, require
from portal.services.door import get_or_404
from portal.services.scenarios import org_names, publish_scenario, to_public

log = logging.getLogger(__name__)
T = TypeVar("T")
SYNC_INTERVAL = 1.0  # seconds between change-log checks per process
GAP_WINDOW = 300.0  # seconds a hole in the change-log ids is asked for again (late commits)
MAX_GAPS = 10_000
PUBLIC = tuple(str(s) for s in PUBLIC_STATUSES)


@dataclass(frozen=True)
class ScenarioHit:
    scenario: ScenarioPublic
    score: float
    reasons: Reasons


@dataclass(frozen=True)
class OfferHit:
    offer: Offer
    vendor: Organization
    score: float
    reasons: Reasons


@dataclass(frozen=True)
class BoardRow:
    scenario: ScenarioPublic
    hits: list[OfferHit]


# ------------------------------------------------------------------------------- records


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


# ------------------------------------------------------------------------------- use cases


def _scenario_hits(session: Session, matches: list[Match], k: int) -> list[ScenarioHit]:
    ids = [m.id for m in matches]
    rows = {s.id: s for s in session.exec(select(Scenario).where(col(Scenario.id).in_(ids))).all()}
    names = org_names(session, {s.org_id for s in rows.values()})
    hits = []
    for m in matches:
        s = rows.get(m.id)
        if s is not None:
            hits.append(ScenarioHit(to_public(s, names.get(s.org_id, "")), m.score, m.reasons))
    return hits[:k]


def _offer_hits(session: Session, matches: list[Match], k: int) -> list[OfferHit]:
    ids = [m.id for m in matches]
    q = select(Offer, Organization).join(Organization, Organization.id == Offer.vendor_org_id)
    rows = {o.id: (o, v) for o, v in session.exec(q.where(col(Offer.id).in_(ids))).all()}
    return [OfferHit(rows[m.id][0], rows[m.id][1], m.score, m.reasons) for m in matches if m.id in rows][:k]


def search_scenarios(
    actor: Actor,
    query: str,
    *,
    session: Session,
    k: int = 20,
    sectors: list[str] | None = None,
    regions: list[str] | None = None,
    statuses: list[str] | None = None,
) -> list[ScenarioHit]:
    """Semantic + keyword search over public scenarios (Chinese or English query); anyone may search."""
    sectors = arguments.codes_arg(sectors, "sector")
    regions = arguments.codes_arg(regions, "region")
    statuses = arguments.codes_arg(statuses, "status")
    wanted = tuple(s for s in (statuses or [ScenarioStatus.PUBLISHED]) if s in PUBLIC) or ("published",)
    filters = Filters(
        statuses=wanted,
        sectors=tuple(sectors) if sectors else None,
        regions=tuple(regions) if regions else None,
    )
    query = arguments.search_text(query)
    if not query:
        return []
    return _scenario_hits(session, _engine(session).search(query, "scenario", k=k, filters=filters), k)


def search_offers(actor: Actor, query: str, *, session: Session, k: int = 20) -> list[OfferHit]:
    """Search active vendor offers (logged-in users)."""
    require(actor, Action.OFFER_VIEW)
    query = arguments.search_text(query)
    if not query:
        return []
    matches = _engine(session).search(query, "offer", k=k, filters=Filters(statuses=(OfferStatus.ACTIVE,)))
    return _offer_hits(session, matches, k)


def recommend_offers(actor: Actor, scenario_id: int, *, session: Session, k: int = 10) -> list[OfferHit]:
    """Best active offers of verified vendors for a scenario, with reasons (its department, the authority)."""
    scenario = get_or_404(session, Scenario, scenario_id)
    require(actor, Action.MATCH_VIEW, scenario)
    engine = _engine(session)
    if engine.get("scenario", scenario.id) is None:
        engine.upsert(_scenario_records(session, [scenario.id]))
    filters = Filters(statuses=(OfferStatus.ACTIVE,), verified_only=True)
    return _offer_hits(session, engine.recommend_offers(scenario.id, k=k, filters=filters), k)


def recommend_scenarios(actor: Actor, *, session: Session, k: int = 10) -> list[ScenarioHit]:
    """Published, open scenarios this vendor is eligible for, ranked against all its active offers."""
    org = get_or_404(session, Organization, actor.org_id, "vendor")
    require(actor, Action.MATCH_VIEW, org)
    offer_ids = list(
        session.exec(
            select(Offer.id).where(Offer.vendor_org_id == org.id, Offer.status == OfferStatus.ACTIVE)
        ).all()
    )
    if not offer_ids:
        return []
    engine = _engine(session)
    filters = Filters(statuses=("published",), open_on=clock.today(), vendor_id=org.id)
    try:
        matches = engine.recommend_scenarios(offer_ids, k=k, filters=filters)
    except KeyError:
        engine.upsert(_offer_records(session, offer_ids))
        matches = engine.recommend_scenarios(offer_ids, k=k, filters=filters)
    return _scenario_hits(session, matches, k)


def similar_scenarios(
    actor: Actor, draft_text: str, *, session: Session, exclude_id: int | None = None, k: int = 5
) -> list[ScenarioHit]:
    """Existing scenarios similar to a draft (duplicate warning before submitting).

    Departments see public scenarios and their own; the authority sees all but withdrawn ones.
    """
    require(actor, Action.SCENARIO_CREATE) if not actor.is_authority else None
    text = arguments.search_text(draft_text, 4000)
    if len(text) < 4:
        return []
    excluded = (exclude_id,) if exclude_id else ()
    matches = _engine(session).similar_scenarios(text, k=k * 4, exclude_ids=excluded)
    visible = []
    for hit in _scenario_hits(session, matches, len(matches)):
        s = hit.scenario
        if s.status in (ScenarioStatus.WITHDRAWN,):
            continue
        if actor.is_authority or s.status in PUBLIC_STATUSES or s.org_id == actor.org_id:
            visible.append(hit)
    return visible[:k]


def board(actor: Actor, *, session: Session, k: int = 3, limit: int = 100) -> list[BoardRow]:
    """Matchmaking board: each published scenario with its best candidate vendors (one offer each)."""
    require(actor, Action.MATCH_BOARD)
    scenarios = session.exec(
        select(Scenario)
        .where(Scenario.status == ScenarioStatus.PUBLISHED)
        .order_by(col(Scenario.closing_date))
        .limit(limit)
    ).all()
    names = org_names(session, {s.org_id for s in scenarios})
    rows = []
    for s in scenarios:
        best: dict[int, OfferHit] = {}
        for hit in recommend_offers(actor, s.id, session=session, k=k * 4):
            if hit.vendor.id not in best:
                best[hit.vendor.id] = hit
        rows.append(BoardRow(to_public(s, names.get(s.org_id, "")), list(best.values())[:k]))
    return rows


def announce_published(actor: Actor, scenario_id: int, *, session: Session, vendors: int = 5) -> int:
    """Tell the best-matching vendors about a newly published scenario ("new recommended scenario").

    Only vendors whose offers share the scenario's sector are told, at most ``vendors`` of them, and
    only vendors the scenario is open to (invited-only scenarios: invited vendors). Called by the
    authority's publish action in the same transaction; returns how many vendors were notified.
    """
    from portal.services.door import notify_org
    from portal.services.scenarios import is_invited

    scenario = get_or_404(session, Scenario, scenario_id)
    require(actor, Action.SCENARIO_REVIEW, scenario)
    if scenario.status != ScenarioStatus.PUBLISHED:
        return 0
    told: list[int] = []
    for hit in recommend_offers(actor, scenario.id, session=session, k=vendors * 4):
        vendor = hit.vendor.id
        if vendor in told or (hit.reasons.signals or {}).get("sector", 0) < 1:
            continue
        if scenario.eligibility == "invited" and not is_invited(session, scenario.id, vendor):
            continue
        notify_org(
            session,
            vendor,
            "recommended",
            object_type="scenario",
            object_id=scenario.id,
            title=scenario.title,
        )
        told.append(vendor)
        if len(told) == vendors:
            break
    return len(told)


def publish_and_announce(actor: Actor, scenario_id: int, *, session: Session) -> int:
    """The review queue's "publish": publish the scenario and tell its best-matching vendors at once.

    One transaction: if publishing is refused nobody is told. Returns how many vendors were told.
    """
    publish_scenario(actor, scenario_id, session=session)
    return announce_published(actor, scenario_id, session=session)


@dataclass(frozen=True)
class IndexStatus:
    """What the authority sees of this process's matching index."""

    model_id: str
    scenarios: int
    offers: int
    pending: dict[str, tuple[int, int]]  # kind → (embedded, queued) of the background work
    last_change: int


def index_status(actor: Actor) -> IndexStatus | None:
    """The index of this process (None while the model is still loading)."""
    require(actor, Action.INDEX_MANAGE)
    portal = _portals.get(_key(load_settings()))
    if portal is None or not portal.ready.is_set():
        return None
    engine = portal.engine
    pending = {k: (engine.progress(k).done, engine.progress(k).total) for k in ("scenario", "offer")}
    return IndexStatus(
        engine.encoder.model_id, engine.count("scenario"), engine.count("offer"), pending, portal.last_change
    )


def rebuild_index(actor: Actor, *, session: Session) -> None:
    """Reconcile this process's index with the whole database now; embedding runs in the background.

    Only changed or missing content is re-embedded (content hashes); the audit row is the caller's
    to commit. Other processes reconcile on their next start or through the change log.
    """
    require(actor, Action.INDEX_MANAGE)
    portal = portal_engine()
    portal.full_sync(background=True)
    audit.record(
        session,
        actor,
        EventType.INDEX_REBUILT,
        "index",
        None,
        scenarios=portal.engine.count("scenario"),
        offers=portal.engine.count("offer"),
    )


def best_match_scores(session: Session, scenario_ids: list[int]) -> dict[int, float]:
    """Top offer score per scenario (for the dashboard's "good match" share)."""
    engine = _engine(session)
    filters = Filters(statuses=(OfferStatus.ACTIVE,), verified_only=True)
    out = {}
    for sid in scenario_ids:
        try:
            matches = engine.recommend_offers(sid, k=1, filters=filters)
        except KeyError:
            continue
        out[sid] = matches[0].score if matches else 0.0
    return out


SIGNAL_KEYS = ("semantic", "lexical", "sector", "region", "verified", "deadline", "budget")


def explain(reasons: Reasons, lang: str = "zh") -> list[str]:
    """Human-readable reasons of a match, strongest first, in ``lang``."""
    lines = []
    signals = reasons.signals or {}
    for key in sorted(signals, key=lambda s: -signals[s]):
        value = signals[key]
        if value <= 0:
            continue
        lines.append(t(f"match.{key}", lang, score=f"{value:.2f}"))
    if reasons.shared_terms:
        sep = "、" if lang == "zh" else ", "
        lines.append(t("match.shared_terms", lang, terms=sep.join(reasons.shared_terms[:8])))
    return lines
