"""The scenario detail screen (``scenario?id=``): public facts plus what this actor may do on it."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlmodel import Session

from portal.models import BidStatus, ScenarioPublic, ScenarioStatus
from portal.permissions import Action, Actor, can
from portal.services import bids, offers, questions, scenarios
from portal.services.door import may_transition
from portal.views.base import HasActions, HistoryItem, actions, allows
from portal.views.files import FilePanel, file_panel


class Do(enum.StrEnum):
    """Actions the scenario screen may offer."""

    MANAGE = "manage"  # open the department's management page
    CANCEL = "cancel"  # the authority stops a running scenario (reason asked)
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    ASK = "ask"
    BID = "bid"  # draw the bid form (save as draft)
    SUBMIT_BID = "submit_bid"  # "save and submit" on the form
    WITHDRAW_BID = "withdraw_bid"


@dataclass(frozen=True)
class QuestionItem:
    id: int
    text: str
    answer: str | None
    asked_at: datetime
    answered_at: datetime | None
    version: int


@dataclass(frozen=True)
class BidForm:
    """The vendor's bid as its form shows it; ``version`` 0 means no bid exists yet."""

    id: int | None
    status: str | None
    approach: str
    timeline: str
    price: int
    team: str
    offer_id: int | None
    version: int


@dataclass(frozen=True)
class ScenarioPage(HasActions):
    scenario: ScenarioPublic
    org_name: str
    contact: str | None  # None: not for this actor
    questions: tuple[QuestionItem, ...]
    history: tuple[HistoryItem, ...]
    bid_count: int | None  # None while sealed
    bid: BidForm | None  # the acting vendor's bid (or an empty form when it may bid)
    offer_choices: tuple[tuple[int, str], ...]
    notices: tuple[str, ...]  # catalogue keys of notes to show (awaiting review, log in to bid, …)
    annexes: FilePanel  # the scenario's annexes (public once published)
    proposals: FilePanel | None  # the acting vendor's proposal documents (None: no bid of its own)


def _as_is(value: Any) -> Any:
    return value


def question_items(rows: list, shown: Callable[[Any], Any] = _as_is) -> tuple[QuestionItem, ...]:  # type: ignore[type-arg]
    """Questions and answers; ``shown`` masks personal data for readers who may not see it."""
    return tuple(
        QuestionItem(q.id, shown(q.text), shown(q.answer), q.created_at, q.answered_at, q.version)
        for q in rows
        if q.id is not None
    )


def history_items(rows: list, shown: Callable[[Any], Any] = _as_is) -> tuple[HistoryItem, ...]:  # type: ignore[type-arg]
    return tuple(HistoryItem(h.at, str(h.to_status), shown(h.reason or "")) for h in rows)


def scenario_page(actor: Actor, scenario_id: int, *, session: Session) -> ScenarioPage:
    """The detail screen of a visible scenario (``NotFound`` for one the actor may not see)."""
    sc = scenarios.get_scenario(actor, scenario_id, session=session)
    org_name = scenarios.org_names(session, {sc.org_id}).get(sc.org_id, "")
    bid = bids.my_bid(actor, sc.id, session=session)
    may_bid = allows(bids.check_bidding, actor, sc, session=session)
    editable_bid = bid is None or bid.status in (BidStatus.DRAFT, BidStatus.SUBMITTED, BidStatus.WITHDRAWN)
    show_form = may_bid and editable_bid
    following = scenarios.is_following(actor, sc.id, session=session)
    contact = None
    if can(actor, Action.SCENARIO_VIEW_CONTACT, sc):
        contact = " · ".join(x for x in (sc.contact_name, sc.contact_phone, sc.contact_email) if x) or "—"
    notices: list[str] = []
    if actor.is_authority and sc.status == ScenarioStatus.SUBMITTED:
        notices.append("ui.scenario.awaiting_review")
    if actor.is_anonymous:
        notices.append("ui.scenario.contact_login")
        if sc.status == ScenarioStatus.PUBLISHED:
            notices.append("ui.scenario.login_to_bid")
    if actor.is_vendor and not actor.verified:
        notices.append("ui.vendor_pending")
    elif actor.is_vendor and not may_bid:
        notices.append("ui.bid.closed")
    form = None
    if bid is not None:
        form = BidForm(
            bid.id,
            str(bid.status),
            bid.approach,
            bid.timeline,
            bid.price,
            bid.team,
            bid.offer_id,
            bid.version,
        )
    elif show_form:
        form = BidForm(None, None, "", "", 0, "", None, 0)
    can_follow = can(actor, Action.SCENARIO_FOLLOW, sc)
    shown = partial(scenarios.shown_to, actor, sc)  # personal data masked unless the actor may see it
    return ScenarioPage(
        scenario=scenarios.to_public(sc, org_name, reveal=scenarios.sees_personal_data(actor, sc)),
        org_name=org_name,
        contact=contact,
        questions=question_items(questions.list_questions(actor, sc.id, session=session), shown),
        history=history_items(scenarios.status_history(actor, sc.id, session=session), shown),
        bid_count=bids.visible_bid_count(actor, sc, session=session),
        bid=form,
        offer_choices=tuple((o.id, o.title) for o in offers.list_my_offers(actor, session=session))
        if show_form
        else (),
        notices=tuple(notices),
        annexes=file_panel(actor, "scenario", sc.id, "annex", session=session),
        proposals=file_panel(actor, "bid", bid.id, "proposal", session=session)
        if bid is not None and bid.id is not None
        else None,
        actions=actions(
            manage=can(actor, Action.SCENARIO_MANAGE, sc),
            cancel=actor.is_authority and may_transition(actor, sc, ScenarioStatus.CANCELLED),
            follow=can_follow and not following,
            unfollow=can_follow and following,
            ask=allows(questions.check_ask, actor, sc),
            bid=show_form,
            submit_bid=show_form and (bid is None or bid.status != BidStatus.SUBMITTED),
            withdraw_bid=bid is not None and allows(bids.check_withdraw, actor, bid, sc),
        ),
    )
