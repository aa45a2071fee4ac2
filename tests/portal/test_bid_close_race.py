"""A bid being saved and its scenario being closed must not interleave (found by the stress run:
a bid submitted between the department's close and award stayed "submitted" on an awarded scenario).

On PostgreSQL this fails without ``door.lock_scenario`` (the close does not wait); on SQLite the
database write lock already serialises these two writers, and the stress benchmark covers the
read-then-write order that the lock fixes there."""

from __future__ import annotations

import threading
import time

from sqlmodel import Session

from portal import clock
from portal.models import BidStatus, ScenarioStatus
from portal.services import bids, scenarios
from tests.factories import after, bid_data, scenario_in


def test_close_waits_for_a_bid_that_is_being_saved(engine, session, world):
    sc = scenario_in(session, world, ScenarioStatus.PUBLISHED)
    closing_day = (sc.closing_date - clock.today()).days
    vendor = Session(engine, expire_on_commit=False)
    with clock.frozen(after(closing_day)) as box:
        bid = bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=vendor)
        bids.submit_bid(
            world.vendor_x.actor, bid.id, session=vendor
        )  # holds the scenario's lock, uncommitted
        box[0] = after(closing_day + 1)  # midnight passes: the department may close now
        finished: list[float] = []

        def close() -> None:
            with Session(engine, expire_on_commit=False) as dept:
                scenarios.close_scenario(world.dept_a.actor, sc.id, session=dept)
                dept.commit()
            finished.append(time.monotonic())

        closer = threading.Thread(target=close)
        closer.start()
        time.sleep(0.5)
        assert finished == [], "the close did not wait for the bid in flight"
        committed = time.monotonic()
        vendor.commit()
        closer.join(15)
        vendor.close()
    assert finished and finished[0] >= committed
    session.expire_all()
    assert scenarios.get_scenario(world.dept_a.actor, sc.id, session=session).status == ScenarioStatus.CLOSED
    assert [b.status for b in bids.list_bids(world.dept_a.actor, sc.id, session=session)] == [
        BidStatus.SUBMITTED
    ]
