"""The one guarded door for every status change, plus small shared helpers of the services.

Why: the GOV.UK Digital Marketplace lesson: once anything else writes a status column, rules drift.
``transition`` checks the state machine and the permission, writes the status, the status history
row and the audit event in the caller's transaction. Nothing else assigns ``.status`` (or an
organisation's ``.verification``, which has a machine of its own).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session
from sqlmodel import Session, SQLModel, col, select

from portal import audit, clock
from portal.domain import pii
from portal.domain.errors import ChangedField, Conflict, NotFound
from portal.domain.lifecycle import MACHINES
from portal.models import MAX_ID, AuditEvent, ChangeLog, Notification, Role, Scenario, StatusChange, User
from portal.permissions import Actor, can, require

T = TypeVar("T", bound=SQLModel)

_STAMPS = {
    ("scenario", "published"): "published_at",
    ("scenario", "closed"): "closed_at",
    ("scenario", "awarded"): "awarded_at",
    ("bid", "submitted"): "submitted_at",
    ("showcase", "published"): "published_at",
    ("call", "published"): "published_at",
}


def transition(
    session: Session,
    obj: Any,
    to: str,
    *,
    actor: Actor,
    reason: str = "",
    perm_obj: Any = None,
    **payload: Any,
) -> StatusChange:
    """Move ``obj`` to status ``to``.

    Args:
        obj: a Scenario, Bid, Showcase, Call, Offer or Organization (its table name picks the state
            machine; an organisation's machine writes its ``verification``).
        to: the requested status.
        actor: who acts; checked against the transition's permission on ``perm_obj or obj``.
        reason: required for exits and refusals (withdrawn, cancelled, none suitable, changes requested).

    Raises:
        InvalidTransition: the machine has no such edge (message names current and requested states).
        RuleViolation: a required reason is missing.
        PermissionDenied: the actor may not take this edge.
    """
    kind = obj.__tablename__
    if kind == "scenario":
        lock_scenario(session, obj.id)
    machine = MACHINES[kind]
    current = str(getattr(obj, machine.field))
    rule = machine.rule(current, to, reason)
    require(actor, rule.action, perm_obj if perm_obj is not None else obj)
    now = clock.now()
    setattr(obj, machine.field, to)
    obj.updated_at = now
    stamp = _STAMPS.get((kind, str(to)))
    if stamp:
        setattr(obj, stamp, now)
    session.add(obj)
    change = StatusChange(
        object_type=kind,
        object_id=obj.id,
        from_status=current,
        to_status=str(to),
        actor_id=actor.user_id,
        reason=(reason or "").strip(),
        at=now,
    )
    session.add(change)
    audit.record(
        session, actor, f"{kind}.{to}", kind, obj.id, from_status=current, reason=change.reason, **payload
    )
    if kind == "scenario":  # status feeds the matching filters of every process
        log_change(session, "scenario", obj.id)
    session.flush()
    return change


def may_transition(actor: Actor, obj: Any, to: str, *, perm_obj: Any = None) -> bool:
    """Whether ``actor`` may move ``obj`` to ``to`` now: the edge exists and its permission holds.

    The screens draw a status button exactly when this is true; ``transition`` enforces the same
    (plus the reason, which the form asks for).
    """
    machine = MACHINES[obj.__tablename__]
    current = str(getattr(obj, machine.field))
    if not machine.has(current, to):
        return False
    rule = machine.transitions[(current, str(to))]
    return can(actor, rule.action, perm_obj if perm_obj is not None else obj)


def _valid_id(value: object) -> bool:
    """An id that can name a row (out-of-range integers would crash PostgreSQL's INTEGER comparison)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def lock_scenario(session: Session, scenario_id: int | None) -> None:
    """Take the scenario's row lock for the rest of the transaction, then reload it.

    Why: a bid and a status change of its scenario (close, award, cancel) must not interleave: a vendor
    checking "still open" while the department closes and awards would leave a submitted bid on an
    awarded scenario. A no-op UPDATE is the one statement that locks the row on both backends (a row
    lock on PostgreSQL, the database write lock on SQLite); everything read after it is current.
    """
    if not _valid_id(scenario_id):
        return
    session.execute(text("UPDATE scenario SET id = id WHERE id = :id"), {"id": scenario_id})
    cached = session.get(Scenario, scenario_id)
    if cached is not None and cached not in session.dirty:
        session.refresh(cached)


def get_or_404(session: Session, model: type[T], obj_id: int | None, what: str | None = None) -> T:
    """Load a row by id or raise ``NotFound`` with a translatable object name."""
    obj = session.get(model, obj_id) if _valid_id(obj_id) else None
    if obj is None:
        raise NotFound(what=f"object.{what or model.__tablename__}")
    return obj


def check_version(obj: Any, expected_version: int | None) -> None:
    """Refuse a save based on a stale copy (two editors: the second gets a clear conflict).

    ``expected_version`` is the version the form was rendered from (carried by the page from the
    render to the save, never re-read in the saving run); ``None`` skips the check (scripts, CLI).
    The conflict names what the other save changed, who made it and when (from the audit rows,
    which record each change's resulting version).
    """
    if expected_version is None or obj.version == expected_version:
        return
    session = object_session(obj)
    changes: list[ChangedField] = []
    by, at = "", getattr(obj, "updated_at", None)
    if session is not None and obj.id is not None:
        kind = "user" if obj.__tablename__ == "user_account" else obj.__tablename__
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.object_type == kind, AuditEvent.object_id == obj.id)
            .order_by(col(AuditEvent.id).desc())
            .limit(50)
        ).all()
        newer = [
            r
            for r in rows
            if isinstance(r.payload.get("version"), int) and r.payload["version"] > expected_version
        ]
        seen: list[str] = []
        for row in reversed(newer):
            names = list(row.payload.get("fields") or [])
            if "from_status" in row.payload:
                names.append("status")
            seen += [n for n in names if isinstance(n, str) and n not in seen]
        changes = [
            ChangedField(n, display_value(getattr(obj, n, "")), _amount(n, getattr(obj, n, None)))
            for n in seen
            if hasattr(obj, n)
        ]
        if newer:
            at = newer[0].at
            user = session.get(User, newer[0].actor_id) if newer[0].actor_id else None
            by = user.display_name if user is not None else ""
    raise Conflict(
        "error.conflict_by" if by else "error.conflict",
        what=f"object.{obj.__tablename__}",
        changes=tuple(changes),
        by=by,
        at=at,
        when=at,
    )


MONEY_FIELDS = frozenset({"price", "budget_min", "budget_max", "contract_value"})


def _amount(field: str, value: Any) -> int | None:
    return value if field in MONEY_FIELDS and isinstance(value, int) else None


def display_value(value: Any, limit: int = 200) -> str:
    """A stored value as short display text (lists joined, indicator rows flattened)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        parts = [
            " ".join(str(v) for v in item.values() if v) if isinstance(item, dict) else str(item)
            for item in value
        ]
        text = "；".join(p for p in parts if p) or "—"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def apply_changes(obj: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """Assign changed fields (JSON lists are reassigned, never mutated) and return the diff."""
    diff: dict[str, Any] = {}
    for name, value in changes.items():
        if getattr(obj, name) != value:
            diff[name] = value
            setattr(obj, name, list(value) if isinstance(value, list) else value)
    if diff:
        obj.updated_at = clock.now()
    return diff


def log_change(session: Session, object_type: str, object_id: int, op: str = "upsert") -> None:
    """Append to the change log that every process's vector index follows."""
    session.add(ChangeLog(object_type=object_type, object_id=object_id, op=op))


def add_once(session: Session, row: SQLModel) -> bool:
    """Insert ``row`` unless a row with its unique key exists; False when it does.

    Why a savepoint: two processes may insert the same key at once; the loser's unique violation
    rolls back only this insert, not the caller's transaction.
    """
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def notify(
    session: Session,
    user_ids: Iterable[int],
    kind: str,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    **params: Any,
) -> int:
    """Queue one notification per user (deduplicated); returns how many were added.

    Users who chose "e-mail immediately" for this kind also get a message in the outbox, in the
    same transaction (``services.outbox``: delivered afterwards, never blocking this action).
    Text parameters (titles, reasons, answers) are stored with personal data masked
    (``portal.domain.pii``): notifications leave the scenario page's audience rules behind (they
    reach vendors and followers, and may be mailed).
    """
    params = {k: pii.mask_value(v) for k, v in params.items()}
    rows = [
        Notification(user_id=uid, kind=kind, params=params, object_type=object_type, object_id=object_id)
        for uid in sorted(set(user_ids))
    ]
    session.add_all(rows)
    if rows:
        from portal.services import mail_compose  # the mail side imports the door: import late

        mail_compose.mail_notifications(session, rows)
    return len(rows)


def notify_org(
    session: Session,
    org_id: int,
    kind: str,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    **params: Any,
) -> int:
    """Notify every active user of an organization (see ``notify``)."""
    return notify(
        session, org_user_ids(session, org_id), kind, object_type=object_type, object_id=object_id, **params
    )


def org_user_ids(session: Session, org_id: int) -> list[int]:
    """Active users of an organization (notification recipients)."""
    rows = session.exec(select(User.id).where(User.org_id == org_id, User.is_active == True))  # noqa: E712
    return [r for r in rows if r is not None]


def authority_user_ids(session: Session) -> list[int]:
    """Active users of the data authority (they hear about submissions and registrations)."""
    rows = session.exec(select(User.id).where(User.role == Role.AUTHORITY, User.is_active == True))  # noqa: E712
    return [r for r in rows if r is not None]
