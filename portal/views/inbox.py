"""The inbox (``inbox``): the actor's notifications in the reader's language, newest first.

A notification about a scenario links to it: a department opens its management page, everyone
else the public scenario page (``?id=``); opening marks it read.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from portal.permissions import Actor
from portal.services import notifications
from portal.views.base import HasActions, actions, allows


class Do(enum.StrEnum):
    MARK_ALL = "mark_all"
    MARK = "mark"  # of one item
    OPEN = "open"  # of one item: follow its link (and mark it read)


@dataclass(frozen=True)
class Note(HasActions):
    id: int
    text: str  # rendered in the reader's language (user text inside: escape when shown)
    created_at: datetime
    read: bool
    target: str | None  # url path of the linked page
    target_id: int | None


@dataclass(frozen=True)
class InboxPage(HasActions):
    notes: tuple[Note, ...]


def inbox_page(actor: Actor, lang: str, *, session: Session, unread_only: bool = False) -> InboxPage:
    """The actor's notifications (all, or only the unread ones) with their links."""
    rows = notifications.list_notifications(actor, session=session, unread_only=unread_only)
    target = "manage" if actor.is_department else "scenario"
    notes = []
    for n in rows:
        if n.id is None:
            continue
        linked = n.object_type == "scenario" and bool(n.object_id)
        mark = n.read_at is None and allows(notifications.check_mark_read, actor, n)
        notes.append(
            Note(
                actions=actions(mark=mark, open=linked),
                id=n.id,
                text=notifications.render(n, lang),
                created_at=n.created_at,
                read=n.read_at is not None,
                target=target if linked else None,
                target_id=n.object_id if linked else None,
            )
        )
    return InboxPage(actions=actions(mark_all=any(note.can(Do.MARK) for note in notes)), notes=tuple(notes))
