"""Latency, build time, IVF recall and memory at 10k / 100k / 1M stored offers.

    python -m benchmarks.latency [--sizes 10000,100000,1000000] [--queries 50]

Synthetic at scale (embedding 100k real texts takes hours): offer vectors are the
real embeddings of the development-set offers plus Gaussian noise (renormalised),
token counts are drawn (Zipf) from the development-set vocabulary, and sectors,
regions and statuses are random. Queries, the stored scenario and the updated
record are real text through the real encoder. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from matching.engine import EngineConfig, MatchingEngine
from matching.evaluate import DEFAULT_DOMAIN, read_jsonl, to_record
from matching.index import VectorIndex
from matching.records import Filters, Record

EVAL = Path(__file__).resolve().parents[1] / "data" / "eval"
SECTORS = ["smart-transport", "smart-health", "eco-environment", "gov-services", "smart-elderly", "city-ops"]
REGIONS = ["province", "guiyang", "zunyi", "anshun", "bijie"]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def pct(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        "p50_ms": round(1000 * statistics.median(values), 2),
        "p95_ms": round(1000 * values[int(0.95 * (len(values) - 1))], 2),
    }


def populate(engine: MatchingEngine, n: int, rng: np.random.Generator) -> float:
    """Load ``n`` synthetic offers straight into the offer shard; returns index build seconds."""
    corpus = [
        to_record(r, i + 1, "offer") for i, r in enumerate(read_jsonl(EVAL / "scenario_offer.corpus.jsonl"))
    ]
    base = engine.encoder.encode_passages([engine._text(r) for r in corpus])
    vocab = Counter()
    for r in corpus:
        vocab.update(engine._terms(r))
    words = [w for w, _ in vocab.most_common()]
    weights = 1.0 / np.arange(1, len(words) + 1)
    weights /= weights.sum()
    pick = rng.integers(0, len(base), n)
    vectors = base[pick] + rng.normal(scale=0.02, size=(n, base.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(1, n + 1, dtype=np.int64)
    started = time.perf_counter()
    index = VectorIndex.build(ids, vectors, engine.encoder.dim, engine.config.exact_max, engine.config.nprobe)
    build = time.perf_counter() - started
    shard = engine._shards["offer"]
    shard.index = index
    draws = rng.choice(len(words), size=(n, 12), p=weights)
    for i in range(n):
        rec = Record(
            int(ids[i]),
            "offer",
            f"offer {i}",
            sectors=(SECTORS[i % 6],),
            regions=(REGIONS[i % 5],),
            status="published" if i % 10 else "hidden",
        )
        shard.catalog.put(rec, Counter(words[j] for j in draws[i]))
        shard.hashes[int(ids[i])] = "synthetic"
    return build


def ivf_recall(index: VectorIndex, queries: np.ndarray, k: int = 10) -> float | None:
    if not index.approximate:
        return None
    ids = index.all_ids()
    exact = VectorIndex.build(ids, index.reconstruct(ids), index.dim, exact_max=len(ids) + 1)
    hits = 0
    for q in queries:
        hits += len(set(index.search(q, k)[1]) & set(exact.search(q, k)[1]))
    return round(hits / (k * len(queries)), 4)


def run(n: int, n_queries: int) -> dict:
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        engine = MatchingEngine(EngineConfig(Path(tmp), domain_dict=DEFAULT_DOMAIN, persist_every=10**9))
        build = populate(engine, n, rng)
        scenarios = [
            to_record(r, i + 1, "scenario")
            for i, r in enumerate(read_jsonl(EVAL / "scenario_offer.queries.jsonl"))
        ]
        engine.upsert(scenarios)
        texts = [engine._text(s) for s in scenarios]
        out: dict = {
            "offers": n,
            "index": "IVF" if engine._shards["offer"].index.approximate else "exact",
            "index_build_s": round(build, 2),
        }
        engine.recommend_offers(1)  # warm-up
        times = []
        for i in range(n_queries):
            started = time.perf_counter()
            engine.recommend_offers(scenarios[i % len(scenarios)].id, k=10)
            times.append(time.perf_counter() - started)
        out["recommend_offers"] = pct(times)
        filt = Filters(
            statuses=("published",), regions=("guiyang",), sectors=("smart-transport", "smart-health")
        )
        times = []
        for i in range(n_queries):
            started = time.perf_counter()
            engine.recommend_offers(scenarios[i % len(scenarios)].id, k=10, filters=filt)
            times.append(time.perf_counter() - started)
        out["recommend_offers_filtered"] = pct(times)
        times = []
        for i in range(n_queries):
            started = time.perf_counter()
            engine.search(scenarios[i % len(scenarios)].title, "offer", k=10)
            times.append(time.perf_counter() - started)
        out["free_text_search_end_to_end"] = pct(times)
        times = []
        for i in range(10):
            rec = Record(
                n + 1 + i,
                "offer",
                "新的智慧交通信号控制方案",
                texts[i % len(texts)] * 3,
                sectors=("smart-transport",),
                regions=("guiyang",),
            )
            started = time.perf_counter()
            engine.upsert([rec])
            times.append(time.perf_counter() - started)
        out["single_record_upsert_incl_embedding"] = pct(times)
        started = time.perf_counter()
        engine.flush()
        out["persist_s"] = round(time.perf_counter() - started, 2)
        queries = engine.encoder.encode_queries([s.title for s in scenarios])
        out["ivf_recall@10"] = ivf_recall(engine._shards["offer"].index, queries)
        out["rss_mb"] = rss_mb()
        out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        engine.close()
    return out


def rebuild(n: int) -> dict:
    """Start-up cost: sync of ``n`` stored records without embedding, and reopen."""
    with tempfile.TemporaryDirectory() as tmp:
        config = EngineConfig(Path(tmp), domain_dict=DEFAULT_DOMAIN)
        engine = MatchingEngine(config)
        corpus = [
            to_record(r, i + 1, "offer")
            for i, r in enumerate(read_jsonl(EVAL / "scenario_offer.corpus.jsonl"))
        ]
        engine.upsert(corpus)
        from matching.store import StoredVector

        vec = engine.store.get(engine.encoder.model_id, "offer", [1])[1]
        extra = [Record(1000 + i, "offer", f"方案{i}", corpus[i % 150].description) for i in range(n)]
        engine.store.put(
            engine.encoder.model_id, "offer", [StoredVector(r.id, "x", vec.vector, r) for r in extra]
        )
        engine.close()
        for path in Path(tmp).glob("*.faiss"):
            path.unlink()
        started = time.perf_counter()
        engine = MatchingEngine(config)
        from_store = time.perf_counter() - started
        engine.close()
        started = time.perf_counter()
        engine = MatchingEngine(config)
        from_snapshot = time.perf_counter() - started
        engine.close()
    return {
        "records": n + 150,
        "rebuild_from_store_s": round(from_store, 2),
        "reopen_from_snapshot_s": round(from_snapshot, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--rebuild", type=int, default=10000)
    args = parser.parse_args()
    results = []
    for n in map(int, args.sizes.split(",")):
        results.append(run(n, args.queries))
        print(json.dumps(results[-1]), flush=True)
    out = {"runs": results}
    if args.rebuild:
        out["rebuild"] = rebuild(args.rebuild)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
