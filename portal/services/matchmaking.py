"""Matchmaking: the portal's adapter over the ``matching`` library.

Why an adapter: ``matching`` knows nothing of tables or permissions. This module checks permissions
and turns ``Match`` ids back into what the actor may see; the per-process engine it asks (records
from rows, one engine per database, following the ``change_log``) lives in ``match_engine``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session, col, select

from matching import Filters, Match, Reasons
from portal import audit, clock
from portal.audit import EventType
from portal.config import load_settings
from portal.domain import arguments
from portal.i18n import t
from portal.models import (
    Offer,
    OfferStatus,
    Organization,
    Scenario,
    ScenarioPublic,
    ScenarioStatus,
)
from portal.permissions import PUBLIC_STATUSES, Action, Actor, require
from portal.services.door import get_or_404
from portal.services.match_engine import (  # noqa: F401  (engine functions re-exported for callers)
    _engine,
    _key,
    _offer_records,
    _portals,
    _scenario_records,
    demo_seed_path,
    is_ready,
    offer_record,
    portal_engine,
    progress,
    reset_engines,
    scenario_record,
    sync_changes,
    warm_up,
)
from portal.services.scenarios import org_names, publish_scenario, to_public

log = logging.getLogger(__name__)
T = TypeVar("T")
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
