"""Sealed bids on pages: before closing, no page shows a bid's content to anyone but its vendor."""

from __future__ import annotations

from portal.models import ScenarioStatus
from portal.services import bids
from tests.factories import bid_data, scenario_in
from tests.ui.conftest import no_errors

MARK = "密封标记PG2291报价说明"


def _page_text(at) -> str:  # type: ignore[no-untyped-def]
    parts: list[str] = []
    for kind in (
        "markdown",
        "caption",
        "text",
        "info",
        "warning",
        "success",
        "code",
        "title",
        "header",
        "subheader",
    ):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [e.value.to_string() for e in at.dataframe]
    parts += [str(e.value) for e in at.text_area]
    return "\n".join(parts)


def test_bid_content_stays_off_every_page_but_its_vendors(app, session, world):
    sc = scenario_in(session, world, ScenarioStatus.PUBLISHED)
    bid = bids.save_bid(
        world.vendor_x.actor, sc.id, bid_data(approach=MARK + "：分三期建设。"), session=session
    )
    bids.submit_bid(world.vendor_x.actor, bid.id, session=session)
    session.commit()
    own = app(world.vendor_x, page="scenario", id=sc.id)
    no_errors(own)
    assert MARK in _page_text(own)  # the vendor sees its own bid (so the probe can find it)
    for party, page in (
        (None, "scenario"),
        (world.vendor_y, "scenario"),
        (world.dept_a, "manage"),  # the owning department, before the closing date
        (world.dept_a, "scenario"),
    ):
        at = app(party, page=page, id=sc.id)
        assert not at.exception
        assert MARK not in _page_text(at), (party and party.user.username, page)
