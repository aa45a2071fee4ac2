"""Notifications inbox of each logged-in user."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal import clock
from portal.domain.errors import NotAuthenticated, NotFound
from portal.i18n import t
from portal.models import Notification
from portal.permissions import Actor


def _require_user(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotAuthenticated()
    return actor.user_id


def list_notifications(
    actor: Actor, *, session: Session, unread_only: bool = False, limit: int = 200
) -> list[Notification]:
    uid = _require_user(actor)
    q = select(Notification).where(Notification.user_id == uid)
    if unread_only:
        q = q.where(Notification.read_at == None)  # noqa: E711
    return list(
        session.exec(
            q.order_by(col(Notification.created_at).desc(), col(Notification.id).desc()).limit(limit)
        ).all()
    )


def unread_count(actor: Actor, *, session: Session) -> int:
    if actor.user_id is None:
        return 0
    q = (
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.user_id == actor.user_id,
            Notification.read_at == None,  # noqa: E711
        )
    )
    return int(session.exec(q).one())


def check_mark_read(actor: Actor, notification: Notification) -> None:
    """May ``actor`` mark ``notification`` read (a logged-in user, and the notification is theirs)?"""
    if notification.user_id != _require_user(actor):
        raise NotFound()


def mark_read(actor: Actor, notification_ids: list[int] | None = None, *, session: Session) -> int:
    """Mark the given (or all) of the actor's notifications read; returns how many changed."""
    uid = _require_user(actor)
    rows = list_notifications(actor, session=session, unread_only=True, limit=10_000)
    changed = 0
    for row in rows:
        if notification_ids is None or row.id in notification_ids:
            check_mark_read(actor, row)
            row.read_at = clock.now()
            session.add(row)
            changed += 1
    session.flush()
    return changed if uid else 0


def render(notification: Notification, lang: str) -> str:
    """The notification's text in ``lang`` (parameters that are catalogue keys are translated)."""
    return t(f"notification.{notification.kind}", lang, **notification.params)
