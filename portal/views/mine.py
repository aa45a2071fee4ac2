"""A member's own lists: a department's scenarios (``my-scenarios``), a vendor's bids (``my-bids``)
and the scenarios recommended for a vendor's offers (``recommended``).

Each builder refuses an actor of the wrong kind through the service it calls (``list_my_scenarios``,
``list_my_bids``, ``recommend_scenarios``); a vendor's list holds only its own organisation's bids.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from portal.domain.errors import PortalError
from portal.models import OfferStatus, ScenarioStatus
from portal.permissions import Actor
from portal.services import bids, matchmaking, offers, questions, scenarios
from portal.views.base import HasActions, actions, allows
from portal.views.lists import ListItem

S = ScenarioStatus

#: The department's tabs: catalogue key → the statuses it holds (every status is in one tab).
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ui.dept.group.drafts", (S.DRAFT, S.CHANGES_REQUESTED, S.SUBMITTED)),
    ("ui.dept.group.open", (S.PUBLISHED,)),
    ("ui.dept.group.decide", (S.CLOSED,)),
    ("ui.dept.group.delivery", (S.AWARDED, S.IN_IMPLEMENTATION, S.COMPLETED, S.SHOWCASED)),
    ("ui.dept.group.ended", (S.WITHDRAWN, S.CANCELLED, S.NONE_SUITABLE)),
)


class Do(enum.StrEnum):
    NEW_SCENARIO = "new_scenario"


@dataclass(frozen=True)
class MyScenarioRow:
    id: int
    title: str
    status: str
    closing_date: date
    bid_count: int | None  # None while the bids are sealed
    open_questions: int


@dataclass(frozen=True)
class ScenarioGroup:
    key: str  # catalogue key of the tab
    rows: tuple[MyScenarioRow, ...]


@dataclass(frozen=True)
class MyScenariosPage(HasActions):
    groups: tuple[ScenarioGroup, ...]
    open_questions: int  # unanswered questions over all the department's scenarios


def my_scenarios_page(actor: Actor, *, session: Session) -> MyScenariosPage:
    """The department's scenarios grouped by status, with bid counts (once unsealed) and open questions."""
    mine = scenarios.list_my_scenarios(actor, session=session)
    waiting: dict[int, int] = {}
    open_qs = questions.unanswered_for_department(actor, session=session)
    for q in open_qs:
        waiting[q.scenario_id] = waiting.get(q.scenario_id, 0) + 1
    rows = [
        MyScenarioRow(
            id=sc.id,
            title=sc.title,
            status=str(sc.status),
            closing_date=sc.closing_date,
            bid_count=bids.visible_bid_count(actor, sc, session=session),
            open_questions=waiting.get(sc.id, 0),
        )
        for sc in mine
        if sc.id is not None
    ]
    return MyScenariosPage(
        actions=actions(new_scenario=allows(scenarios.check_create, actor)),
        groups=tuple(
            ScenarioGroup(key, tuple(r for r in rows if r.status in statuses)) for key, statuses in GROUPS
        ),
        open_questions=len(open_qs),
    )


# ------------------------------------------------------------------------------------ bids


@dataclass(frozen=True)
class MyBidRow:
    id: int
    scenario_id: int
    title: str  # the scenario's
    title_en: str
    status: str  # the bid's
    price: int
    scenario_status: str
    closing_date: date
    updated_at: datetime


@dataclass(frozen=True)
class MyBidsPage:
    bids: tuple[MyBidRow, ...]


def my_bids_page(actor: Actor, *, session: Session) -> MyBidsPage:
    """The vendor's own bids, newest change first; bids on scenarios it may no longer see are left out."""
    rows = []
    for b in bids.list_my_bids(actor, session=session):
        try:
            sc = scenarios.get_scenario(actor, b.scenario_id, session=session)
        except PortalError:  # e.g. cancelled before publishing results: no longer visible
            continue
        rows.append(
            MyBidRow(
                b.id,
                sc.id,
                sc.title,
                sc.title_en,
                str(b.status),
                b.price,
                str(sc.status),
                sc.closing_date,
                b.updated_at,
            )
        )
    return MyBidsPage(tuple(rows))


# ------------------------------------------------------------------------------ recommended


@dataclass(frozen=True)
class RecommendedPage:
    pending: bool  # the vendor is not verified yet (it may look, not bid)
    has_offers: bool  # recommendations come from active offers
    loading: bool  # the matching model is still loading
    items: tuple[ListItem, ...]


def recommended_page(actor: Actor, *, session: Session, k: int = 10) -> RecommendedPage:
    """Open scenarios ranked against the vendor's active offers, each once, with the reasons."""
    mine = [o for o in offers.list_my_offers(actor, session=session) if o.status == OfferStatus.ACTIVE]
    pending = not actor.verified
    if not mine:
        return RecommendedPage(pending, has_offers=False, loading=False, items=())
    if not matchmaking.is_ready():
        return RecommendedPage(pending, has_offers=True, loading=True, items=())
    seen: set[int] = set()
    items = []
    for hit in matchmaking.recommend_scenarios(actor, session=session, k=k):
        if hit.scenario.id in seen:
            continue
        seen.add(hit.scenario.id)
        items.append(ListItem(hit.scenario, hit.reasons, hit.score))
    return RecommendedPage(pending, has_offers=True, loading=False, items=tuple(items))
