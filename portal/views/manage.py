"""The department's management screen of one of its scenarios (``manage?id=``), in every status.

Each part of the screen (draft actions, questions, recommended vendors, bids, outcome, showcase) is
present when the services' own checks allow it for this actor now; sealed bids are simply absent
(a cancelled scenario opens like any other, its bids stay sealed).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from matching import Reasons
from portal.models import (
    BidStatus,
    Organization,
    ScenarioPublic,
    ScenarioStatus,
    ShowcaseStatus,
    Verification,
)
from portal.permissions import PUBLIC_STATUSES, Action, Actor, can, require
from portal.services import attachments, bids, matchmaking, outcomes, questions, scenarios
from portal.services.door import may_transition
from portal.views.base import HasActions, HistoryItem, actions, allows
from portal.views.files import FileItem, file_items
from portal.views.scenario import QuestionItem, history_items, question_items

S = ScenarioStatus


class Do(enum.StrEnum):
    PUBLIC_PAGE = "public_page"
    EDIT = "edit"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    ANSWER = "answer"
    CLOSE = "close"
    CANCEL = "cancel"
    NONE_SUITABLE = "none_suitable"
    START = "start"
    OUTCOME = "outcome"
    COMPLETE = "complete"
    SHOWCASE_EDIT = "showcase_edit"  # draft (or propose) the showcase
    SHOWCASE_SUBMIT = "showcase_submit"


@dataclass(frozen=True)
class BidCard(HasActions):
    """One offered bid, side by side (actions: ``shortlist``, ``unshortlist``, ``award``)."""

    id: int
    vendor_name: str
    vendor_verified: bool
    status: str
    price: int
    timeline: str
    approach: str
    team: str
    files: tuple[FileItem, ...] = ()  # proposal documents (listed only once unsealed)


@dataclass(frozen=True)
class OfferMatch(HasActions):
    """A recommended vendor offer with its reasons (actions: ``invite``)."""

    offer_id: int
    offer_title: str
    vendor_id: int
    vendor_name: str
    verification: str
    maturity: str
    sectors: tuple[str, ...]
    score: float
    reasons: Reasons
    invited: bool


@dataclass(frozen=True)
class OutcomeForm:
    version: int  # 0: none recorded yet
    contract_value: int | None
    start_date: date | None
    end_date: date | None
    summary: str
    achieved_indicators: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class ShowcaseForm:
    id: int | None  # None: not proposed yet
    version: int
    status: str | None
    title: str
    title_en: str
    story: str
    indicators: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class ManagePage(HasActions):
    scenario: ScenarioPublic
    bid_count: int | None
    changes_requested: str  # the reviewer's message when sent back for changes
    questions: tuple[QuestionItem, ...]
    unanswered: int
    history: tuple[HistoryItem, ...]
    bids: tuple[BidCard, ...]
    matches: tuple[OfferMatch, ...] | None  # None: not shown, or the model is still loading
    matches_loading: bool
    outcome: OutcomeForm | None
    showcase: ShowcaseForm | None
    notices: tuple[str, ...]  # catalogue keys of notes for this status (awaiting review …)
    open_for_bids: bool  # published: the closing-date hint and the recommended vendors apply


def offer_matches(actor: Actor, sc: Any, *, session: Session, k: int = 8) -> tuple[OfferMatch, ...]:
    """Recommended offers for a scenario, each knowing whether its vendor can be invited now."""
    hits = matchmaking.recommend_offers(actor, sc.id, session=session, k=k)
    may_invite = can(actor, Action.SCENARIO_INVITE, sc) and sc.status == S.PUBLISHED
    out, buttons = [], set()
    for h in hits:
        vendor: Organization = h.vendor
        invited = scenarios.is_invited(session, sc.id, vendor.id)
        verified = vendor.verification == Verification.VERIFIED
        invite = may_invite and verified and not invited and vendor.id not in buttons
        if invite:
            buttons.add(vendor.id)  # one invite button per vendor, even when several offers match
        out.append(
            OfferMatch(
                actions=actions(invite=invite),
                offer_id=h.offer.id,
                offer_title=h.offer.title,
                vendor_id=vendor.id,
                vendor_name=vendor.name,
                verification=str(vendor.verification),
                maturity=str(h.offer.maturity),
                sectors=tuple(h.offer.sectors or ()),
                score=h.score,
                reasons=h.reasons,
                invited=invited,
            )
        )
    return tuple(out)


def manage_page(actor: Actor, scenario_id: int, *, session: Session) -> ManagePage:
    """The management screen of the actor's own scenario (refused for anyone else)."""
    sc = scenarios.get_scenario(actor, scenario_id, session=session)
    require(actor, Action.SCENARIO_MANAGE, sc)
    history = scenarios.status_history(actor, sc.id, session=session)
    qa = questions.list_questions(actor, sc.id, session=session)
    may_answer = allows(questions.check_answer, actor, sc)
    offered = []
    if can(actor, Action.BID_VIEW_ALL, sc):  # unsealed: after the closing date
        rows = bids.list_bids(actor, sc.id, session=session)
        orgs = {o.id: o for o in (session.get(Organization, i) for i in {b.vendor_org_id for b in rows}) if o}
        for b in rows:
            vendor = orgs.get(b.vendor_org_id)
            decide = allows(bids.check_decide_bid, actor, b, sc, session=session)
            promote = decide and allows(bids.check_promote_bid, actor, b, sc, session=session)
            short = b.status == BidStatus.SHORTLISTED
            offered.append(
                BidCard(
                    actions=actions(
                        shortlist=promote and not short, unshortlist=decide and short, award=promote
                    ),
                    id=b.id,
                    vendor_name=vendor.name if vendor else "",
                    vendor_verified=bool(vendor and vendor.verification == Verification.VERIFIED),
                    status=str(b.status),
                    price=b.price,
                    timeline=b.timeline,
                    approach=b.approach,
                    team=b.team,
                    files=file_items(attachments.list_for(actor, "bid", b.id, session=session)),
                )
            )
    loading = sc.status == S.PUBLISHED and not matchmaking.is_ready()
    matches = offer_matches(actor, sc, session=session) if sc.status == S.PUBLISHED and not loading else None
    outcome_row = outcomes.get_outcome(session, sc.id)
    may_record = allows(outcomes.check_record, actor, sc, session=session)
    outcome = None
    if outcome_row is not None or may_record:
        outcome = (
            OutcomeForm(
                outcome_row.version,
                outcome_row.contract_value,
                outcome_row.start_date,
                outcome_row.end_date,
                outcome_row.summary,
                tuple(outcome_row.achieved_indicators or ()),
            )
            if outcome_row is not None
            else OutcomeForm(
                0,
                None,
                None,
                None,
                "",
                tuple(
                    {"name": i.get("name", ""), "target": i.get("target", "")} for i in sc.indicators or []
                ),
            )
        )
    show = next((x for x in outcomes.list_showcases(actor, session=session) if x.scenario_id == sc.id), None)
    may_propose = show is None and allows(outcomes.check_propose, actor, sc, session=session)
    showcase = None
    if show is not None:
        showcase = ShowcaseForm(
            show.id,
            show.version,
            str(show.status),
            show.title,
            show.title_en,
            show.story,
            tuple(show.indicators),
        )
    elif may_propose:
        showcase = ShowcaseForm(
            None,
            0,
            None,
            sc.title,
            sc.title_en,
            outcome_row.summary if outcome_row else "",
            tuple(
                {"name": r.get("name", ""), "value": r.get("achieved", "")}
                for r in (outcome.achieved_indicators if outcome else ())
            ),
        )
    edit_showcase = may_propose or (
        show is not None and show.status == ShowcaseStatus.DRAFT and can(actor, Action.SHOWCASE_EDIT, show)
    )
    last = history[-1] if history else None
    return ManagePage(
        scenario=scenarios.to_public(sc, "", reveal=scenarios.sees_personal_data(actor, sc)),
        bid_count=bids.visible_bid_count(actor, sc, session=session),
        changes_requested=(last.reason or "") if sc.status == S.CHANGES_REQUESTED and last else "",
        questions=question_items(qa),
        unanswered=sum(1 for q in qa if not q.answer),
        history=history_items(history),
        bids=tuple(offered),
        matches=matches,
        matches_loading=loading,
        outcome=outcome,
        showcase=showcase,
        notices=("ui.manage.awaiting_review",) if sc.status == S.SUBMITTED else (),
        open_for_bids=sc.status == S.PUBLISHED,
        actions=actions(
            public_page=sc.status in PUBLIC_STATUSES,
            edit=allows(scenarios.check_edit, actor, sc),
            submit=may_transition(actor, sc, S.SUBMITTED),
            withdraw=may_transition(actor, sc, S.WITHDRAWN),
            answer=may_answer,
            close=may_transition(actor, sc, S.CLOSED) and allows(scenarios.check_close, actor, sc),
            cancel=may_transition(actor, sc, S.CANCELLED),
            none_suitable=may_transition(actor, sc, S.NONE_SUITABLE),
            start=may_transition(actor, sc, S.IN_IMPLEMENTATION),
            outcome=may_record,
            complete=may_transition(actor, sc, S.COMPLETED)
            and allows(outcomes.check_complete, actor, sc, session=session),
            showcase_edit=edit_showcase,
            showcase_submit=show is not None and may_transition(actor, show, ShowcaseStatus.IN_REVIEW),
        ),
    )
