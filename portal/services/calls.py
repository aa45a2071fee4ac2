"""Collection calls (征集批次) and their numbered published lists (第N批场景清单)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal import audit, clock
from portal.audit import EventType
from portal.domain.errors import RuleViolation
from portal.domain.validation import Checker, parse
from portal.models import Call, CallCreate, CallStatus, Scenario, ScenarioStatus
from portal.permissions import PUBLIC_STATUSES, Action, Actor, require
from portal.services.door import apply_changes, check_version, get_or_404, transition


def _check(cc: CallCreate) -> None:
    chk = Checker()
    chk.sectors("sectors", cc.sectors, required=False)
    if cc.closes_on < cc.opens_on:
        chk.fail("closes_on", "validation.end_before_start")
    chk.raise_if_any()


def create_call(actor: Actor, data: dict[str, Any], *, session: Session) -> Call:
    require(actor, Action.CALL_MANAGE)
    cc = parse(CallCreate, data)
    _check(cc)
    call = Call(**cc.model_dump())
    session.add(call)
    session.flush()
    audit.record(session, actor, EventType.CALL_CREATED, "call", call.id, theme=call.theme)
    return call


def update_call(
    actor: Actor, call_id: int, changes: dict[str, Any], *, expected_version: int | None, session: Session
) -> Call:
    require(actor, Action.CALL_MANAGE)
    call = get_or_404(session, Call, call_id)
    check_version(call, expected_version)
    cc = parse(CallCreate, {n: getattr(call, n) for n in CallCreate.model_fields} | changes)
    _check(cc)
    diff = apply_changes(call, cc.model_dump())
    if diff:
        session.add(call)
        session.flush()
        audit.record(session, actor, EventType.CALL_UPDATED, "call", call.id, fields=sorted(diff))
    return call


def close_call(actor: Actor, call_id: int, *, session: Session) -> Call:
    call = get_or_404(session, Call, call_id)
    transition(session, call, CallStatus.CLOSED, actor=actor)
    return call


def check_publish_list(actor: Actor, call: Call, *, session: Session) -> None:
    """May ``actor`` publish the call's numbered list now? The authority, once a scenario in it is public.

    Raises:
        PermissionDenied: not the authority.
        RuleViolation: ``error.call_list_empty`` (no published scenario to list yet).
    """
    require(actor, Action.CALL_MANAGE)
    if call.id is None or not call_scenarios(session, call.id, public_only=True):
        raise RuleViolation("error.call_list_empty")


def publish_call_list(actor: Actor, call_id: int, *, session: Session) -> Call:
    """Publish the call's numbered list: batch N, and a position for each published scenario.

    Scenarios still awaiting review are not listed; at least one published scenario is required.
    """
    call = get_or_404(session, Call, call_id)
    check_publish_list(actor, call, session=session)
    scenarios = call_scenarios(session, call.id, public_only=True)
    last = session.exec(select(func.max(Call.batch_number))).one()
    call.batch_number = (last or 0) + 1
    for position, scenario in enumerate(scenarios, start=1):
        scenario.list_number = position
        session.add(scenario)
    transition(session, call, CallStatus.PUBLISHED, actor=actor, batch_number=call.batch_number)
    return call


def call_scenarios(session: Session, call_id: int, *, public_only: bool) -> list[Scenario]:
    q = select(Scenario).where(Scenario.call_id == call_id)
    if public_only:
        q = q.where(col(Scenario.status).in_(PUBLIC_STATUSES))
    return list(session.exec(q.order_by(col(Scenario.published_at), col(Scenario.id))).all())


def submissions(actor: Actor, call_id: int, *, session: Session) -> list[Scenario]:
    """Everything departments submitted into a call (authority view, every status but drafts)."""
    require(actor, Action.CALL_MANAGE)
    q = select(Scenario).where(Scenario.call_id == call_id, Scenario.status != ScenarioStatus.DRAFT)
    return list(session.exec(q.order_by(col(Scenario.id))).all())


def list_calls(*, session: Session, status: str | None = None) -> list[Call]:
    q = select(Call)
    if status:
        q = q.where(Call.status == status)
    return list(session.exec(q.order_by(col(Call.opens_on).desc())).all())


def open_calls(*, session: Session) -> list[Call]:
    today = clock.today()
    q = select(Call).where(Call.status == CallStatus.OPEN, Call.opens_on <= today, Call.closes_on >= today)
    return list(session.exec(q).all())
