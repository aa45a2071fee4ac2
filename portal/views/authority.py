"""The data authority's work screens: the review queue and the matchmaking board."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from portal.domain.errors import PortalError
from portal.models import Scenario, ScenarioPublic, ScenarioStatus
from portal.permissions import Action, Actor, require
from portal.services import matchmaking, scenarios
from portal.services.door import may_transition
from portal.views.base import HasActions, actions, allows, refusal
from portal.views.manage import OfferMatch

S = ScenarioStatus


class Do(enum.StrEnum):
    """Actions on one scenario of the review queue."""

    PUBLISH = "publish"
    REQUEST_CHANGES = "request_changes"  # send back with a message (the reason)


@dataclass(frozen=True)
class ReviewItem(HasActions):
    """One submitted scenario awaiting review, with what the reviewer may do to it now."""

    scenario: ScenarioPublic
    submitted_at: datetime
    publish_refused: PortalError | None  # why "publish" is not offered (closing date passed …)


@dataclass(frozen=True)
class ReviewPage:
    items: tuple[ReviewItem, ...]  # oldest submission first


def review_page(actor: Actor, *, session: Session) -> ReviewPage:
    """The authority's review queue (refused for anyone else).

    ``publish`` is offered exactly when ``scenarios.check_publish`` passes (a scenario whose
    closing date has passed can only be sent back); ``request_changes`` when the state machine allows it.
    """
    queue = scenarios.list_review_queue(actor, session=session)
    names = scenarios.org_names(session, {sc.org_id for sc in queue})
    items = []
    for sc in queue:
        refused = refusal(scenarios.check_publish, actor, sc)
        items.append(
            ReviewItem(
                actions=actions(
                    publish=refused is None and may_transition(actor, sc, S.PUBLISHED),
                    request_changes=may_transition(actor, sc, S.CHANGES_REQUESTED),
                ),
                scenario=scenarios.to_public(sc, names.get(sc.org_id, "")),
                submitted_at=sc.updated_at,
                publish_refused=refused,
            )
        )
    return ReviewPage(items=tuple(items))


# --------------------------------------------------------------------------- matchmaking board


@dataclass(frozen=True)
class BoardRow:
    """An open scenario and its best candidate vendors (one offer each; ``OfferMatch.actions``: invite)."""

    scenario: ScenarioPublic
    matches: tuple[OfferMatch, ...]


@dataclass(frozen=True)
class BoardPage:
    rows: tuple[BoardRow, ...]
    loading: bool  # the matching model is still loading: no rows yet


def board_page(actor: Actor, *, session: Session, k: int = 3) -> BoardPage:
    """The matchmaking board of the authority (refused for anyone else).

    Each candidate's ``invite`` action is ``scenarios.check_invite`` (the rule ``invite_vendor``
    enforces), offered once per vendor and not for vendors already invited.
    """
    require(actor, Action.MATCH_BOARD)
    if not matchmaking.is_ready():
        return BoardPage(rows=(), loading=True)
    rows = []
    for row in matchmaking.board(actor, session=session, k=k):
        sc = session.get(Scenario, row.scenario.id)
        items = []
        for hit in row.hits:
            vendor = hit.vendor
            invited = scenarios.is_invited(session, row.scenario.id, vendor.id)
            items.append(
                OfferMatch(
                    actions=actions(
                        invite=not invited
                        and sc is not None
                        and allows(scenarios.check_invite, actor, sc, vendor)
                    ),
                    offer_id=hit.offer.id,
                    offer_title=hit.offer.title,
                    vendor_id=vendor.id,
                    vendor_name=vendor.name,
                    verification=str(vendor.verification),
                    maturity=str(hit.offer.maturity),
                    sectors=tuple(hit.offer.sectors or ()),
                    score=hit.score,
                    reasons=hit.reasons,
                    invited=invited,
                )
            )
        rows.append(BoardRow(row.scenario, tuple(items)))
    return BoardPage(rows=tuple(rows), loading=False)
