"""The portal's matchmaking adapter over the real engine, model and FAISS."""

from __future__ import annotations

import pytest

from portal.domain.errors import PermissionDenied
from portal.models import ScenarioStatus
from portal.permissions import ANONYMOUS
from portal.services import matchmaking, offers, scenarios
from tests.factories import scenario_data, scenario_in

TRAFFIC = scenario_data(
    title="城区主干道交通信号智能配时优化",
    summary="利用卡口和地磁数据优化城区主干道信号配时，缓解早晚高峰拥堵。",
    description="贵阳市中心城区早晚高峰拥堵严重，现有信号灯多为固定配时。需要基于卡口过车数据、"
    "地磁检测数据和互联网路况数据，建设信号配时优化系统，实现绿波协调和自适应控制。",
    sector="smart-transport",
    region="guiyang",
)
ELDERLY = scenario_data(
    title="居家养老紧急呼叫与智能看护服务",
    summary="为独居老人提供紧急呼叫、跌倒检测和助餐服务的智能看护平台。",
    description="全市独居和失能老人数量持续增长，需要建设居家养老智能看护平台，接入智能手环和"
    "跌倒检测设备，实现紧急呼叫一键响应，并对接社区助餐和上门服务资源。",
    sector="smart-elderly",
    region="zunyi",
)

OFFER_TRAFFIC = {
    "title": "自适应交通信号控制系统",
    "description": "基于视频检测和地磁数据的路口自适应信号控制，支持干线绿波协调和拥堵预警，已在多个城市部署。",
    "sectors": ["smart-transport"],
    "regions": ["province"],
    "reference_cases": ["某市30个路口改造后高峰通行时间下降18%"],
    "maturity": "deployed",
}
OFFER_ELDERLY = {
    "title": "Smart home-care alarm platform for seniors",
    "description": "Wearable fall detection, one-touch emergency calls and meal-delivery dispatch for elderly "
    "people living alone, integrated with community service centres.",
    "sectors": ["smart-elderly"],
    "regions": ["zunyi"],
    "language": "en",
    "maturity": "pilot",
}


@pytest.fixture
def market(session, world):
    traffic = scenario_in(session, world, ScenarioStatus.PUBLISHED, owner=world.dept_b, **TRAFFIC)
    elderly = scenario_in(session, world, ScenarioStatus.PUBLISHED, **ELDERLY)
    o1 = offers.create_offer(world.vendor_x.actor, OFFER_TRAFFIC, session=session)
    o2 = offers.create_offer(world.vendor_y.actor, OFFER_ELDERLY, session=session)
    session.commit()
    return traffic, elderly, o1, o2


def test_search_finds_scenarios_in_chinese_and_english(session, world, market):
    traffic, elderly, _, _ = market
    zh = matchmaking.search_scenarios(ANONYMOUS, "红绿灯配时 拥堵", session=session, k=2)
    en = matchmaking.search_scenarios(
        ANONYMOUS, "emergency alarm for elderly people living alone", session=session, k=2
    )
    assert zh[0].scenario.id == traffic.id
    assert en[0].scenario.id == elderly.id


def test_public_search_never_returns_unpublished_scenarios(session, world, market):
    draft = scenario_in(session, world, ScenarioStatus.DRAFT, **dict(TRAFFIC, title="交通信号配时草稿需求"))
    hits = matchmaking.search_scenarios(ANONYMOUS, "交通信号配时", session=session, k=10)
    assert draft.id not in [h.scenario.id for h in hits]
    assert not hasattr(hits[0].scenario, "contact_phone")


def test_recommendations_both_directions_with_reasons(session, world, market):
    traffic, elderly, o1, o2 = market
    hits = matchmaking.recommend_offers(world.dept_b.actor, traffic.id, session=session, k=2)
    assert hits[0].offer.id == o1.id
    reasons = matchmaking.explain(hits[0].reasons, "zh")
    assert any("领域一致" in r for r in reasons)
    for_y = matchmaking.recommend_scenarios(world.vendor_y.actor, session=session, k=2)
    assert for_y[0].scenario.id == elderly.id
    assert matchmaking.explain(for_y[0].reasons, "en")


def test_other_department_cannot_see_recommendations(session, world, market):
    traffic = market[0]
    with pytest.raises(PermissionDenied):
        matchmaking.recommend_offers(world.dept_a.actor, traffic.id, session=session)


def test_changes_reach_the_index_through_the_change_log(session, world, market):
    traffic = market[0]
    matchmaking.search_scenarios(ANONYMOUS, "交通", session=session)  # engine built and synced
    scenarios.cancel_scenario(world.dept_b.actor, traffic.id, "预算调整", session=session)
    session.commit()
    assert matchmaking.sync_changes(session) >= 1
    hits = matchmaking.search_scenarios(ANONYMOUS, "交通信号配时", session=session)
    assert traffic.id not in [h.scenario.id for h in hits]


def test_duplicate_warning_lists_similar_existing_scenario(session, world, market):
    traffic = market[0]
    draft = "遵义市区交通信号灯配时优化，缓解高峰拥堵，建设绿波协调控制系统"
    hits = matchmaking.similar_scenarios(world.dept_a.actor, draft, session=session, k=3)
    assert hits and hits[0].scenario.id == traffic.id


def test_a_change_committed_late_with_a_lower_id_is_still_applied(session, world, market):
    """Two writers commit out of id order: a change whose change-log id is lower than one already
    applied must still reach the index (simulated with explicit ids, the same on both databases)."""
    from sqlmodel import delete, select

    from portal.models import ChangeLog

    traffic, _, offer, _ = market
    portal = matchmaking.portal_engine()
    portal.sync_changes(session, force=True)
    base = portal.last_change
    session.add(ChangeLog(id=base + 1000, object_type="offer", object_id=offer.id, op="upsert"))
    session.commit()
    portal.sync_changes(session, force=True)  # the fast writer's row; everything below is a hole
    assert portal.last_change == base + 1000 and base + 500 in portal.gaps
    scenarios.cancel_scenario(world.dept_b.actor, traffic.id, "预算调整", session=session)
    session.flush()
    session.exec(delete(ChangeLog).where(ChangeLog.id > base, ChangeLog.object_type == "scenario"))
    session.add(ChangeLog(id=base + 500, object_type="scenario", object_id=traffic.id, op="upsert"))
    session.commit()  # the slow writer's row becomes visible only now, below last_change
    assert session.exec(select(ChangeLog.id).where(ChangeLog.id > base + 1000)).first() is None
    assert portal.sync_changes(session, force=True) == 1
    assert base + 500 not in portal.gaps
    assert portal.engine.get("scenario", traffic.id).status == "cancelled"


@pytest.mark.parametrize("damage", ["missing", "corrupt-index", "corrupt-store", "corrupt-cache"])
def test_a_damaged_or_missing_index_is_rebuilt_from_the_database(
    session, world, market, damage, tmp_path, monkeypatch
):
    """Derived files (FAISS snapshot, vector store, embedding cache) never decide what is found."""
    import shutil

    from portal.config import load_settings

    traffic = market[0]
    index_dir = load_settings().index_dir
    matchmaking.search_scenarios(ANONYMOUS, "交通", session=session)  # build and persist
    matchmaking.reset_engines()
    if damage == "missing":
        shutil.rmtree(index_dir)
    elif damage == "corrupt-index":
        for path in index_dir.glob("*.faiss"):
            path.write_bytes(b"\x00garbage" * 64)
        for path in index_dir.glob("*.catalog.pkl"):
            path.write_bytes(b"not a pickle")
    elif damage == "corrupt-store":
        (index_dir / "vectors.sqlite").write_bytes(b"this is not a database" * 200)
        for suffix in ("-wal", "-shm"):
            (index_dir / f"vectors.sqlite{suffix}").unlink(missing_ok=True)
    else:
        cache = tmp_path / "cache.sqlite"
        cache.write_bytes(b"this is not a database" * 200)
        monkeypatch.setenv("PORTAL_EMBED_CACHE", str(cache))
    hits = matchmaking.search_scenarios(ANONYMOUS, "红绿灯配时 拥堵", session=session, k=1)
    assert hits[0].scenario.id == traffic.id
    assert matchmaking.portal_engine().engine.count("scenario") == 2


def test_publishing_tells_the_matching_vendors(session, world, market):
    """ "New recommended scenario": vendors whose offers share the sector hear about it, others don't."""
    from sqlmodel import select

    from portal.models import Notification

    sc = scenario_in(
        session,
        world,
        ScenarioStatus.SUBMITTED,
        owner=world.dept_b,
        **dict(TRAFFIC, title="遵义市区路口信号配时优化"),
    )
    scenarios.publish_scenario(world.authority.actor, sc.id, session=session)
    told = matchmaking.announce_published(world.authority.actor, sc.id, session=session)
    session.commit()
    rows = session.exec(select(Notification).where(Notification.kind == "recommended")).all()
    assert told == 1
    assert {r.user_id for r in rows} == {world.vendor_x.user.id}
    with pytest.raises(PermissionDenied):
        matchmaking.announce_published(world.dept_b.actor, sc.id, session=session)


def test_the_authority_sees_and_rebuilds_the_index(session, world, market):
    from sqlmodel import select

    from portal.models import AuditEvent

    with pytest.raises(PermissionDenied):
        matchmaking.index_status(world.dept_a.actor)
    matchmaking.search_scenarios(ANONYMOUS, "交通", session=session)  # engine built
    status = matchmaking.index_status(world.authority.actor)
    assert (status.scenarios, status.offers) == (2, 2)
    matchmaking.rebuild_index(world.authority.actor, session=session)
    session.commit()
    assert session.exec(select(AuditEvent).where(AuditEvent.event == "index.rebuilt")).one().payload == {
        "scenarios": 2,
        "offers": 2,
    }
    with pytest.raises(PermissionDenied):
        matchmaking.rebuild_index(world.vendor_x.actor, session=session)


def test_free_text_finds_offers_across_languages_for_logged_in_users(session, world, market):
    from portal.domain.errors import NotAuthenticated

    _, _, o_traffic, o_elderly = market
    zh = matchmaking.search_offers(world.dept_a.actor, "独居老人跌倒报警", session=session, k=1)
    en = matchmaking.search_offers(
        world.dept_b.actor, "adaptive traffic signal control", session=session, k=1
    )
    assert zh[0].offer.id == o_elderly.id and en[0].offer.id == o_traffic.id
    with pytest.raises(NotAuthenticated):
        matchmaking.search_offers(ANONYMOUS, "交通", session=session)
