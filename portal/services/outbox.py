"""The outbox: e-mails queued in the action's own transaction, delivered afterwards with retries.

Why: sending inside the transaction would let a slow or broken mail server block (or, on a
rollback, contradict) the action that caused the message. Instead the message is a row written
with the action; ``deliver_due`` sends due rows later. A sender first claims a row with a
compare-and-set lease, so two processes never send the same row, and a crash mid-send only delays
it until the lease runs out. A failure is retried with exponential backoff; after ``MAX_ATTEMPTS``
the row is kept as ``failed`` for the authority to see and requeue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from portal import audit, clock
from portal.domain.errors import NotFound, RuleViolation
from portal.models import MAX_ID, OutboxMessage, OutboxState, User
from portal.permissions import Action, Actor, require
from portal.services import mailer
from portal.services.door import add_once
from portal.services.mail_compose import Mail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)


def enabled() -> bool:
    """Whether e-mail is configured at all (``PORTAL_SMTP_URL``); unset means in-app only."""
    return mailer.smtp_config() is not None


def enqueue(session: Session, user: User, key: str, mail: Mail) -> OutboxMessage | None:
    """Queue ``mail`` for ``user`` in the caller's transaction, once per ``key``.

    Returns None (nothing queued) when e-mail is not configured, the user has no address, or a
    message with this key exists already (the same digest or reminder is never sent twice, even
    when two processes compose it at once: the unique key decides).
    """
    if not user.email or not user.is_active or not enabled():
        return None
    row = OutboxMessage(
        key=key[:120],
        user_id=user.id,
        to_addr=user.email,
        subject=mail.subject,
        body_text=mail.text,
        body_html=mail.html,
        headers=mail.headers,
    )
    return row if add_once(session, row) else None


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … failure, at most ``MAX_BACKOFF``."""
    return min(timedelta(minutes=2 ** max(0, attempts - 1)), MAX_BACKOFF)


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    retried: int
    failed: int
    skipped: int  # claimed by another sender first

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retried": self.retried, "failed": self.failed, "skipped": self.skipped}


def _claim(session: Session, row_id: int, now: datetime) -> bool:
    """Compare-and-set: take the lease only if nobody holds it and the row is still due."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == row_id,
            col(OutboxMessage.state) == OutboxState.QUEUED,
            col(OutboxMessage.next_attempt_at) <= now,
            or_(col(OutboxMessage.lease_until).is_(None), col(OutboxMessage.lease_until) < now),
        )
        .values(lease_until=now + LEASE)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def deliver_due(session_factory, *, limit: int = 200, now: datetime | None = None) -> DeliveryReport:  # type: ignore[no-untyped-def]
    """Send every due queued message (at most ``limit``); each claim and result commits on its own.

    ``session_factory`` is ``portal.db.session_scope`` (or a test's): this job manages its own
    short transactions because the SMTP conversation must happen outside of any.
    """
    cfg = mailer.smtp_config()
    if cfg is None:
        return DeliveryReport(0, 0, 0, 0)
    now = now or clock.now()
    with session_factory() as s:
        due = list(
            s.exec(
                select(OutboxMessage.id)
                .where(OutboxMessage.state == OutboxState.QUEUED, OutboxMessage.next_attempt_at <= now)
                .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
                .limit(limit)
            ).all()
        )
    sent = retried = failed = skipped = 0
    for row_id in due:
        with session_factory() as s:
            claimed = _claim(s, row_id, now)
            s.commit()
            if not claimed:
                skipped += 1
                continue
            row = s.get(OutboxMessage, row_id)
            assert row is not None
            msg = mailer.build_message(
                cfg, row.to_addr, row.subject, row.body_text, row.body_html, row.headers
            )
        error = ""
        try:
            mailer.send(cfg, msg)
        except Exception as err:  # noqa: BLE001 - any failure of the server or network is retried
            error = f"{type(err).__name__}: {err}"[:500]
        with session_factory() as s:
            row = s.get(OutboxMessage, row_id)
            assert row is not None
            row.lease_until = None
            row.attempts += 1
            if not error:
                row.state = OutboxState.SENT
                row.sent_at = clock.now()
                row.last_error = ""
                sent += 1
            elif row.attempts >= MAX_ATTEMPTS:
                row.state = OutboxState.FAILED
                row.last_error = error
                failed += 1
                log.warning("mail %s to user %s failed for good: %s", row.id, row.user_id, error)
            else:
                row.next_attempt_at = now + backoff(row.attempts)
                row.last_error = error
                retried += 1
            s.add(row)
            s.commit()
    return DeliveryReport(sent, retried, failed, skipped)


# ------------------------------------------------------------------------- the authority's view


@dataclass(frozen=True)
class OutboxRow:
    id: int
    to_addr: str
    subject: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    sent_at: datetime | None


def list_outbox(
    actor: Actor, *, session: Session, state: str | None = None, limit: int = 200
) -> list[OutboxRow]:
    """Messages newest first (the authority sees failures and the queue; message bodies stay private)."""
    require(actor, Action.MAIL_MANAGE)
    q = select(OutboxMessage)
    if state:
        q = q.where(OutboxMessage.state == state)
    rows = session.exec(
        q.order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc()).limit(limit)
    )
    return [
        OutboxRow(
            r.id,
            r.to_addr,
            r.subject,
            str(r.state),
            r.attempts,
            r.next_attempt_at,
            r.last_error,
            r.created_at,
            r.sent_at,
        )
        for r in rows
        if r.id is not None
    ]


def outbox_counts(actor: Actor, *, session: Session) -> dict[str, int]:
    require(actor, Action.MAIL_MANAGE)
    rows = session.exec(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all()
    counts = {str(s): 0 for s in OutboxState}
    counts.update({str(state): int(n) for state, n in rows})
    return counts


def check_requeue(actor: Actor, state: str) -> None:
    """Only the authority, and only a failed message (pure: the outbox page probes it per row)."""
    require(actor, Action.MAIL_MANAGE)
    if state != OutboxState.FAILED:
        raise RuleViolation("error.mail_not_failed")


def requeue(actor: Actor, message_id: int, *, session: Session) -> None:
    """Give a failed message a fresh set of attempts (after the cause was fixed)."""
    require(actor, Action.MAIL_MANAGE)
    row = (
        session.get(OutboxMessage, message_id)
        if isinstance(message_id, int) and 0 < message_id <= MAX_ID
        else None
    )
    if row is None:
        raise NotFound(what="object.mail")
    check_requeue(actor, str(row.state))
    row.state = OutboxState.QUEUED
    row.attempts = 0
    row.next_attempt_at = clock.now()
    session.add(row)
    audit.record(session, actor, audit.EventType.MAIL_REQUEUED, "mail", row.id, last_error=row.last_error)
    session.flush()
