"""Dashboard numbers and the audit log query, against a small world with hand-computed expectations.

The world (built once per module through the real services, under a frozen clock; T0 = 2026-03-10
10:00 China time):

====  ======  ===============  ========  =====================  ===================================
name  dept    sector           region    published              afterwards
====  ======  ===============  ========  =====================  ===================================
A     dept_a  smart-health     province  T0                     vendor_y bid withdrawn (not counted)
B     dept_b  smart-transport  zunyi     2026-03-31 20:00 UTC   one submitted bid (vendor_x)
                                         (= 1 April in China)
C     dept_a  smart-health     guiyang   T0                     —   (vendor_x offer: health/guiyang)
D     dept_a  smart-elderly    anshun    T0                     vendor_y draft bid (not counted)
E     dept_a  smart-health     province  T0                     2 bids, awarded T0 + 31 days
F     dept_b  smart-health     province  T0 + 90 d (June)       2 bids, awarded 41 days later
H     dept_b  smart-transport  province  —                      draft
I     dept_a  smart-health     province  —                      submitted
====  ======  ===============  ========  =====================  ===================================

Offers: vendor_x active (smart-health, guiyang); vendor_p (unverified) active (smart-elderly,
province); vendor_y retired (smart-elderly, province).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from portal import audit, clock
from portal.domain.errors import PermissionDenied
from portal.models import AuditEvent, ScenarioStatus
from portal.permissions import SYSTEM, Action, record_checks
from portal.services import bids, offers, reports, scenarios
from tests.factories import bid_data, scenario_in

S = ScenarioStatus
T0 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def offer(session, party, sectors, regions):
    data = {
        "title": "智慧医疗影像云平台",
        "description": "面向基层医疗机构的云影像平台，支持远程阅片和AI辅助诊断。",
        "sectors": sectors,
        "regions": regions,
    }
    return offers.create_offer(party.actor, data, session=session)


def submitted_bid(session, vendor, scenario_id, price=1_000_000):
    b = bids.save_bid(vendor.actor, scenario_id, bid_data(price=price), session=session)
    return bids.submit_bid(vendor.actor, b.id, session=session)


def awarded(session, w, owner, published: datetime, days: int, **over):
    with clock.frozen(published):
        sc = scenario_in(session, w, S.PUBLISHED, owner=owner, **over)
        submitted_bid(session, w.vendor_x, sc.id, 900_000)
        submitted_bid(session, w.vendor_y, sc.id, 1_100_000)
    with clock.frozen(published + timedelta(days=days)):
        scenarios.close_scenario(owner.actor, sc.id, session=session)
        winner = bids.list_bids(owner.actor, sc.id, session=session)[0]
        bids.award_bid(owner.actor, winner.id, session=session)
    session.commit()
    return sc


@pytest.fixture(scope="module")
def small(shared_session, shared_world):
    session, w = shared_session, shared_world
    ids = {}
    with clock.frozen(T0):
        ids["A"] = scenario_in(session, w, S.PUBLISHED, title="场景A远程影像").id
        ids["C"] = scenario_in(session, w, S.PUBLISHED, title="场景C远程影像", region="guiyang").id
        ids["D"] = scenario_in(
            session, w, S.PUBLISHED, title="场景D智慧养老", sector="smart-elderly", region="anshun"
        ).id
        withdrawn = bids.save_bid(w.vendor_y.actor, ids["A"], bid_data(), session=session)
        bids.submit_bid(w.vendor_y.actor, withdrawn.id, session=session)
        bids.withdraw_bid(w.vendor_y.actor, withdrawn.id, session=session)
        bids.save_bid(w.vendor_y.actor, ids["D"], bid_data(), session=session)  # stays a draft
        offer(session, w.vendor_x, ["smart-health"], ["guiyang"])
        offer(session, w.vendor_p, ["smart-elderly"], ["province"])
        retired = offer(session, w.vendor_y, ["smart-elderly"], ["province"])
        offers.set_offer_active(w.vendor_y.actor, retired.id, False, session=session)
        ids["H"] = scenario_in(
            session, w, S.DRAFT, title="场景H交通", owner=w.dept_b, sector="smart-transport"
        ).id
        ids["I"] = scenario_in(session, w, S.SUBMITTED, title="场景I远程影像").id
        session.commit()
    with clock.frozen(datetime(2026, 3, 31, 20, 0, tzinfo=UTC)):
        b = scenario_in(
            session,
            w,
            S.PUBLISHED,
            title="场景B交通",
            owner=w.dept_b,
            sector="smart-transport",
            region="zunyi",
        )
        submitted_bid(session, w.vendor_x, b.id)
        ids["B"] = b.id
        session.commit()
    ids["E"] = awarded(session, w, w.dept_a, T0, 31, title="场景E远程影像").id
    ids["F"] = awarded(session, w, w.dept_b, T0 + timedelta(days=90), 41, title="场景F远程影像").id
    return ids


def test_scenarios_by_sector_region_status(db, shared_world, small):
    a = shared_world.authority.actor
    by_sector = reports.scenarios_by(a, "sector", session=db)
    assert by_sector == {"smart-health": 5, "smart-transport": 2, "smart-elderly": 1}
    assert list(by_sector) == ["smart-health", "smart-transport", "smart-elderly"]  # largest first
    assert reports.scenarios_by(a, "region", session=db) == {
        "province": 5,
        "anshun": 1,
        "guiyang": 1,
        "zunyi": 1,
    }
    assert reports.scenarios_by(a, "status", session=db) == {
        "published": 4,
        "awarded": 2,
        "draft": 1,
        "submitted": 1,
    }
    only_published = reports.scenarios_by(a, "sector", session=db, statuses=[S.PUBLISHED])
    assert only_published == {"smart-health": 2, "smart-elderly": 1, "smart-transport": 1}


def test_published_per_month_uses_china_time_and_fills_gaps(db, shared_world, small):
    series = reports.published_per_month(shared_world.authority.actor, session=db)
    assert [(m.month, m.count) for m in series] == [
        ("2026-03", 4),
        ("2026-04", 1),
        ("2026-05", 0),
        ("2026-06", 1),
    ]


def test_bids_per_scenario_distribution(db, shared_world, small):
    # A: 0 (withdrawn), B: 1, C: 0, D: 0 (draft), E: 2, F: 2; H and I were never published.
    assert reports.bids_per_scenario(shared_world.authority.actor, session=db) == {0: 3, 1: 1, 2: 2}


def test_good_match_share_default_rule(db, shared_world, small):
    share = reports.good_match_share(shared_world.authority.actor, session=db)
    # Published now: A, B, C, D. B has a bid, C an offer (health/guiyang). A is province-wide but the
    # only health offer serves Guiyang; D's offers are unverified or retired.
    assert (share.matched, share.total, share.share) == (2, 4, 0.5)


def test_good_match_share_with_a_match_scorer(db, shared_world, small):
    seen = []

    def score(scenario):
        seen.append(scenario.id)
        return 0.9 if scenario.id == small["A"] else 0.2

    share = reports.good_match_share(shared_world.authority.actor, session=db, score=score, threshold=0.5)
    assert (share.matched, share.total) == (1, 4)
    assert sorted(seen) == sorted(small[k] for k in "ABCD")
    assert (
        reports.good_match_share(shared_world.authority.actor, session=db, score=score, threshold=0.1).matched
        == 4
    )


def test_median_days_to_award(db, shared_world, small):
    assert reports.median_days_to_award(shared_world.authority.actor, session=db) == 36.0


def test_dashboard_bundles_everything(db, shared_world, small):
    d = reports.dashboard(shared_world.authority.actor, session=db)
    assert d.by_status["published"] == 4 and d.bids_per_scenario == {0: 3, 1: 1, 2: 2}
    assert d.good_match.share == 0.5 and d.median_days_to_award == 36.0
    assert [m.count for m in d.published_per_month] == [4, 1, 0, 1]


def test_reports_are_for_the_authority_only(db, shared_world, small):
    for party in (shared_world.dept_a, shared_world.vendor_x):
        with record_checks() as checks, pytest.raises(PermissionDenied):
            reports.dashboard(party.actor, session=db)
        assert checks == [(Action.DASHBOARD_VIEW, None)]
        with record_checks() as checks, pytest.raises(PermissionDenied):
            reports.audit_log(party.actor, session=db)
        assert checks == [(Action.AUDIT_VIEW, None)]


# ------------------------------------------------------------------------------------ audit log


def all_events(db):
    return db.exec(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())).all()  # type: ignore[attr-defined]


def test_audit_log_pages_newest_first(db, shared_world, small):
    a = shared_world.authority.actor
    everything = all_events(db)
    assert len(everything) > 14
    first = reports.audit_log(a, session=db, page_size=7)
    assert first.total == len(everything) and first.pages == -(-len(everything) // 7)
    assert [r.id for r in first.rows] == [e.id for e in everything[:7]]
    last = reports.audit_log(a, session=db, page=first.pages, page_size=7)
    assert [r.id for r in last.rows] == [e.id for e in everything[(first.pages - 1) * 7 :]]
    beyond = reports.audit_log(a, session=db, page=first.pages + 1, page_size=7)
    assert beyond.rows == [] and beyond.total == len(everything)
    assert reports.audit_log(a, session=db, page_size=10_000).page_size == reports.MAX_PAGE_SIZE


def test_audit_log_filters(db, shared_world, small):
    a, w = shared_world.authority.actor, shared_world
    by_vendor = reports.audit_log(a, session=db, actor_id=w.vendor_x.user.id, page_size=500)
    assert by_vendor.total > 0
    assert {r.actor_name for r in by_vendor.rows} == {"贵州黔云数智科技有限公司"}
    assert {r.actor_id for r in by_vendor.rows} == {w.vendor_x.user.id}

    bid_events = reports.audit_log(a, session=db, event_prefix="bid.", page_size=500)
    expected = [e.id for e in all_events(db) if e.event.startswith("bid.")]
    assert [r.id for r in bid_events.rows] == expected and expected
    assert reports.audit_log(a, session=db, event_prefix="sc%").total == 0  # wildcards are literal
    assert reports.audit_log(a, session=db, event_prefix="bid_").total == 0

    e_id = small["E"]
    trail = reports.audit_log(a, session=db, object_type="scenario", object_id=e_id, page_size=500)
    assert [r.event for r in reversed(trail.rows)] == [
        "scenario.created",
        "scenario.submitted",
        "scenario.published",
        "scenario.closed",
        "scenario.awarded",
    ]


def test_audit_log_time_range(db, shared_world, small):
    a = shared_world.authority.actor
    everything = all_events(db)
    start, end = T0 + timedelta(days=31), T0 + timedelta(days=91)
    window = reports.audit_log(a, session=db, since=start, until=end, page_size=500)
    assert [r.id for r in window.rows] == [e.id for e in everything if start <= e.at < end]
    # E: closed, bid awarded, bid unsuccessful, awarded (4); F: created, submitted, published, 2 × bid
    # created and submitted (7).
    assert window.total == 11
    # A date means the whole China-time day: 31 March 2026 holds nothing, 1 April holds B's publishing.
    assert reports.audit_log(a, session=db, since=date(2026, 3, 31), until=date(2026, 3, 31)).total == 0
    april = reports.audit_log(a, session=db, since=date(2026, 4, 1), until=date(2026, 4, 1), page_size=500)
    assert {r.event for r in april.rows} >= {"scenario.published", "bid.submitted"}
    assert all(
        datetime(2026, 3, 31, 16, tzinfo=UTC) <= r.at < datetime(2026, 4, 1, 16, tzinfo=UTC)
        for r in april.rows
    )


def test_system_events_show_a_translated_actor(db, shared_world, small):
    audit.record(db, SYSTEM, "demo.loaded", "demo", None, created={})
    db.flush()
    zh = reports.audit_log(shared_world.authority.actor, session=db, event_prefix="demo.").rows
    assert [r.actor_name for r in zh] == ["系统"]
    english = type(shared_world.authority.actor)(
        **{**shared_world.authority.actor.__dict__, "language": "en"}
    )
    assert [r.actor_name for r in reports.audit_log(english, session=db, event_prefix="demo.").rows] == [
        "System"
    ]
