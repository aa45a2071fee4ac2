"""Bid rules: only on open scenarios before closing, one per vendor, withdraw before the deadline,
decisions after closing with every vendor told the result."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal import clock
from portal.domain.errors import NotFound, PermissionDenied, RuleViolation, ValidationFailed
from portal.models import BidStatus, Notification, ScenarioStatus
from portal.services import bids, offers, scenarios
from tests.factories import after, bid_data, scenario_in

S, B = ScenarioStatus, BidStatus
OFFER = {
    "title": "交通信号优化平台",
    "description": "基于视频感知和强化学习的路口信号配时优化平台，已在多个城市落地。",
    "sectors": ["smart-transport"],
    "regions": ["province"],
}


@pytest.mark.parametrize("status", [S.CLOSED, S.AWARDED, S.CANCELLED, S.NONE_SUITABLE])
def test_no_bid_on_a_scenario_that_is_not_open(session, world, status):
    sc = scenario_in(session, world, status)
    with pytest.raises(RuleViolation) as info:
        bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=session)
    assert info.value.key == "error.scenario_not_open"


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.WITHDRAWN])
def test_an_unpublished_scenario_cannot_even_be_seen_by_a_bidder(session, world, status):
    sc = scenario_in(session, world, status)
    with pytest.raises((NotFound, PermissionDenied)):
        bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=session)


def test_bids_are_accepted_through_the_closing_day_and_refused_after(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    days = (sc.closing_date - clock.today()).days
    with clock.frozen(after(days)):
        bid = bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=session)
        bids.submit_bid(world.vendor_x.actor, bid.id, session=session)
    with clock.frozen(after(days + 1)):
        with pytest.raises(RuleViolation) as info:
            bids.save_bid(world.vendor_y.actor, sc.id, bid_data(), session=session)
        assert info.value.key == "error.closing_date_passed"
        with pytest.raises(RuleViolation):
            bids.withdraw_bid(world.vendor_x.actor, bid.id, session=session)
    assert bid.status == B.SUBMITTED


def test_pending_vendors_cannot_bid(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    with pytest.raises(PermissionDenied):
        bids.save_bid(world.vendor_p.actor, sc.id, bid_data(), session=session)


def test_one_bid_per_vendor_edited_until_closing_and_reopened_after_withdrawal(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    x = world.vendor_x.actor
    bid = bids.save_bid(x, sc.id, bid_data(), session=session)
    bids.submit_bid(x, bid.id, session=session)
    again = bids.save_bid(x, sc.id, {"price": 1_100_000}, expected_version=bid.version, session=session)
    assert again.id == bid.id and again.price == 1_100_000 and again.status == B.SUBMITTED
    bids.withdraw_bid(x, bid.id, session=session)
    reopened = bids.save_bid(x, sc.id, {}, session=session)
    assert reopened.id == bid.id and reopened.status == B.DRAFT
    assert [b.id for b in bids.list_my_bids(x, session=session)] == [bid.id]


def test_bid_validation_names_each_field(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    with pytest.raises(ValidationFailed) as info:
        bids.save_bid(world.vendor_x.actor, sc.id, bid_data(price=-5, approach="太短"), session=session)
    assert {(e.field, e.key) for e in info.value.errors} == {
        ("price", "validation.too_small"),
        ("approach", "validation.too_short_weighted"),
    }
    en = info.value.message("en")
    assert "Price (CNY) cannot be less than 0" in en and "Approach is too short" in en


def test_a_bid_may_reference_only_the_vendors_own_offer(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    theirs = offers.create_offer(world.vendor_y.actor, OFFER, session=session)
    with pytest.raises(ValidationFailed) as info:
        bids.save_bid(world.vendor_x.actor, sc.id, bid_data(offer_id=theirs.id), session=session)
    assert [(e.field, e.key) for e in info.value.errors] == [("offer_id", "error.offer_not_yours")]
    mine = offers.create_offer(world.vendor_x.actor, OFFER, session=session)
    assert (
        bids.save_bid(world.vendor_x.actor, sc.id, bid_data(offer_id=mine.id), session=session).offer_id
        == mine.id
    )


def test_decisions_wait_for_closing(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    bid = bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=session)
    bids.submit_bid(world.vendor_x.actor, bid.id, session=session)
    with pytest.raises(RuleViolation) as info:
        bids.award_bid(world.dept_a.actor, bid.id, session=session)
    assert info.value.key == "error.scenario_not_closed"


def test_award_decides_every_bid_and_tells_every_vendor(session, world):
    sc = scenario_in(session, world, S.CLOSED)
    found = bids.list_bids(world.dept_a.actor, sc.id, session=session)
    assert [b.price for b in found] == [990_000, 1_200_000]  # cheapest first
    loser, winner = sorted(found, key=lambda b: -b.price)
    bids.shortlist_bid(world.dept_a.actor, winner.id, session=session)
    bids.award_bid(world.dept_a.actor, winner.id, session=session)
    assert (winner.status, loser.status, sc.status) == (B.AWARDED, B.UNSUCCESSFUL, S.AWARDED)
    assert bids.awarded_bid(session, sc.id).id == winner.id
    assert bids.visible_bid_count(world.vendor_x.actor, sc, session=session) == 2  # opened: public count
    for party, expected in (
        (world.vendor_y, "bid_status.awarded"),
        (world.vendor_x, "bid_status.unsuccessful"),
    ):
        notes = session.exec(select(Notification).where(Notification.user_id == party.user.id)).all()
        assert notes[-1].kind == "bid_status" and notes[-1].params["status"] == expected


def test_none_suitable_needs_a_reason_and_releases_every_bid(session, world):
    sc = scenario_in(session, world, S.CLOSED)
    with pytest.raises(RuleViolation) as info:
        bids.declare_none_suitable(world.dept_a.actor, sc.id, " ", session=session)
    assert info.value.message("en") == "A reason is required for 'None suitable'."
    bids.declare_none_suitable(world.dept_a.actor, sc.id, "均不满足等保要求", session=session)
    assert {b.status for b in bids.list_bids(world.dept_a.actor, sc.id, session=session)} == {B.UNSUCCESSFUL}


def test_withdrawn_and_draft_bids_are_not_shown_to_the_department(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    kept = bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=session)
    bids.submit_bid(world.vendor_x.actor, kept.id, session=session)
    taken_back = bids.save_bid(world.vendor_y.actor, sc.id, bid_data(price=900_000), session=session)
    bids.submit_bid(world.vendor_y.actor, taken_back.id, session=session)
    bids.withdraw_bid(world.vendor_y.actor, taken_back.id, session=session)
    session.commit()
    with clock.frozen(after((sc.closing_date - clock.today()).days + 1)):
        scenarios.close_scenario(world.dept_a.actor, sc.id, session=session)
        shown = bids.list_bids(world.dept_a.actor, sc.id, session=session)
        everything = bids.list_bids(world.authority.actor, sc.id, session=session, everything=True)
    assert [b.id for b in shown] == [kept.id]
    assert {b.id for b in everything} == {kept.id, taken_back.id}
