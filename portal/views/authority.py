"""The data authority's work screens: the review queue and the matchmaking board."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from portal.domain.errors import PortalError
from portal.models import ScenarioPublic, ScenarioStatus
from portal.permissions import Actor
from portal.services import scenarios
from portal.services.door import may_transition
from portal.views.base import HasActions, actions, refusal

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
