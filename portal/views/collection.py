"""The authority's collection calls screen (征集批次): each call, what was submitted into it, its actions."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from portal import clock
from portal.domain.errors import PortalError
from portal.models import CallStatus
from portal.permissions import Action, Actor, require
from portal.services import calls, scenarios
from portal.services.door import may_transition
from portal.views.base import HasActions, actions, refusal

C = CallStatus


class Do(enum.StrEnum):
    CLOSE = "close"
    PUBLISH = "publish"  # publish the numbered list
    VIEW_LIST = "view_list"  # open the public list (and download it)


@dataclass(frozen=True)
class Submission:
    list_number: int | None
    title: str
    org_name: str
    sector: str
    status: str


@dataclass(frozen=True)
class CallItem(HasActions):
    id: int
    theme: str
    theme_en: str
    batch_number: int | None
    status: str
    opens_on: date
    closes_on: date
    submissions: tuple[Submission, ...]
    publish_refused: PortalError | None  # why a closed call's list cannot be published yet


@dataclass(frozen=True)
class CallsPage:
    calls: tuple[CallItem, ...]  # newest opening date first
    today: date  # the new-call form's default period starts today (the portal's clock)


def calls_page(actor: Actor, *, session: Session) -> CallsPage:
    """Every call with its submissions (refused for anyone but the authority).

    ``close`` and ``publish`` follow the call's state machine; ``publish`` also needs
    ``calls.check_publish_list`` (a published scenario to list), whose refusal is kept to say why.
    """
    require(actor, Action.CALL_MANAGE)
    rows = calls.list_calls(session=session)
    subs = {c.id: calls.submissions(actor, c.id, session=session) for c in rows if c.id is not None}
    names = scenarios.org_names(session, {sc.org_id for found in subs.values() for sc in found})
    items = []
    for call in rows:
        if call.id is None:
            continue
        may_publish = may_transition(actor, call, C.PUBLISHED)
        refused = refusal(calls.check_publish_list, actor, call, session=session) if may_publish else None
        items.append(
            CallItem(
                actions=actions(
                    close=may_transition(actor, call, C.CLOSED),
                    publish=may_publish and refused is None,
                    view_list=call.status == C.PUBLISHED,
                ),
                id=call.id,
                theme=call.theme,
                theme_en=call.theme_en,
                batch_number=call.batch_number,
                status=str(call.status),
                opens_on=call.opens_on,
                closes_on=call.closes_on,
                submissions=tuple(
                    Submission(
                        sc.list_number, sc.title, names.get(sc.org_id, ""), str(sc.sector), str(sc.status)
                    )
                    for sc in subs[call.id]
                ),
                publish_refused=refused,
            )
        )
    return CallsPage(calls=tuple(items), today=clock.today())
