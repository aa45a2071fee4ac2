"""Measurement entry points and the acceptance figures on the development sets."""

from __future__ import annotations

import json

from matching import evaluate, sts
from matching.engine import MatchingEngine
from tests.matching.support import ROOT, SECTORS, make_config

EVAL = ROOT / "data" / "eval"


def _run(name: str, kind: str, tmp_path, encoder) -> dict:
    engine = MatchingEngine(make_config(tmp_path), encoder=encoder)
    try:
        return evaluate.evaluate(
            evaluate.read_jsonl(EVAL / f"{name}.queries.jsonl"),
            evaluate.read_jsonl(EVAL / f"{name}.corpus.jsonl"),
            evaluate.read_jsonl(EVAL / f"{name}.qrels.jsonl"),
            kind=kind,
            engine=engine,
        )
    finally:
        engine.close()


def test_english_to_chinese_search_ndcg(tmp_path, encoder):
    result = _run("en_zh", "scenario", tmp_path, encoder)
    assert result["ndcg@10"] >= 0.95
    assert result["ndcg@10"] > result["baseline"]["ndcg@10"]


def test_scenario_to_offer_beats_bm25(tmp_path, encoder):
    result = _run("scenario_offer", "offer", tmp_path, encoder)
    assert result["ndcg@10"] > result["baseline"]["ndcg@10"]
    assert result["recall@5"] >= result["baseline"]["recall@5"]


def test_evaluate_cli_prints_the_documented_json(tmp_path, capsys):
    rows = [
        {"id": "d1", "title": "路口信号配时", "description": "缓解拥堵", "sector": "smart-transport"},
        {"id": "d2", "title": "互联网医院", "description": "在线问诊", "sectors": ["smart-health"]},
    ]
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    (tmp_path / "q.jsonl").write_text(
        json.dumps({"id": "q", "title": "online consultation", "description": ""})
    )
    (tmp_path / "r.jsonl").write_text(json.dumps({"query": "q", "doc": "d2", "grade": 2}))
    code = evaluate.main(
        [
            "--queries",
            str(tmp_path / "q.jsonl"),
            "--corpus",
            str(tmp_path / "c.jsonl"),
            "--qrels",
            str(tmp_path / "r.jsonl"),
            "--domain-dict",
            str(SECTORS),
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(out) == {"ndcg@10", "recall@5", "mrr", "baseline"}
    assert out["mrr"] == 1.0 and set(out["baseline"]) == {"ndcg@10", "recall@5", "mrr"}


def test_evaluate_cli_reports_errors_cleanly(tmp_path, capsys):
    code = evaluate.main(["--queries", "nope", "--corpus", "nope", "--qrels", "nope"])
    assert code == 2 and "error" in capsys.readouterr().err


def test_metrics():
    grades = {"a": 2, "b": 1}
    assert evaluate.ndcg(["a", "b"], grades) == 1.0
    assert evaluate.ndcg(["x", "a"], grades) < 1.0
    assert evaluate.recall(["x", "a"], grades) == 0.5
    assert evaluate.mrr(["x", "b"], grades) == 0.5


def test_sts_cli_on_small_files(tmp_path, capsys):
    pairs = [
        ("一个男人在弹吉他。", "一个人在弹吉他。", 4),
        ("一只猫在睡觉。", "股市今天大涨。", 0),
        ("女孩在跳舞。", "一个女孩在跳舞。", 5),
        ("男人在做饭。", "男人在切菜。", 3),
    ]
    (tmp_path / "STS-B.test.tsv").write_text("\n".join(f"{a}\t{b}\t{g}" for a, b, g in pairs))
    lines = [
        json.dumps({"sentence1": a, "sentence2": b, "label": g}, ensure_ascii=False) for a, b, g in pairs
    ]
    for name in ("SOHU-dd", "SOHU-dc"):
        (tmp_path / f"{name}.test.jsonl").write_text("\n".join(lines))
    assert sts.main([str(tmp_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"STS-B", "SOHU-dd", "SOHU-dc"}
    assert out["STS-B"] > 50
    assert sts.main([str(tmp_path), "--encoder", "nope"]) == 2
