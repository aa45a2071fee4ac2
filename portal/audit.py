"""Typed audit events, written in the same transaction as the change they describe.

Why: the authority must be able to answer "who changed what, when, and why" for every state change.
Each event has a fixed name from ``EventType`` (documented in docs/events.md; a test checks it).
Status transitions record ``<object>.<new status>`` events through the door.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from portal.models import EDITABLE_TABLES, AuditEvent, User
from portal.permissions import Actor

_MODELS: dict[str, type] = {m.__tablename__: m for m in EDITABLE_TABLES} | {"user": User}


class EventType(enum.StrEnum):
    """Events that are not status transitions (those are named ``<object>.<status>``)."""

    USER_CREATED = "user.created"
    USER_LOGIN = "user.login"
    USER_LOGOUT = "user.logout"
    USER_LOGIN_FAILED = "user.login_failed"
    USER_LOCKED = "user.locked"
    USER_PASSWORD_CHANGED = "user.password_changed"
    USER_PASSWORD_CHANGE_FAILED = "user.password_change_failed"
    USER_PASSWORD_RESET = "user.password_reset"
    USER_DEACTIVATED = "user.deactivated"
    USER_REACTIVATED = "user.reactivated"
    ORG_CREATED = "org.created"
    ORG_UPDATED = "org.updated"
    CALL_CREATED = "call.created"
    CALL_UPDATED = "call.updated"
    SCENARIO_CREATED = "scenario.created"
    SCENARIO_UPDATED = "scenario.updated"
    SCENARIO_PII_CONFIRMED = "scenario.pii_confirmed"
    SCENARIO_INVITED = "scenario.vendor_invited"
    SCENARIO_FOLLOWED = "scenario.followed"
    SCENARIOS_IMPORTED = "scenario.imported"
    QUESTION_ASKED = "question.asked"
    QUESTION_ANSWERED = "question.answered"
    OFFER_CREATED = "offer.created"
    OFFER_UPDATED = "offer.updated"
    BID_CREATED = "bid.created"
    BID_UPDATED = "bid.updated"
    OUTCOME_RECORDED = "outcome.recorded"
    SHOWCASE_CREATED = "showcase.created"
    SHOWCASE_UPDATED = "showcase.updated"
    DATA_EXPORTED = "data.exported"
    DEMO_LOADED = "demo.loaded"
    INDEX_REBUILT = "index.rebuilt"
    BACKUP_CREATED = "backup.created"
    MAIL_SETTINGS_SAVED = "mail.settings_saved"
    MAIL_PAUSED = "mail.paused"
    MAIL_RESUMED = "mail.resumed"
    MAIL_REQUEUED = "mail.requeued"
    SUBSCRIBED = "subscription.created"
    UNSUBSCRIBED = "subscription.deleted"
    ATTACHMENT_UPLOADED = "attachment.uploaded"
    ATTACHMENT_REMOVED = "attachment.removed"
    ATTACHMENT_DOWNLOADED = "attachment.downloaded"


def record(
    session: Session,
    actor: Actor,
    event: str,
    object_type: str,
    object_id: int | None,
    **payload: Any,
) -> AuditEvent:
    """Add an audit row to the session (flushed with the caller's transaction, never committed here).

    When the object is a versioned row loaded in this session, the row's version after the change is
    recorded too (``payload["version"]``): that is how a stale save can be told *what* changed since
    the version its form was rendered from (``door.check_version``).
    """
    version = _version_after(session, object_type, object_id)
    if version is not None and "version" not in payload:
        payload["version"] = version
    row = AuditEvent(
        event=str(event),
        actor_id=actor.user_id,
        actor_org_id=actor.org_id,
        object_type=object_type,
        object_id=object_id,
        payload={k: _jsonable(v) for k, v in payload.items()},
    )
    session.add(row)
    return row


def _version_after(session: Session, object_type: str, object_id: int | None) -> int | None:
    """The version the object will have once this transaction's pending changes are flushed."""
    model = _MODELS.get(object_type)
    if model is None or not isinstance(object_id, int):
        return None
    obj = session.identity_map.get(identity_key(model, object_id))
    if obj is None:
        return None
    version = getattr(obj, "version", None)
    if not isinstance(version, int):
        return None
    if obj in session.dirty and session.is_modified(obj):
        version += 1  # the version counter bumps at the next flush
    return version


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return str(value)
