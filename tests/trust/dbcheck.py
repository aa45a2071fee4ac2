"""Database-wide checks shared by the trust tests: a full data dump and the consistency rules.

``full_dump`` reads every row of every model table in primary-key order (what a backup must restore
exactly). ``consistency_problems`` lists every broken invariant of the lifecycle (empty: consistent);
the kill, concurrency and stress tests run it after crashes and races.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from portal.domain.lifecycle import MACHINES
from portal.models import AuditEvent, Bid, BidStatus, Scenario, ScenarioStatus, StatusChange

S = ScenarioStatus
AWARDED_LIKE = {S.AWARDED, S.IN_IMPLEMENTATION, S.COMPLETED, S.SHOWCASED}
BIDDABLE_OR_LATER = {S.PUBLISHED, S.CLOSED, S.CANCELLED, S.NONE_SUITABLE} | AWARDED_LIKE
INITIAL = {"scenario": "draft", "bid": "draft", "showcase": "draft", "call": "open"}


def full_dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every model table, in primary-key order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def row_counts(engine: Engine) -> dict[str, int]:
    return {name: len(rows) for name, rows in full_dump(engine).items()}


def consistency_problems(engine: Engine) -> list[str]:
    """Broken invariants: status vs. history, award rule, bids on unpublished scenarios, audit trail."""
    problems: list[str] = []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            verdict = conn.execute(text("PRAGMA integrity_check")).scalar()
            if verdict != "ok":
                problems.append(f"sqlite integrity_check: {verdict}")
            if conn.execute(text("PRAGMA foreign_key_check")).first() is not None:
                problems.append("sqlite foreign_key_check found orphans")
        scenarios = {r.id: r for r in conn.execute(select(Scenario.__table__)).all()}
        bids = conn.execute(select(Bid.__table__)).all()
        changes = conn.execute(select(StatusChange.__table__).order_by(StatusChange.id)).all()
        events = Counter(
            (r.event, r.object_id) for r in conn.execute(select(AuditEvent.event, AuditEvent.object_id)).all()
        )
    history: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for ch in changes:
        history[(ch.object_type, ch.object_id)].append(ch)
    for (kind, oid), rows in history.items():
        previous = INITIAL[kind]
        for ch in rows:
            if ch.from_status != previous:
                problems.append(
                    f"{kind} {oid}: history jumps from {previous} to a change from {ch.from_status}"
                )
            previous = ch.to_status
        if events[(f"{kind}.{rows[-1].to_status}", oid)] < 1:
            problems.append(f"{kind} {oid}: no audit event for its change to {rows[-1].to_status}")
    transition_events = sum(n for (name, _), n in events.items() if _is_transition_event(name))
    if transition_events != len(changes):
        problems.append(f"{transition_events} transition audit events for {len(changes)} status changes")

    def last_status(kind: str, oid: int) -> str:
        rows = history.get((kind, oid))
        return rows[-1].to_status if rows else INITIAL[kind]

    for sid, sc in scenarios.items():
        if str(sc.status).lower() != last_status("scenario", sid):
            problems.append(
                f"scenario {sid}: status {sc.status} but history ends at {last_status('scenario', sid)}"
            )
    by_scenario: dict[int, list[Any]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for b in bids:
        by_scenario[b.scenario_id].append(b)
        if (b.scenario_id, b.vendor_org_id) in seen:
            problems.append(f"scenario {b.scenario_id}: two bids of vendor {b.vendor_org_id}")
        seen.add((b.scenario_id, b.vendor_org_id))
        if str(b.status).lower() != last_status("bid", b.id):
            problems.append(f"bid {b.id}: status {b.status} but history ends at {last_status('bid', b.id)}")
        if _status(scenarios[b.scenario_id].status) not in BIDDABLE_OR_LATER:
            problems.append(
                f"bid {b.id} on scenario {b.scenario_id} in status {scenarios[b.scenario_id].status}"
            )
    for sid, sc in scenarios.items():
        status = _status(sc.status)
        awarded = [b for b in by_scenario[sid] if _bid_status(b.status) == BidStatus.AWARDED]
        active = [
            b
            for b in by_scenario[sid]
            if _bid_status(b.status) in (BidStatus.SUBMITTED, BidStatus.SHORTLISTED)
        ]
        if status in AWARDED_LIKE and len(awarded) != 1:
            problems.append(f"scenario {sid} is {status} with {len(awarded)} awarded bids")
        if status not in AWARDED_LIKE and status != S.CANCELLED and awarded:
            problems.append(f"scenario {sid} is {status} but has an awarded bid")
        if status in AWARDED_LIKE | {S.NONE_SUITABLE} and active:
            problems.append(
                f"scenario {sid} is decided ({status}) but bids {[b.id for b in active]} are still active"
            )
    return problems


def _status(value: Any) -> ScenarioStatus:
    return ScenarioStatus(str(value).lower()) if not isinstance(value, ScenarioStatus) else value


def _bid_status(value: Any) -> BidStatus:
    return BidStatus(str(value).lower()) if not isinstance(value, BidStatus) else value


def _is_transition_event(name: str) -> bool:
    kind, _, to = name.partition(".")
    machine = MACHINES.get(kind)
    return machine is not None and to in machine.states()
