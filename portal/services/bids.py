"""Bids (揭榜): vendors draft, submit, edit and withdraw before the closing date; the department
shortlists and awards after it.

Sealed bids: before the closing date a bid's content is visible only to its vendor and the
authority; ``list_bids`` refuses the department until the scenario is closed.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from portal import audit, clock
from portal.audit import EventType
from portal.domain.errors import PermissionDenied, RuleViolation
from portal.domain.validation import Checker, parse
from portal.models import (
    Bid,
    BidCreate,
    BidStatus,
    Eligibility,
    Offer,
    Organization,
    Scenario,
    ScenarioStatus,
    Verification,
)
from portal.permissions import UNSEALED_STATUSES, Action, Actor, can, require
from portal.services.door import (
    apply_changes,
    check_version,
    get_or_404,
    lock_scenario,
    notify_org,
    transition,
)
from portal.services.scenarios import get_scenario, is_invited

B = BidStatus
FIELDS = tuple(BidCreate.model_fields)
ACTIVE = (B.SUBMITTED, B.SHORTLISTED)


def _open_for_bidding(session: Session, scenario: Scenario, actor: Actor) -> None:
    if scenario.status != ScenarioStatus.PUBLISHED:
        raise RuleViolation("error.scenario_not_open", status=f"status.{scenario.status}")
    if clock.today() > scenario.closing_date:
        raise RuleViolation("error.closing_date_passed", date=scenario.closing_date)
    if scenario.eligibility == Eligibility.INVITED and not is_invited(session, scenario.id, actor.org_id):
        raise RuleViolation("error.not_invited")


def _verification(session: Session, org_id: int | None) -> str:
    org = session.get(Organization, org_id) if org_id is not None else None
    return str(org.verification) if org is not None else Verification.PENDING


def check_verified_vendor(actor: Actor, *, session: Session) -> None:
    """The acting vendor's organisation is verified *now* (read from the database, not the actor)."""
    permitted = can(actor, Action.BID_CREATE)  # the permission (recorded), then the fresh state
    if actor.is_vendor:
        state = _verification(session, actor.org_id)
        if state != Verification.VERIFIED:
            raise PermissionDenied("error.vendor_not_verified", status=f"verification.{state}")
    if not permitted:
        require(actor, Action.BID_CREATE)


def check_bidding(actor: Actor, scenario: Scenario, *, session: Session) -> None:
    """May ``actor`` create, edit, submit or resubmit its bid on ``scenario`` now? Raises when not.

    The vendor must be verified at every one of these steps (a verification rejected after the bid
    was drafted stops it). The bid form and its buttons are drawn exactly when this passes.
    """
    check_verified_vendor(actor, session=session)
    _open_for_bidding(session, scenario, actor)


def check_withdraw(actor: Actor, bid: Bid, scenario: Scenario) -> None:
    """May ``actor`` withdraw ``bid`` now (its own draft or submitted bid, before the closing date)?"""
    require(actor, Action.BID_EDIT, bid)
    if bid.status not in (B.DRAFT, B.SUBMITTED):
        raise RuleViolation("error.bid_not_editable", status=f"bid_status.{bid.status}")
    if scenario.status != ScenarioStatus.PUBLISHED or clock.today() > scenario.closing_date:
        raise RuleViolation("error.closing_date_passed", date=scenario.closing_date)


def validate_bid(actor: Actor, data: dict[str, Any], *, session: Session) -> BidCreate:
    """Validate a bid's fields, reporting every problem at once, each at its field.

    The related offer must be one of the vendor's own (a field error of ``offer_id``).
    """

    def rules(chk: Checker, bid: BidCreate) -> None:
        if bid.offer_id is None:
            return
        offer = session.get(Offer, bid.offer_id)
        if offer is None or offer.vendor_org_id != actor.org_id:
            chk.fail("offer_id", "error.offer_not_yours")

    return parse(BidCreate, data, rules)


def save_bid(
    actor: Actor,
    scenario_id: int,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    session: Session,
) -> Bid:
    """Create the vendor's bid on a scenario, or edit it (draft or submitted) before the closing date.

    A vendor has at most one bid per scenario; a withdrawn bid is reopened as a draft.
    ``expected_version`` is the version the form was rendered from: ``0`` means "there was no bid
    yet", so a bid created meanwhile in another tab is a conflict, never silently overwritten.
    """
    check_verified_vendor(actor, session=session)
    lock_scenario(session, scenario_id)  # no close or award can slip between the check and the write
    scenario = get_scenario(actor, scenario_id, session=session)  # NotFound for unpublished ones
    check_bidding(actor, scenario, session=session)
    bid = session.exec(
        select(Bid).where(Bid.scenario_id == scenario.id, Bid.vendor_org_id == actor.org_id)
    ).first()
    if bid is None:
        parsed = validate_bid(actor, data, session=session)
        bid = Bid(**parsed.model_dump(), scenario_id=scenario.id, vendor_org_id=actor.org_id)
        session.add(bid)
        session.flush()
        audit.record(session, actor, EventType.BID_CREATED, "bid", bid.id, scenario_id=scenario.id)
        return bid
    require(actor, Action.BID_EDIT, bid)
    check_version(bid, expected_version)
    if bid.status == B.WITHDRAWN:
        transition(session, bid, B.DRAFT, actor=actor)
    if bid.status not in (B.DRAFT, B.SUBMITTED):
        raise RuleViolation("error.bid_not_editable", status=f"bid_status.{bid.status}")
    merged = {n: getattr(bid, n) for n in FIELDS} | data
    parsed = validate_bid(actor, merged, session=session)
    diff = apply_changes(bid, parsed.model_dump())
    if diff:
        session.add(bid)
        session.flush()
        audit.record(session, actor, EventType.BID_UPDATED, "bid", bid.id, fields=sorted(diff))
    return bid


def save_and_submit_bid(
    actor: Actor,
    scenario_id: int,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    session: Session,
) -> Bid:
    """ "Save and submit" of the bid form: one use case, so a refused submit leaves no half-saved bid."""
    bid = save_bid(actor, scenario_id, data, expected_version=expected_version, session=session)
    if bid.status == B.DRAFT:
        submit_bid(actor, bid.id, session=session)
    return bid


def submit_bid(actor: Actor, bid_id: int, *, session: Session) -> Bid:
    bid = get_or_404(session, Bid, bid_id)
    require(actor, Action.BID_EDIT, bid)
    lock_scenario(session, bid.scenario_id)
    scenario = get_or_404(session, Scenario, bid.scenario_id)
    check_bidding(actor, scenario, session=session)
    transition(session, bid, B.SUBMITTED, actor=actor)
    return bid


def withdraw_bid(actor: Actor, bid_id: int, *, session: Session) -> Bid:
    """Withdraw a draft or submitted bid; only before the closing date."""
    bid = get_or_404(session, Bid, bid_id)
    require(actor, Action.BID_EDIT, bid)
    lock_scenario(session, bid.scenario_id)
    scenario = get_or_404(session, Scenario, bid.scenario_id)
    check_withdraw(actor, bid, scenario)
    transition(session, bid, B.WITHDRAWN, actor=actor)
    return bid


def get_bid(actor: Actor, bid_id: int, *, session: Session) -> Bid:
    """A single bid: its vendor and the authority always; the department only once unsealed."""
    bid = get_or_404(session, Bid, bid_id)
    scenario = get_or_404(session, Scenario, bid.scenario_id)
    if not can(actor, Action.BID_VIEW, bid):
        require(actor, Action.BID_VIEW_ALL, scenario)
    return bid


def my_bid(actor: Actor, scenario_id: int, *, session: Session) -> Bid | None:
    """The acting vendor's bid on a scenario, if any."""
    if not actor.is_vendor:
        return None
    return session.exec(
        select(Bid).where(Bid.scenario_id == scenario_id, Bid.vendor_org_id == actor.org_id)
    ).first()


def list_my_bids(actor: Actor, *, session: Session) -> list[Bid]:
    require(actor, Action.BID_CREATE) if actor.verified else require(actor, Action.OFFER_CREATE)
    q = select(Bid).where(Bid.vendor_org_id == actor.org_id).order_by(col(Bid.updated_at).desc())
    return list(session.exec(q).all())


def list_bids(actor: Actor, scenario_id: int, *, session: Session, everything: bool = False) -> list[Bid]:
    """The bids on a scenario, cheapest first (sealed: the department sees them only after closing).

    Drafts were never offered and withdrawn bids were taken back, so both are left out unless
    ``everything`` is asked for (the authority's audit view).
    """
    scenario = get_or_404(session, Scenario, scenario_id)
    require(actor, Action.BID_VIEW_ALL, scenario)
    q = select(Bid).where(Bid.scenario_id == scenario.id)
    if not everything:
        q = q.where(col(Bid.status).not_in((B.DRAFT, B.WITHDRAWN)))
    return list(session.exec(q.order_by(col(Bid.price), col(Bid.id))).all())


def visible_bid_count(actor: Actor, scenario: Scenario, *, session: Session) -> int | None:
    """How many bids were received, or None while sealed.

    Sealed procurement hides even the number of bids until opening (the closing date): before it,
    a count tells competitors how crowded the field is. The authority, which oversees the process,
    always sees it; everyone else once the scenario is closed.
    """
    if actor.is_authority or scenario.status in UNSEALED_STATUSES:
        return _bid_count(session, scenario.id)
    return None


def _bid_count(session: Session, scenario_id: int) -> int:
    """Number of offered bids (submitted or later)."""
    rows = session.exec(
        select(Bid.id).where(
            Bid.scenario_id == scenario_id, col(Bid.status).in_((*ACTIVE, B.AWARDED, B.UNSUCCESSFUL))
        )
    ).all()
    return len(rows)


def check_decide(actor: Actor, scenario: Scenario) -> None:
    """May ``actor`` decide bids on ``scenario`` now (its department, once closed)?"""
    require(actor, Action.SCENARIO_DECIDE, scenario)
    if scenario.status != ScenarioStatus.CLOSED:
        raise RuleViolation("error.scenario_not_closed", status=f"status.{scenario.status}")


def check_decide_bid(actor: Actor, bid: Bid, scenario: Scenario, *, session: Session) -> None:
    """May ``actor`` decide on ``bid`` now (an offered bid on its closed scenario)?

    Taking a bid off the shortlist needs only this; shortlisting and awarding also need a verified
    bidder (``check_promote_bid``).
    """
    check_decide(actor, scenario)
    if bid.status not in ACTIVE:
        raise RuleViolation("error.bid_not_editable", status=f"bid_status.{bid.status}")


def check_promote_bid(actor: Actor, bid: Bid, scenario: Scenario, *, session: Session) -> None:
    """May ``actor`` shortlist or award ``bid`` now? Its vendor must be verified at this moment."""
    check_decide_bid(actor, bid, scenario, session=session)
    state = _verification(session, bid.vendor_org_id)
    if state != Verification.VERIFIED:
        raise RuleViolation("error.bidder_not_verified", status=f"verification.{state}")


def _decidable(session: Session, actor: Actor, bid_id: int, *, promote: bool = True) -> tuple[Bid, Scenario]:
    bid = get_or_404(session, Bid, bid_id)
    lock_scenario(session, bid.scenario_id)  # the set of active bids cannot change while deciding
    session.refresh(bid)
    scenario = get_or_404(session, Scenario, bid.scenario_id)
    check = check_promote_bid if promote else check_decide_bid
    check(actor, bid, scenario, session=session)
    return bid, scenario


def _tell_vendor(session: Session, bid: Bid, scenario: Scenario) -> None:
    notify_org(
        session,
        bid.vendor_org_id,
        "bid_status",
        object_type="scenario",
        object_id=scenario.id,
        title=scenario.title,
        status=f"bid_status.{bid.status}",
    )


def shortlist_bid(actor: Actor, bid_id: int, shortlisted: bool = True, *, session: Session) -> Bid:
    bid, scenario = _decidable(session, actor, bid_id, promote=shortlisted)
    transition(session, bid, B.SHORTLISTED if shortlisted else B.SUBMITTED, actor=actor, perm_obj=scenario)
    _tell_vendor(session, bid, scenario)
    return bid


def award_bid(actor: Actor, bid_id: int, reason: str = "", *, session: Session) -> Scenario:
    """Award one bid: it wins, every other active bid becomes unsuccessful, the scenario is awarded."""
    winner, scenario = _decidable(session, actor, bid_id)
    transition(session, winner, B.AWARDED, actor=actor, perm_obj=scenario, reason=reason)
    _tell_vendor(session, winner, scenario)
    for other in session.exec(
        select(Bid).where(Bid.scenario_id == scenario.id, Bid.id != winner.id, col(Bid.status).in_(ACTIVE))
    ).all():
        transition(session, other, B.UNSUCCESSFUL, actor=actor, perm_obj=scenario)
        _tell_vendor(session, other, scenario)
    transition(session, scenario, ScenarioStatus.AWARDED, actor=actor, reason=reason, bid_id=winner.id)
    return scenario


def declare_none_suitable(actor: Actor, scenario_id: int, reason: str, *, session: Session) -> Scenario:
    """Close a scenario without a winner (reason required); every active bid becomes unsuccessful."""
    lock_scenario(session, scenario_id)
    scenario = get_or_404(session, Scenario, scenario_id)
    require(actor, Action.SCENARIO_DECIDE, scenario)
    transition(session, scenario, ScenarioStatus.NONE_SUITABLE, actor=actor, reason=reason)
    for bid in session.exec(
        select(Bid).where(Bid.scenario_id == scenario.id, col(Bid.status).in_(ACTIVE))
    ).all():
        transition(session, bid, B.UNSUCCESSFUL, actor=actor, perm_obj=scenario)
        _tell_vendor(session, bid, scenario)
    return scenario


def awarded_bid(session: Session, scenario_id: int) -> Bid | None:
    return session.exec(select(Bid).where(Bid.scenario_id == scenario_id, Bid.status == B.AWARDED)).first()
