"""After the award: implementation, outcome report, completion, showcases (示范场景)."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, col, select

from portal import audit
from portal.audit import EventType
from portal.domain import pii
from portal.domain.errors import FieldError, RuleViolation, ValidationFailed
from portal.domain.validation import clean, clean_text
from portal.models import (
    Outcome,
    Scenario,
    ScenarioStatus,
    Showcase,
    ShowcaseStatus,
)
from portal.permissions import Action, Actor, can, require
from portal.services.bids import awarded_bid
from portal.services.door import (
    apply_changes,
    check_version,
    get_or_404,
    notify_org,
    transition,
)

S = ScenarioStatus
SC = ShowcaseStatus


T = TypeVar("T", bound=SQLModel)


def start_implementation(actor: Actor, scenario_id: int, *, session: Session) -> Scenario:
    scenario = get_or_404(session, Scenario, scenario_id)
    transition(session, scenario, S.IN_IMPLEMENTATION, actor=actor)
    return scenario


def _indicators(rows: list[Any], field: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    out = []
    if rows is not None and not isinstance(rows, list):
        raise ValidationFailed([FieldError(field, "validation.invalid", {})])
    for row in rows or []:
        if not isinstance(row, dict):
            raise ValidationFailed([FieldError(field, "validation.invalid", {})])
        item = {k: clean_text(str(row.get(k) or "")) for k in keys}
        if not item[keys[0]]:
            continue
        if any(len(v) > 500 for v in item.values()):
            raise ValidationFailed([FieldError(field, "validation.too_long", {"max_length": 500})])
        out.append(item)
    return out


def check_record(actor: Actor, scenario: Scenario, *, session: Session) -> None:
    """May ``actor`` record the outcome of ``scenario`` now (its department, awarded or later, a winner)?"""
    require(actor, Action.OUTCOME_RECORD, scenario)
    if scenario.status not in (S.AWARDED, S.IN_IMPLEMENTATION, S.COMPLETED):
        raise RuleViolation("error.scenario_not_awarded", status=f"status.{scenario.status}")
    if awarded_bid(session, scenario.id) is None:
        raise RuleViolation("error.scenario_not_awarded", status=f"status.{scenario.status}")


def check_complete(actor: Actor, scenario: Scenario, *, session: Session) -> None:
    """May ``actor`` mark ``scenario`` completed now (an outcome is recorded)?"""
    require(actor, Action.OUTCOME_RECORD, scenario)
    if get_outcome(session, scenario.id) is None:
        raise RuleViolation("error.outcome_missing")


def check_propose(actor: Actor, scenario: Scenario, *, session: Session) -> None:
    """May ``actor`` draft the showcase of ``scenario`` now (completed, none drafted yet)?"""
    require(actor, Action.SHOWCASE_PROPOSE, scenario)
    if scenario.status != S.COMPLETED:
        raise RuleViolation("error.scenario_not_completed", status=f"status.{scenario.status}")
    if session.exec(select(Showcase.id).where(Showcase.scenario_id == scenario.id)).first() is not None:
        raise RuleViolation("error.showcase_exists")


def record_outcome(
    actor: Actor,
    scenario_id: int,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    session: Session,
) -> Outcome:
    """Record (or update) the contract and achieved indicators of an awarded scenario."""
    scenario = get_or_404(session, Scenario, scenario_id)
    check_record(actor, scenario, session=session)
    winner = awarded_bid(session, scenario.id)
    assert winner is not None
    data = clean(data)
    errors = _not_text(data, ("summary",))
    value = data.get("contract_value")
    if value is not None and (not isinstance(value, int) or value < 0 or value > 10_000_000_000):
        errors.append(
            FieldError(
                "contract_value",
                "validation.too_large" if isinstance(value, int) and value > 0 else "validation.too_small",
                {"ge": 0, "le": 10_000_000_000},
            )
        )
    start, end = data.get("start_date"), data.get("end_date")
    for name, val in (("start_date", start), ("end_date", end)):
        if val is not None and not isinstance(val, date):
            errors.append(FieldError(name, "validation.not_a_date", {}))
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors.append(FieldError("end_date", "validation.end_before_start", {}))
    if isinstance(data.get("summary"), str) and len(data["summary"]) > 8000:
        errors.append(FieldError("summary", "validation.too_long", {"max_length": 8000}))
    if errors:
        raise ValidationFailed(errors)
    fields = {
        "contract_value": value,
        "start_date": start,
        "end_date": end,
        "summary": data.get("summary") or "",
        "achieved_indicators": _indicators(
            data.get("achieved_indicators"), "achieved_indicators", ("name", "target", "achieved")
        ),
    }
    outcome = session.exec(select(Outcome).where(Outcome.scenario_id == scenario.id)).first()
    if outcome is None:
        outcome = Outcome(
            scenario_id=scenario.id, vendor_org_id=winner.vendor_org_id, bid_id=winner.id, **fields
        )
        session.add(outcome)
        session.flush()
        diff = fields
    else:
        check_version(outcome, expected_version)
        diff = apply_changes(outcome, fields)
        session.add(outcome)
        session.flush()
    audit.record(
        session,
        actor,
        EventType.OUTCOME_RECORDED,
        "outcome",
        outcome.id,
        scenario_id=scenario.id,
        fields=sorted(diff),
    )
    return outcome


def complete_scenario(actor: Actor, scenario_id: int, *, session: Session) -> Scenario:
    """Mark an implemented scenario completed; requires a recorded outcome."""
    scenario = get_or_404(session, Scenario, scenario_id)
    check_complete(actor, scenario, session=session)
    transition(session, scenario, S.COMPLETED, actor=actor)
    return scenario


def get_outcome(session: Session, scenario_id: int) -> Outcome | None:
    return session.exec(select(Outcome).where(Outcome.scenario_id == scenario_id)).first()


OUTCOME_TEXT = ("summary", "achieved_indicators")


def outcome_as_seen_by(actor: Actor, scenario_id: int, *, session: Session) -> Outcome | None:
    """A scenario's outcome for a showcase reader: as written for the authority and the owning
    department; for everyone else a detached copy with personal data masked (like ``as_seen_by``),
    because a showcase puts the outcome report in front of the public."""
    outcome = get_outcome(session, scenario_id)
    if (
        outcome is None
        or actor.is_authority
        or (actor.is_department and actor.org_id == outcome_owner(session, outcome))
    ):
        return outcome
    return _masked(outcome, OUTCOME_TEXT)


def outcome_owner(session: Session, outcome: Outcome) -> int | None:
    """The department (organisation id) whose scenario the outcome reports."""
    scenario = session.get(Scenario, outcome.scenario_id)
    return scenario.org_id if scenario is not None else None


# ------------------------------------------------------------------------------------ showcases


def _not_text(data: dict[str, Any], names: tuple[str, ...]) -> list[FieldError]:
    """Errors for fields that hold something other than text (a number, a list …)."""
    return [
        FieldError(n, "validation.invalid", {})
        for n in names
        if data.get(n) is not None and not isinstance(data[n], str)
    ]


def _showcase_fields(data: dict[str, Any]) -> dict[str, Any]:
    data = clean(data)
    errors = _not_text(data, ("title", "title_en", "story"))
    if errors:
        raise ValidationFailed(errors)
    title, story = data.get("title") or "", data.get("story") or ""
    if len(title) < 4:
        errors.append(FieldError("title", "validation.too_short", {"min_length": 4}))
    if len(title) > 120:
        errors.append(FieldError("title", "validation.too_long", {"max_length": 120}))
    if len(story) < 20:
        errors.append(FieldError("story", "validation.too_short", {"min_length": 20}))
    if len(story) > 8000:
        errors.append(FieldError("story", "validation.too_long", {"max_length": 8000}))
    if len(data.get("title_en") or "") > 200:
        errors.append(FieldError("title_en", "validation.too_long", {"max_length": 200}))
    if errors:
        raise ValidationFailed(errors)
    return {
        "title": title,
        "title_en": data.get("title_en") or "",
        "story": story,
        "indicators": _indicators(data.get("indicators"), "indicators", ("name", "value")),
    }


def propose_showcase(actor: Actor, scenario_id: int, data: dict[str, Any], *, session: Session) -> Showcase:
    """Department (or authority) drafts the showcase of a completed scenario."""
    scenario = get_or_404(session, Scenario, scenario_id)
    check_propose(actor, scenario, session=session)
    showcase = Showcase(scenario_id=scenario.id, org_id=scenario.org_id, **_showcase_fields(data))
    session.add(showcase)
    session.flush()
    audit.record(session, actor, EventType.SHOWCASE_CREATED, "showcase", showcase.id, scenario_id=scenario.id)
    return showcase


def update_showcase(
    actor: Actor, showcase_id: int, data: dict[str, Any], *, expected_version: int | None, session: Session
) -> Showcase:
    showcase = get_or_404(session, Showcase, showcase_id)
    require(actor, Action.SHOWCASE_EDIT, showcase)
    check_version(showcase, expected_version)
    current = {
        "title": showcase.title,
        "title_en": showcase.title_en,
        "story": showcase.story,
        "indicators": showcase.indicators,
    }
    diff = apply_changes(showcase, _showcase_fields(current | data))
    if diff:
        session.add(showcase)
        session.flush()
        audit.record(session, actor, EventType.SHOWCASE_UPDATED, "showcase", showcase.id, fields=sorted(diff))
    return showcase


def submit_showcase(actor: Actor, showcase_id: int, *, session: Session) -> Showcase:
    showcase = get_or_404(session, Showcase, showcase_id)
    transition(session, showcase, SC.IN_REVIEW, actor=actor)
    return showcase


def publish_showcase(actor: Actor, showcase_id: int, *, session: Session) -> Showcase:
    """Authority publishes a reviewed showcase; its scenario becomes 'showcased' in the same transaction."""
    showcase = get_or_404(session, Showcase, showcase_id)
    transition(session, showcase, SC.PUBLISHED, actor=actor)
    scenario = get_or_404(session, Scenario, showcase.scenario_id)
    if scenario.status == S.COMPLETED:
        transition(session, scenario, S.SHOWCASED, actor=actor)
    notify_org(
        session,
        scenario.org_id,
        "showcase_published",
        object_type="showcase",
        object_id=showcase.id,
        title=showcase.title,
    )
    return showcase


def return_showcase(actor: Actor, showcase_id: int, reason: str, *, session: Session) -> Showcase:
    """Send a showcase back to draft (changes requested, or unpublish) with a reason."""
    showcase = get_or_404(session, Showcase, showcase_id)
    transition(session, showcase, SC.DRAFT, actor=actor, reason=reason)
    return showcase


def list_showcases(actor: Actor, *, session: Session, status: str | None = None) -> list[Showcase]:
    """Published showcases for everyone; the authority also sees drafts and reviews.

    Readers other than the authority and the showcase's department get personal data in the text
    masked (``as_seen_by``).
    """
    q = select(Showcase)
    if status:
        q = q.where(Showcase.status == status)
    rows = session.exec(q.order_by(col(Showcase.published_at).desc(), col(Showcase.id).desc())).all()
    return [as_seen_by(actor, r) for r in rows if can(actor, Action.SHOWCASE_VIEW, r)]


SHOWCASE_TEXT = ("title", "title_en", "story", "indicators")


def as_seen_by(actor: Actor, showcase: Showcase) -> Showcase:
    """The showcase itself for the authority and its department; for everyone else a detached copy
    (never added to a session) with personal data in its text masked (``portal.domain.pii``)."""
    if actor.is_authority or (actor.is_department and actor.org_id == showcase.org_id):
        return showcase
    return _masked(showcase, SHOWCASE_TEXT)


def _masked(row: T, names: tuple[str, ...]) -> T:
    """``row`` itself when its text holds no personal data, else a detached copy (never added to a
    session, so masking never writes back) with it masked in the ``names`` fields."""
    masked = {name: pii.mask_value(getattr(row, name)) for name in names}
    if all(masked[name] == getattr(row, name) for name in names):
        return row
    return type(row).model_validate(row.model_dump() | masked)


def get_showcase(actor: Actor, showcase_id: int, *, session: Session) -> Showcase:
    showcase = get_or_404(session, Showcase, showcase_id)
    if not can(actor, Action.SHOWCASE_VIEW, showcase):
        get_or_404(session, Showcase, None)
    return as_seen_by(actor, showcase)
