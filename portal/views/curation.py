"""The authority's showcase curation screen: showcases by status, and completed scenarios without one."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from portal.models import ScenarioStatus, ShowcaseStatus
from portal.permissions import Action, Actor, require
from portal.services import outcomes, scenarios
from portal.services.door import may_transition
from portal.views.base import HasActions, actions, allows

SC = ShowcaseStatus
#: The curation tabs, in the order they are worked through.
TABS = (SC.IN_REVIEW, SC.DRAFT, SC.PUBLISHED)


class Do(enum.StrEnum):
    SUBMIT = "submit"  # a draft goes to review
    PUBLISH = "publish"
    RETURN = "return"  # back to draft, with a reason (from review or unpublishing)
    DRAFT = "draft"  # draft the showcase of a completed scenario (candidates)


@dataclass(frozen=True)
class ShowcaseItem(HasActions):
    id: int
    status: str
    title: str
    title_en: str
    scenario_title: str
    updated_at: datetime
    story: str
    indicators: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class Candidate(HasActions):
    """A completed scenario that has no showcase yet."""

    scenario_id: int
    title: str


@dataclass(frozen=True)
class CurationPage:
    showcases: tuple[ShowcaseItem, ...]
    candidates: tuple[Candidate, ...]

    def in_status(self, status: str) -> tuple[ShowcaseItem, ...]:
        return tuple(sh for sh in self.showcases if sh.status == str(status))


def curation_page(actor: Actor, *, session: Session) -> CurationPage:
    """Every showcase with the steps its state machine allows now (refused for anyone but the authority).

    A candidate's ``draft`` action is ``outcomes.check_propose``, the rule ``propose_showcase`` enforces.
    """
    require(actor, Action.SHOWCASE_PUBLISH)
    shows = outcomes.list_showcases(actor, session=session)
    completed = scenarios.list_all_scenarios(actor, session=session, status=ScenarioStatus.COMPLETED)
    titles = {sc.id: sc.title for sc in completed}
    for sh in shows:
        if sh.scenario_id not in titles:
            titles[sh.scenario_id] = scenarios.get_scenario(actor, sh.scenario_id, session=session).title
    with_show = {sh.scenario_id for sh in shows}
    return CurationPage(
        showcases=tuple(
            ShowcaseItem(
                actions=actions(
                    submit=may_transition(actor, sh, SC.IN_REVIEW),
                    publish=may_transition(actor, sh, SC.PUBLISHED),
                    **{"return": may_transition(actor, sh, SC.DRAFT)},
                ),
                id=sh.id,
                status=str(sh.status),
                title=sh.title,
                title_en=sh.title_en,
                scenario_title=titles.get(sh.scenario_id, ""),
                updated_at=sh.updated_at,
                story=sh.story,
                indicators=tuple(sh.indicators or ()),
            )
            for sh in shows
            if sh.id is not None
        ),
        candidates=tuple(
            Candidate(
                actions=actions(draft=allows(outcomes.check_propose, actor, sc, session=session)),
                scenario_id=sc.id,
                title=sc.title,
            )
            for sc in completed
            if sc.id is not None and sc.id not in with_show
        ),
    )
