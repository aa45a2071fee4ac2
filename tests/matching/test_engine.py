"""Engine: every direction, filters, updates, persistence, concurrency."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest

from matching.engine import MatchingEngine
from matching.records import Filters, Record
from tests.matching.support import OFFERS, SCENARIOS, TODAY, CountingEncoder, make_config


def ids(matches):
    return [m.id for m in matches]


def test_scenario_to_offers_ranks_the_right_offer_first_with_reasons(engine):
    matches = engine.recommend_offers(11, k=3)
    assert matches[0].id == 1
    reasons = matches[0].reasons
    assert reasons.signals["sector"] == 1.0 and reasons.signals["region"] == 1.0
    assert reasons.signals["budget"] == 1.0  # price 80 within budget 100
    assert "信号" in reasons.shared_terms or "拥堵" in reasons.shared_terms
    assert all(m.kind == "offer" for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_offer_and_vendor_to_scenarios(engine):
    assert engine.recommend_scenarios(2, k=1)[0].id == 12
    # A vendor (org 101) with two offers: traffic and elderly care.
    top2 = set(ids(engine.recommend_scenarios([1, 6], k=2)))
    assert top2 == {11, 14}


def test_free_text_chinese_and_english(engine):
    assert engine.search("在线问诊和电子处方", "offer", k=1)[0].id == 2
    assert engine.search("adaptive traffic light timing", "offer", k=1)[0].id == 1
    assert engine.search("fall detection for elderly people living alone", "scenario", k=1)[0].id == 14
    assert engine.search("停车位紧张", "scenario", k=1)[0].id == 15


def test_similar_scenarios_for_draft_text_and_stored_record(engine):
    draft = "我们想优化路口信号灯配时，解决高峰拥堵"
    assert engine.similar_scenarios(draft, k=1)[0].id == 11
    stored = engine.get("scenario", 11)
    assert 11 not in ids(engine.similar_scenarios(stored, k=4))
    assert 15 not in ids(engine.similar_scenarios(stored, k=4, exclude_ids=(15,)))


def test_unknown_stored_id_raises(engine):
    with pytest.raises(KeyError):
        engine.recommend_offers(999)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(statuses=("draft",)), {13}),
        (Filters(sectors=("smart-transport",)), {11, 15}),
        (Filters(regions=("guiyang",)), {11, 14}),
        (Filters(open_on=TODAY), {11, 13, 14, 15}),
        (Filters(vendor_id=102), {11, 12, 13, 15}),
        (Filters(vendor_id=101), {11, 12, 13, 14, 15}),
        (Filters(owner_ids=(2,)), {12, 15}),
        (Filters(exclude_ids=(11, 12)), {13, 14, 15}),
    ],
)
def test_scenario_filters_apply_inside_search(engine, filters, expected):
    got = set(ids(engine.search("智慧城市解决方案", "scenario", k=10, filters=filters)))
    assert got == expected


def test_offer_filters_province_wide_vendors_serve_every_region(engine):
    got = set(ids(engine.search("系统", "offer", k=10, filters=Filters(regions=("guiyang",)))))
    assert got == {1, 2, 5, 6}  # 1 and 5 are province-wide
    got = set(ids(engine.search("系统", "offer", k=10, filters=Filters(verified_only=True))))
    assert 3 not in got and len(got) == 5
    got = ids(engine.search("系统", "offer", k=10, filters=Filters(exclude_owner_ids=(101,))))
    assert set(got) == {2, 3, 4, 5}


def test_filtered_search_returns_k_when_enough_records_pass(engine):
    # The only smart-health offer ranks low for this query; it must still come back.
    got = engine.search("路口信号配时", "offer", k=1, filters=Filters(sectors=("smart-health",)))
    assert ids(got) == [2]


def test_update_reembeds_only_changed_content(engine, counting):
    before = counting.passages
    offer = engine.get("offer", 4)
    engine.upsert([dataclasses.replace(offer, regions=("province",))])  # metadata only
    assert counting.passages == before
    assert 4 in ids(engine.search("水质", "offer", filters=Filters(regions=("guiyang",))))
    engine.upsert(
        [dataclasses.replace(offer, title="大气污染网格化监测", description="微型空气站监测VOCs。")]
    )
    assert counting.passages == before + 1
    assert engine.search("空气质量 VOCs", "offer", k=1)[0].id == 4
    assert engine.count("offer") == len(OFFERS)


def test_delete_removes_from_every_direction(engine):
    assert engine.delete("offer", [1, 999]) == 1
    assert 1 not in ids(engine.recommend_offers(11, k=10))
    assert 1 not in ids(engine.search("信号配时", "offer", k=10))
    assert engine.count("offer") == len(OFFERS) - 1
    with pytest.raises(KeyError):
        engine.recommend_scenarios(1)


def test_restart_and_rebuild_never_reembed(tmp_path, encoder):
    first = CountingEncoder(encoder)
    eng = MatchingEngine(make_config(tmp_path), encoder=first)
    eng.upsert(OFFERS + SCENARIOS)
    expected = ids(eng.recommend_offers(11, k=3))
    eng.close()
    assert first.passages == len(OFFERS) + len(SCENARIOS)

    again = CountingEncoder(encoder)
    eng = MatchingEngine(make_config(tmp_path), encoder=again)
    report = eng.sync("offer", OFFERS)
    assert (report.added, report.updated, report.removed, report.embedded) == (0, 0, 0, 0)
    assert ids(eng.recommend_offers(11, k=3)) == expected
    eng.close()

    for path in tmp_path.glob("*.faiss"):  # lost index: rebuilt from the vector store
        path.unlink()
    eng = MatchingEngine(make_config(tmp_path), encoder=again)
    assert eng.count("offer") == len(OFFERS) and eng.count("scenario") == len(SCENARIOS)
    assert ids(eng.recommend_offers(11, k=3)) == expected
    eng.delete("offer", [2])  # store moves on; a stale snapshot must not be used
    eng._shards["offer"].index.save(tmp_path / "stale.faiss", {})
    eng.close()
    eng = MatchingEngine(make_config(tmp_path), encoder=again)
    assert 2 not in ids(eng.search("互联网医院", "offer"))
    eng.close()
    assert again.passages == 0


def test_sync_adds_updates_removes(engine, counting):
    before = counting.passages
    changed = dataclasses.replace(OFFERS[1], description="互联网医院在线复诊和处方流转。")
    new = Record(7, "offer", "景区客流监测", "景区实时客流统计和预警。", sectors=("smart-tourism",))
    report = engine.sync("offer", [OFFERS[0], changed, new])
    assert (report.added, report.updated, report.removed, report.embedded) == (1, 1, 4, 2)
    assert counting.passages == before + 2
    assert engine.count("offer") == 3


def test_model_change_reembeds_in_background_with_progress(tmp_path, encoder):
    eng = MatchingEngine(make_config(tmp_path), encoder=CountingEncoder(encoder))
    eng.upsert(OFFERS)
    eng.close()
    seen = []
    other = CountingEncoder(encoder, model_id="another-model")
    eng = MatchingEngine(make_config(tmp_path, embed_batch=2), encoder=other, progress=seen.append)
    report = eng.sync("offer", OFFERS, background=True)
    assert report.pending == len(OFFERS)
    # Lexical search serves while vectors are computed.
    assert eng.count("offer") == len(OFFERS)
    assert eng.wait(60)
    assert other.passages == len(OFFERS)
    assert seen[-1].done == seen[-1].total == len(OFFERS)
    assert len({p.done for p in seen}) > 2
    assert eng.search("信号配时", "offer", k=1)[0].id == 1
    eng.close()


def test_searches_run_while_writes_happen(engine):
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                got = engine.search("交通拥堵", "offer", k=3)
                assert got and len(set(ids(got))) == len(got)
                engine.recommend_offers(11, k=3)
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(20):
        rec = Record(100 + i, "offer", f"交通方案{i}", "路口信号优化与拥堵治理", sectors=("smart-transport",))
        engine.upsert([rec])
        if i % 2:
            engine.delete("offer", [100 + i - 1])
    stop.set()
    for t in threads:
        t.join()
    assert not errors
    assert engine.count("offer") == len(OFFERS) + 10


def test_deadline_signal_prefers_open_scenarios(engine):
    got = {m.id: m for m in engine.search("互联网医院", "scenario", k=5)}
    assert got[12].reasons.signals["deadline"] == 0.0  # closed on 2026-11-01
    assert got[11].reasons.signals["deadline"] == 1.0
    assert dt.date(2026, 11, 1) < TODAY
