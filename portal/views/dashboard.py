"""The authority's dashboard: the portal's figures, and this process's matching index."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlmodel import Session

from portal.permissions import Action, Actor, can
from portal.services import matchmaking, reports, scenarios
from portal.services.matchmaking import IndexStatus
from portal.services.reports import Dashboard
from portal.views.base import HasActions, actions


class Do(enum.StrEnum):
    REBUILD_INDEX = "rebuild_index"  # reconcile this process's index with the database


@dataclass(frozen=True)
class DashboardPage:
    figures: Dashboard
    heuristic_match: bool  # the model is still loading: "good match" is estimated from sectors and bids


def dashboard_page(actor: Actor, *, session: Session) -> DashboardPage:
    """Every dashboard figure (refused without ``DASHBOARD_VIEW``).

    "Good match" uses the matching engine's best offer score per published scenario once the model
    is ready, and a sector/region/bid heuristic until then.
    """
    score = None
    if matchmaking.is_ready():
        ids = [sc.id for sc in scenarios.list_public_scenarios(session=session)]
        scores = matchmaking.best_match_scores(session, ids)

        def score(sc) -> float:  # type: ignore[no-untyped-def]
            return scores.get(sc.id, 0.0)

    return DashboardPage(
        reports.dashboard(actor, session=session, score=score), heuristic_match=score is None
    )


@dataclass(frozen=True)
class IndexPanel(HasActions):
    status: IndexStatus | None  # None while the model is still loading


def index_panel(actor: Actor, *, session: Session) -> IndexPanel:
    """The matching index of this server process (refused without ``INDEX_MANAGE``)."""
    del session  # the index lives in this process, not in the database
    return IndexPanel(
        actions=actions(rebuild_index=can(actor, Action.INDEX_MANAGE)),
        status=matchmaking.index_status(actor),
    )
