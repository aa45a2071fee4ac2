"""Dashboard numbers and the audit log query for the data authority.

Why: the authority steers the programme with a few numbers (where demands come from, how fast they
are published and awarded, whether vendors respond) and must answer "who did what, when" from the
audit log. Every function here requires ``DASHBOARD_VIEW`` or ``AUDIT_VIEW`` (authority only).

Definitions (the dashboard page shows them as footnotes):

* *published per month*: status-history rows ``scenario → published`` by China-time calendar month.
* *bids per scenario*: for every scenario that was ever published, the number of bids that were
  submitted (statuses submitted, shortlisted, awarded, unsuccessful; drafts and withdrawn bids do
  not count); the result maps a bid count to the number of scenarios with that count.
* *good match share*: of the scenarios currently published (open for bids), the share that has a
  good match. By default a scenario has one when it has at least one submitted bid, or when an
  active offer of a verified vendor lists the scenario's sector and serves its region (the offer's
  regions contain the scenario's region or ``province``). A matching adapter may pass
  ``score(scenario) -> float`` instead; then a good match means ``score >= threshold``.
* *median days to award*: median of ``awarded_at − published_at`` in days (fractional) over every
  scenario that has both stamps.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal.clock import CST
from portal.domain import arguments
from portal.i18n import t
from portal.models import (
    AuditEvent,
    Bid,
    BidStatus,
    Offer,
    OfferStatus,
    Organization,
    Scenario,
    ScenarioStatus,
    StatusChange,
    User,
    Verification,
)
from portal.permissions import Action, Actor, require
from portal.taxonomy import PROVINCE

#: Bids that were actually handed in (drafts and withdrawn bids are not).
COUNTED_BIDS = (BidStatus.SUBMITTED, BidStatus.SHORTLISTED, BidStatus.AWARDED, BidStatus.UNSUCCESSFUL)
DIMENSIONS = {"sector": Scenario.sector, "region": Scenario.region, "status": Scenario.status}
MAX_PAGE_SIZE = 500

MatchScorer = Callable[[Scenario], float]
"""Best match score of a scenario (e.g. the top offer similarity from the matching service)."""


@dataclass(frozen=True)
class MonthCount:
    month: str  # "2026-11"
    count: int


@dataclass(frozen=True)
class MatchShare:
    matched: int
    total: int

    @property
    def share(self) -> float | None:
        """``matched / total``, or None when nothing is published."""
        return self.matched / self.total if self.total else None


@dataclass(frozen=True)
class Dashboard:
    by_sector: dict[str, int]
    by_region: dict[str, int]
    by_status: dict[str, int]
    published_per_month: list[MonthCount]
    bids_per_scenario: dict[int, int]
    good_match: MatchShare
    median_days_to_award: float | None


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    event: str
    actor_id: int | None
    actor_name: str
    actor_org_id: int | None
    object_type: str
    object_id: int | None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


# ------------------------------------------------------------------------------------ dashboard


def scenarios_by(
    actor: Actor, dimension: str, *, session: Session, statuses: Iterable[str] | None = None
) -> dict[str, int]:
    """Count scenarios by ``"sector"``, ``"region"`` or ``"status"``, largest first.

    Args:
        statuses: count only scenarios in these statuses (default: every status, drafts included).

    Example:
        >>> scenarios_by(authority, "sector", session=s)  # doctest: +SKIP
        {'smart-health': 12, 'smart-transport': 7}
    """
    require(actor, Action.DASHBOARD_VIEW)
    column = DIMENSIONS[dimension]
    q = select(column, func.count()).group_by(column)
    if statuses is not None:
        q = q.where(col(Scenario.status).in_(list(statuses)))
    counts = {str(key): n for key, n in session.exec(q).all()}
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _month(value: datetime) -> str:
    return f"{(_utc(value) + CST):%Y-%m}"


def _months_between(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def published_per_month(actor: Actor, *, session: Session) -> list[MonthCount]:
    """Scenarios published per China-time month, from the first to the last month (gaps are 0)."""
    require(actor, Action.DASHBOARD_VIEW)
    q = select(StatusChange.at).where(
        StatusChange.object_type == "scenario", StatusChange.to_status == str(ScenarioStatus.PUBLISHED)
    )
    counts = Counter(_month(at) for at in session.exec(q).all())
    if not counts:
        return []
    return [MonthCount(m, counts.get(m, 0)) for m in _months_between(min(counts), max(counts))]


def _ever_published(session: Session) -> set[int]:
    q = select(StatusChange.object_id).where(
        StatusChange.object_type == "scenario", StatusChange.to_status == str(ScenarioStatus.PUBLISHED)
    )
    return set(session.exec(q).all())


def bids_per_scenario(actor: Actor, *, session: Session) -> dict[int, int]:
    """Distribution of submitted bids over ever-published scenarios: ``{bid count: scenarios}``."""
    require(actor, Action.DASHBOARD_VIEW)
    published = _ever_published(session)
    q = (
        select(Bid.scenario_id, func.count())
        .where(col(Bid.status).in_(COUNTED_BIDS))
        .group_by(col(Bid.scenario_id))
    )
    per_scenario = {sid: n for sid, n in session.exec(q).all() if sid in published}
    distribution = Counter(per_scenario.get(sid, 0) for sid in published)
    return dict(sorted(distribution.items()))


def good_match_share(
    actor: Actor, *, session: Session, score: MatchScorer | None = None, threshold: float = 0.5
) -> MatchShare:
    """Share of currently published scenarios with at least one good match (see module docstring)."""
    require(actor, Action.DASHBOARD_VIEW)
    published = list(session.exec(select(Scenario).where(Scenario.status == ScenarioStatus.PUBLISHED)).all())
    if score is not None:
        matched = sum(1 for s in published if score(s) >= threshold)
        return MatchShare(matched, len(published))
    with_bids = set(
        session.exec(select(Bid.scenario_id).where(col(Bid.status).in_(COUNTED_BIDS)).distinct()).all()
    )
    offers = session.exec(
        select(Offer.sectors, Offer.regions)
        .join(Organization, col(Organization.id) == col(Offer.vendor_org_id))
        .where(Offer.status == OfferStatus.ACTIVE, Organization.verification == Verification.VERIFIED)
    ).all()
    coverage = [(set(sectors or []), set(regions or [])) for sectors, regions in offers]

    def matched(s: Scenario) -> bool:
        if s.id in with_bids:
            return True
        return any(s.sector in secs and (s.region in regs or PROVINCE in regs) for secs, regs in coverage)

    return MatchShare(sum(1 for s in published if matched(s)), len(published))


def median_days_to_award(actor: Actor, *, session: Session) -> float | None:
    """Median days (fractional) from publishing to award, or None when nothing was awarded."""
    require(actor, Action.DASHBOARD_VIEW)
    q = select(Scenario.published_at, Scenario.awarded_at).where(
        col(Scenario.published_at).is_not(None), col(Scenario.awarded_at).is_not(None)
    )
    days = [(_utc(aw) - _utc(pub)).total_seconds() / 86400 for pub, aw in session.exec(q).all()]
    return statistics.median(days) if days else None


def dashboard(
    actor: Actor, *, session: Session, score: MatchScorer | None = None, threshold: float = 0.5
) -> Dashboard:
    """Every dashboard number at once.

    Example:
        >>> d = dashboard(authority, session=s)  # doctest: +SKIP
        >>> d.good_match.share
        0.75
    """
    require(actor, Action.DASHBOARD_VIEW)
    return Dashboard(
        by_sector=scenarios_by(actor, "sector", session=session),
        by_region=scenarios_by(actor, "region", session=session),
        by_status=scenarios_by(actor, "status", session=session),
        published_per_month=published_per_month(actor, session=session),
        bids_per_scenario=bids_per_scenario(actor, session=session),
        good_match=good_match_share(actor, session=session, score=score, threshold=threshold),
        median_days_to_award=median_days_to_award(actor, session=session),
    )


# ------------------------------------------------------------------------------------ audit log


def _bound(value: datetime | date | None, end: bool) -> datetime | None:
    """A datetime (naive = UTC) as is; a date as the start (or, for ``end``, the end) of that China day."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _utc(value)
    try:
        day = value + timedelta(days=1) if end else value
        return datetime.combine(day, time(), tzinfo=UTC) - CST
    except OverflowError:  # year 1 or 9999: no bound at all
        return None


def audit_log(
    actor: Actor,
    *,
    session: Session,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    actor_id: int | None = None,
    event_prefix: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> AuditPage:
    """Audit events, newest first, filtered and paginated.

    Args:
        since / until: ``since <= at < until``; a ``date`` means that China-time calendar day
            (``until`` includes the whole day).
        actor_id: the acting user.
        event_prefix: e.g. ``"scenario."`` or ``"user.login"`` (``%`` and ``_`` match literally).
        object_type / object_id: the object the event is about.
        page / page_size: 1-based page; the size is clamped to 1…500.

    Returns:
        ``AuditPage`` whose rows carry the actor's display name ("系统"/"System" for the system).
    """
    require(actor, Action.AUDIT_VIEW)
    actor_id = arguments.id_arg(actor_id, "actor_id")
    object_id = arguments.id_arg(object_id, "object_id")
    object_type = arguments.text_arg(object_type, "object_type", max_chars=20)
    event_prefix = arguments.text_arg(event_prefix, "event", max_chars=60)
    page = arguments.page_arg(page)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    conditions = []
    start, end = _bound(since, False), _bound(until, True)
    if start is not None:
        conditions.append(col(AuditEvent.at) >= start)
    if end is not None:
        conditions.append(col(AuditEvent.at) < end)
    if actor_id is not None:
        conditions.append(AuditEvent.actor_id == actor_id)
    if event_prefix:
        conditions.append(col(AuditEvent.event).startswith(event_prefix, autoescape=True))
    if object_type:
        conditions.append(AuditEvent.object_type == object_type)
    if object_id is not None:
        conditions.append(AuditEvent.object_id == object_id)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
    q = (
        select(AuditEvent, User.display_name)
        .join(User, col(User.id) == col(AuditEvent.actor_id), isouter=True)
        .where(*conditions)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    system = t("report.system_actor", actor.language)
    rows = [
        AuditRow(
            id=ev.id,  # type: ignore[arg-type]
            at=ev.at,
            event=ev.event,
            actor_id=ev.actor_id,
            actor_name=name or system,
            actor_org_id=ev.actor_org_id,
            object_type=ev.object_type,
            object_id=ev.object_id,
            payload=dict(ev.payload or {}),
        )
        for ev, name in session.exec(q).all()
    ]
    return AuditPage(rows, total, page, page_size)
