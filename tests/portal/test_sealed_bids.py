"""Sealed bids: a bid's content reaches nobody but its vendor, the authority, and the owning
department after closing — through no read path: services, notifications, search, open data."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal import clock
from portal.domain.errors import NotAuthenticated, NotFound, PermissionDenied
from portal.models import Notification, ScenarioStatus
from portal.permissions import ANONYMOUS
from portal.services import bids, exports, matchmaking, notifications, scenarios
from tests.factories import after, bid_data, scenario_in

MARK = "密封标记QX7734技术路线"


@pytest.fixture
def sealed(session, world):
    sc = scenario_in(session, world, ScenarioStatus.PUBLISHED)
    bid = bids.save_bid(
        world.vendor_x.actor, sc.id, bid_data(approach=MARK + "，采用云原生架构分阶段交付。"), session=session
    )
    bids.submit_bid(world.vendor_x.actor, bid.id, session=session)
    session.commit()
    return sc, bid


def _all_notification_text(session) -> str:
    rows = session.exec(select(Notification)).all()
    return "\n".join(notifications.render(n, lang) for n in rows for lang in ("zh", "en"))


def test_before_closing_only_the_vendor_and_the_authority_read_the_bid(session, world, sealed):
    sc, bid = sealed
    assert MARK in bids.get_bid(world.vendor_x.actor, bid.id, session=session).approach
    assert MARK in bids.get_bid(world.authority.actor, bid.id, session=session).approach
    for who in (world.dept_a, world.dept_b, world.vendor_y, world.vendor_p):
        with pytest.raises((PermissionDenied, NotFound)):
            bids.get_bid(who.actor, bid.id, session=session)
        with pytest.raises((PermissionDenied, NotFound)):
            bids.list_bids(who.actor, sc.id, session=session)
    with pytest.raises(NotAuthenticated):
        bids.list_bids(ANONYMOUS, sc.id, session=session)
    # Sealed means sealed: not even the number of bids is shown before opening (the authority sees it).
    for who in (world.dept_a, world.dept_b, world.vendor_x, world.vendor_y):
        assert bids.visible_bid_count(who.actor, sc, session=session) is None
    assert bids.visible_bid_count(ANONYMOUS, sc, session=session) is None
    assert bids.visible_bid_count(world.authority.actor, sc, session=session) == 1


def test_no_notification_search_result_or_export_carries_bid_content(session, world, sealed):
    sc, bid = sealed
    with clock.frozen(after((sc.closing_date - clock.today()).days + 1)):
        scenarios.close_scenario(world.dept_a.actor, sc.id, session=session)
        assert MARK in bids.list_bids(world.dept_a.actor, sc.id, session=session)[0].approach  # unsealed
        bids.award_bid(world.dept_a.actor, bid.id, session=session)
        session.commit()
    assert MARK not in _all_notification_text(session)
    hits = matchmaking.search_scenarios(ANONYMOUS, MARK, session=session, k=5, statuses=["awarded"])
    assert all(MARK not in h.scenario.model_dump_json() for h in hits)
    for fmt in ("csv", "json"):
        files = exports.export_open_data(world.authority.actor, fmt, session=session)
        assert files and all(MARK.encode() not in content for content in files.values())
