"""Public screens: the landing page (what the portal is, what is open now, what it achieved)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from portal.models import ScenarioPublic, ScenarioStatus, ShowcaseStatus
from portal.permissions import Actor
from portal.services import outcomes, scenarios

S = ScenarioStatus


@dataclass(frozen=True)
class ShowcaseTeaser:
    id: int
    scenario_id: int
    title: str
    title_en: str
    org_name: str


@dataclass(frozen=True)
class HomePage:
    open_count: int  # published, open for bids now
    matched_count: int  # awarded or later: demands that found a vendor
    showcase_count: int
    latest: tuple[ScenarioPublic, ...]
    showcases: tuple[ShowcaseTeaser, ...]


def home_page(actor: Actor, *, session: Session, latest: int = 5) -> HomePage:
    """Figures and the newest open scenarios and showcases, as anyone may see them."""
    counts = scenarios.count_by_status(session)
    shows = outcomes.list_showcases(actor, session=session, status=ShowcaseStatus.PUBLISHED)
    names = scenarios.org_names(session, {sh.org_id for sh in shows})
    return HomePage(
        open_count=counts.get(S.PUBLISHED, 0),
        matched_count=sum(
            counts.get(s, 0) for s in (S.AWARDED, S.IN_IMPLEMENTATION, S.COMPLETED, S.SHOWCASED)
        ),
        showcase_count=len(shows),
        latest=tuple(scenarios.list_public_scenarios(session=session, limit=latest)),
        showcases=tuple(
            ShowcaseTeaser(sh.id, sh.scenario_id, sh.title, sh.title_en, names.get(sh.org_id, ""))
            for sh in shows[:3]
            if sh.id is not None
        ),
    )
