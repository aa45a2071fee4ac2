"""Stored vectors on the active backend (SQLite file, or PostgreSQL under scripts/with-postgres.sh).

The claim protocol between holders, what the engine does with a claim another holder has, the
compact codecs against float32 on the demo embeddings, ``reindex`` and backup/restore of the vectors.
The multi-process proofs are in ``tests/trust/test_vectors.py`` (PostgreSQL).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func
from sqlmodel import select

from matching import EngineConfig, MatchingEngine, Record, create_encoder
from matching.codec import decode_many, encode, roundtrip
from matching.store import StoredVector
from portal import cli
from portal.config import DATA_DIR
from portal.models import RecordVector, VectorModel
from portal.services import scenarios
from portal.services.backup import backup_database, restore_database
from portal.services.vector_store import DatabaseVectorStore
from tests.factories import scenario_data

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def use_m3():
    return create_encoder("use-m3")


def _url(engine) -> str:  # type: ignore[no-untyped-def]
    return engine.url.render_as_string(hide_password=False)


def _records(n: int, offset: int = 0) -> list[Record]:
    titles = ["智慧停车诱导平台", "独居老人智能看护", "茶园病虫害图像识别", "景区客流预测", "煤矿人员定位"]
    return [
        Record(
            id=offset + i + 1,
            kind="offer",
            title=f"{titles[i % 5]}（方案{offset + i}）",
            description="方案说明",
        )
        for i in range(n)
    ]


def test_float16_and_int8_agree_with_float32_on_the_demo_embeddings():
    path = sorted((DATA_DIR / "demo").glob("embeddings.*.npz"))[0]
    with np.load(path) as data:
        vectors = data["vectors"].astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact = vectors @ vectors.T
    for codec, tolerance in (("f16", 1e-3), ("i8", 5e-3)):
        decoded = decode_many([encode(v, codec) for v in vectors], codec, vectors.shape[1])
        assert np.all(np.sum(vectors * decoded, axis=1) > 0.9999)
        assert np.abs(decoded @ decoded.T - exact).max() < tolerance
        assert np.allclose(decoded[0], roundtrip(vectors[0], codec))
    assert len(encode(vectors[0], "f16")) == 2 * vectors.shape[1]


def test_a_claim_is_granted_once_until_stored_or_expired(engine):
    a = DatabaseVectorStore(_url(engine), holder="A", lease_s=0.5)
    b = DatabaseVectorStore(_url(engine), holder="B", lease_s=0.5)
    try:
        assert a.claim("m", "offer", {1: "h1", 2: "h2"}) == {1, 2}
        assert b.claim("m", "offer", {1: "h1", 2: "h2", 3: "h3"}) == {3}
        assert a.claim("m", "offer", {1: "h1"}) == {1}  # a holder may renew its own claim
        a.put("m", "offer", [StoredVector(1, "h1", np.ones(4, dtype=np.float32) / 2, None)])
        assert {lease.record_id for lease in a.leases("m")} == {2, 3}  # storing gave claim 1 back
        got = b.get("m", "offer", [1, 2])
        assert list(got) == [1] and got[1].content_hash == "h1"
        assert np.allclose(got[1].vector, 0.5)
        time.sleep(0.6)
        assert b.claim("m", "offer", {2: "h2"}) == {2}  # A's claim expired: its work is taken over
        b.release("m", "offer", [2, 3])
        assert a.leases("m") == []
        a.delete("m", "offer", [1])
        assert a.get("m", "offer", [1]) == {}
    finally:
        a.dispose()
        b.dispose()


def test_engines_sharing_the_database_embed_each_record_once(engine, tmp_path, use_m3):
    def make(name: str, lease_s: float = 30) -> MatchingEngine:
        store = DatabaseVectorStore(_url(engine), holder=name, lease_s=lease_s)
        return MatchingEngine(EngineConfig(tmp_path / name), encoder=use_m3, store=store)

    first, second = make("first"), make("second")
    try:
        records = _records(10)
        assert first.upsert(records) == 10
        assert second.upsert(records) == 0  # loaded, not embedded
        q = "智慧停车"
        assert [(m.id, m.score) for m in first.search(q, "offer")] == [
            (m.id, m.score) for m in second.search(q, "offer")
        ]

        crashed = DatabaseVectorStore(_url(engine), holder="crashed", lease_s=0.5)
        fresh = _records(4, offset=100)
        assert crashed.claim(use_m3.model_id, "offer", {r.id: "x" for r in fresh}) == {r.id for r in fresh}
        assert second.upsert(fresh) == 0  # someone else holds the claims
        assert second.waiting("offer") == 4 and second.missing_vectors("offer") == 4
        assert {m.id for m in second.search("景区客流预测", "offer", k=20)} & {r.id for r in fresh}  # lexical
        time.sleep(0.6)
        assert second.collect() == 4  # the lease expired: embedded here
        assert second.embedded_texts == 4 and second.missing_vectors("offer") == 0
        assert first.upsert(fresh) == 0
        crashed.dispose()
    finally:
        first.close()
        second.close()
        first.store.dispose()
        second.store.dispose()


def test_reindex_embeds_once_and_backup_restore_keeps_the_vectors(
    engine, session, world, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("PORTAL_VAR_DIR", str(tmp_path / "var"))
    for title in ("黔东南州古建筑火灾智能预警", "遵义市红色旅游景区客流预测"):
        scenarios.create_scenario(world.dept_a.actor, scenario_data(title=title), session=session)
    session.commit()
    assert cli.main(["reindex"]) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert first["missing"] == 0 and first["scenarios"] == 2
    assert cli.main(["reindex"]) == 0
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["embedded"] == 0  # everything was stored
    assert session.exec(select(VectorModel.state)).all() == ["ready"]

    count = select(func.count()).select_from(RecordVector)
    stored = session.exec(count).one()
    assert stored == 2
    blobs = sorted(session.exec(select(RecordVector.vector)).all())
    report = backup_database(_url(engine), tmp_path / "backup" / "portal.bak")
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM record_vector")
    session.close()
    engine.dispose()
    restore_database(_url(engine), report.path)
    with engine.connect() as conn:
        assert conn.execute(count).scalar_one() == stored
        assert sorted(r[0] for r in conn.execute(select(RecordVector.vector))) == blobs
