"""Public lists: the scenario list with search and filters (``scenarios``), the numbered call lists
(``lists``) and the showcase gallery (``showcases``), as anyone (anonymous included) may see them.

Which statuses are public is the services' rule (``list_public_scenarios`` keeps only
``PUBLIC_STATUSES``); the filters here only narrow it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from matching import Reasons
from portal import clock
from portal.models import CallStatus, ScenarioPublic, ScenarioStatus, ShowcaseStatus
from portal.permissions import PUBLIC_STATUSES, Actor
from portal.services import calls, matchmaking, outcomes, scenarios, subscriptions
from portal.views.base import HasActions, actions, allows

S = ScenarioStatus

#: What "include past scenarios" adds to the open ones (cancelled scenarios stay on their own page).
PAST_STATUSES = (S.CLOSED, S.AWARDED, S.IN_IMPLEMENTATION, S.COMPLETED, S.SHOWCASED)


@dataclass(frozen=True)
class ListFilters:
    """What the visitor typed and picked in the list's filter form."""

    query: str = ""
    sectors: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    closing_to: date | None = None
    budget_min: int | None = None  # in yuan
    budget_max: int | None = None
    include_past: bool = False


@dataclass(frozen=True)
class ListItem:
    scenario: ScenarioPublic
    reasons: Reasons | None = None  # why it matched a semantic search
    score: float | None = None


class Do(enum.StrEnum):
    """Actions of the scenario list."""

    SAVE_SEARCH = "save_search"  # follow this query and its sector/region filters in the digest


@dataclass(frozen=True)
class ScenarioList(HasActions):
    items: tuple[ListItem, ...]
    today: date
    model_loading: bool  # a query was typed but semantic search is not ready (substring filter used)
    #: What "save this search" saves (``subscriptions.save_search(actor, *saved_search)``): the query
    #: and the filters a subscription can carry (sectors, regions).
    saved_search: tuple[str, dict[str, Any]] = ("", {})
    search_saved: bool = False  # the actor follows exactly this search already


def _save_search(actor: Actor, filters: ListFilters, *, session: Session) -> tuple[Any, ...]:
    """``(actions, saved_search, search_saved)``: offered to logged-in users with something to save."""
    query = (filters.query or "").strip()
    wanted = {"sectors": list(filters.sectors), "regions": list(filters.regions)}
    if actor.is_anonymous or not allows(subscriptions.check_save_search, actor, query, wanted):
        return actions(save_search=False), (query, wanted), False
    saved = subscriptions.has_saved_search(actor, query, wanted, session=session)
    return actions(save_search=not saved), (query, wanted), saved


def scenario_list(actor: Actor, filters: ListFilters, *, session: Session) -> ScenarioList:
    """Public scenarios matching the filters; a query is ranked by the matching engine when it is ready.

    The engine ranks; the database applies the remaining filters (closing date, budget, status), so
    a search never shows what the plain list would not. A logged-in actor is offered
    ``Do.SAVE_SEARCH`` (the query with its sector and region filters, as the digest follows them)
    when ``subscriptions.check_save_search`` passes and the same search is not saved yet.
    """
    statuses = [S.PUBLISHED, *(PAST_STATUSES if filters.include_past else ())]
    statuses = [s for s in statuses if s in PUBLIC_STATUSES]
    where = dict(
        sectors=list(filters.sectors) or None,
        regions=list(filters.regions) or None,
        statuses=statuses,
        closing_to=filters.closing_to,
        budget_min=filters.budget_min,
        budget_max=filters.budget_max,
    )
    query = (filters.query or "").strip()
    acts, to_save, saved = _save_search(actor, filters, session=session)
    if query and matchmaking.is_ready():
        hits = matchmaking.search_scenarios(
            actor,
            query,
            session=session,
            k=60,
            sectors=where["sectors"],
            regions=where["regions"],
            statuses=[str(s) for s in statuses],
        )
        ids = [h.scenario.id for h in hits]
        rows = {sc.id: sc for sc in scenarios.list_public_scenarios(session=session, ids=ids, **where)}
        items = tuple(
            ListItem(rows[h.scenario.id], h.reasons, h.score) for h in hits if h.scenario.id in rows
        )
        return ScenarioList(acts, items, clock.today(), False, to_save, saved)
    rows_ = scenarios.list_public_scenarios(session=session, text=query or None, **where)
    items = tuple(ListItem(sc) for sc in rows_)
    return ScenarioList(acts, items, clock.today(), bool(query), to_save, saved)


# ------------------------------------------------------------------------------- call lists


@dataclass(frozen=True)
class CallListChoice:
    id: int
    batch_number: int | None
    theme: str
    theme_en: str


@dataclass(frozen=True)
class CallListPage:
    calls: tuple[CallListChoice, ...]  # published lists, newest batch first
    call_id: int | None  # the one shown
    opens_on: date | None = None
    closes_on: date | None = None
    description: str = ""
    scenarios: tuple[ScenarioPublic, ...] = field(default=())


def call_list_page(actor: Actor, call_id: int | None = None, *, session: Session) -> CallListPage:
    """The published numbered lists, and the public scenarios of one (``call_id``, else the newest)."""
    published = sorted(
        calls.list_calls(session=session, status=CallStatus.PUBLISHED),
        key=lambda c: c.batch_number or 0,
        reverse=True,
    )
    choices = tuple(CallListChoice(c.id, c.batch_number, c.theme, c.theme_en) for c in published if c.id)
    chosen = next((c for c in published if c.id == call_id), published[0] if published else None)
    if chosen is None or chosen.id is None:
        return CallListPage(choices, None)
    rows = scenarios.list_public_scenarios(session=session, call_id=chosen.id, statuses=list(PUBLIC_STATUSES))
    rows.sort(key=lambda r: (r.list_number or 10_000, r.id))
    return CallListPage(
        choices, chosen.id, chosen.opens_on, chosen.closes_on, chosen.description or "", tuple(rows)
    )


# ------------------------------------------------------------------------------- showcases


@dataclass(frozen=True)
class ShowcaseOutcome:
    summary: str
    start_date: date | None
    end_date: date | None
    achieved_indicators: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class ShowcaseCard:
    id: int
    scenario_id: int
    title: str
    title_en: str
    org_name: str
    sector: str
    region: str
    published_at: datetime | None
    story: str
    indicators: tuple[dict[str, str], ...]
    outcome: ShowcaseOutcome | None


@dataclass(frozen=True)
class ShowcaseGallery:
    showcases: tuple[ShowcaseCard, ...]


def showcase_gallery(actor: Actor, *, session: Session) -> ShowcaseGallery:
    """Published showcases, newest first, each with its scenario's sector/region and outcome."""
    rows = outcomes.list_showcases(actor, session=session, status=ShowcaseStatus.PUBLISHED)
    names = scenarios.org_names(session, {sh.org_id for sh in rows})
    cards = []
    for sh in rows:
        sc = session.get(scenarios.Scenario, sh.scenario_id)
        if sh.id is None or sc is None:
            continue
        out = outcomes.outcome_as_seen_by(actor, sh.scenario_id, session=session)
        cards.append(
            ShowcaseCard(
                id=sh.id,
                scenario_id=sc.id,
                title=sh.title,
                title_en=sh.title_en,
                org_name=names.get(sh.org_id, ""),
                sector=sc.sector,
                region=sc.region,
                published_at=sh.published_at,
                story=sh.story,
                indicators=tuple(sh.indicators or ()),
                outcome=ShowcaseOutcome(
                    out.summary, out.start_date, out.end_date, tuple(out.achieved_indicators or ())
                )
                if out is not None
                else None,
            )
        )
    return ShowcaseGallery(tuple(cards))
