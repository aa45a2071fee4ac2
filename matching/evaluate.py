"""Rank a labelled corpus with the portal's pipeline and score it.

Usage::

    python -m matching.evaluate --queries Q.jsonl --corpus C.jsonl --qrels R.jsonl [--k 10]

prints ``{"ndcg@10": …, "recall@5": …, "mrr": …, "baseline": {…BM25 alone…}}``.

Records: ``{"id", "title", "description"}`` plus optional ``sector``/``region``
(strings) or ``sectors``/``regions`` (lists), optional ``language``; qrels:
``{"query", "doc", "grade"}`` with grade 0–2. Corpus records are stored as
``--kind`` (default ``offer``) through :meth:`MatchingEngine.sync` (embedded as
passages); each query is run through :meth:`MatchingEngine.search` (embedded as a
query) with the query record as context for the structured signals. The baseline
is ``bm25s`` over the same jieba tokens.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matching.engine import EngineConfig, MatchingEngine
from matching.records import Kind, Record

DEFAULT_DOMAIN = Path(__file__).resolve().parents[1] / "data" / "taxonomies" / "sectors.json"


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Read one JSON object per non-empty line."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def to_record(row: Mapping[str, Any], id_: int, kind: Kind) -> Record:
    """Convert an evaluation row to a :class:`Record`."""

    def codes(single: str, plural: str) -> tuple[str, ...]:
        if row.get(plural):
            return tuple(row[plural])
        return (row[single],) if row.get(single) else ()

    return Record(
        id=id_,
        kind=kind,
        title=row.get("title", ""),
        description=row.get("description", ""),
        sectors=codes("sector", "sectors"),
        regions=codes("region", "regions"),
        language=row.get("language"),
    )


def ndcg(ranked: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with gains ``2**grade - 1``."""
    dcg = sum((2 ** grades.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: Sequence[str], grades: Mapping[str, int], k: int = 5) -> float:
    """Share of relevant (grade > 0) documents in the top ``k``."""
    relevant = {d for d, g in grades.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr(ranked: Sequence[str], grades: Mapping[str, int]) -> float:
    """Reciprocal rank of the first relevant document (0 if none is ranked)."""
    for i, d in enumerate(ranked):
        if grades.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def score_runs(
    runs: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]], k: int
) -> dict[str, float]:
    """Mean nDCG@k, recall@5 and MRR over the judged queries."""
    judged = [q for q in runs if q in qrels]
    n = max(len(judged), 1)
    return {
        f"ndcg@{k}": round(sum(ndcg(runs[q], qrels[q], k) for q in judged) / n, 4),
        "recall@5": round(sum(recall(runs[q], qrels[q]) for q in judged) / n, 4),
        "mrr": round(sum(mrr(runs[q], qrels[q]) for q in judged) / n, 4),
    }


def query_text(row: Mapping[str, Any]) -> str:
    """Title and description of a query row."""
    return "\n".join(p for p in (row.get("title", ""), row.get("description", "")) if p)


def evaluate(
    queries: list[dict[str, Any]],
    corpus: list[dict[str, Any]],
    qrels_rows: list[dict[str, Any]],
    k: int = 10,
    kind: Kind = "offer",
    engine: MatchingEngine | None = None,
    config: EngineConfig | None = None,
) -> dict[str, Any]:
    """Run the pipeline and the BM25 baseline; return the metrics dict.

    ``engine`` may be given (already built; its ``kind`` store is replaced by
    the corpus through :meth:`MatchingEngine.sync`).
    """
    qrels: dict[str, dict[str, int]] = {}
    for row in qrels_rows:
        qrels.setdefault(str(row["query"]), {})[str(row["doc"])] = int(row["grade"])
    doc_ids = [str(row["id"]) for row in corpus]
    records = [to_record(row, i + 1, kind) for i, row in enumerate(corpus)]
    depth = max(k, 100)
    other: Kind = "scenario" if kind == "offer" else "offer"
    with tempfile.TemporaryDirectory() as tmp:
        owned = engine is None
        if engine is None:
            engine = MatchingEngine(config or EngineConfig(Path(tmp), domain_dict=DEFAULT_DOMAIN))
        engine.sync(kind, records)
        runs: dict[str, list[str]] = {}
        for row in queries:
            context = to_record(row, 0, other)
            matches = engine.search(query_text(row), kind, k=depth, context=context)
            runs[str(row["id"])] = [doc_ids[m.id - 1] for m in matches]
        baseline_runs = bm25_baseline(engine, queries, corpus, depth)
        if owned:
            engine.close()
    result: dict[str, Any] = score_runs(runs, qrels, k)
    result["baseline"] = score_runs(baseline_runs, qrels, k)
    return result


def bm25_baseline(
    engine: MatchingEngine, queries: list[dict[str, Any]], corpus: list[dict[str, Any]], depth: int
) -> dict[str, list[str]]:
    """BM25 alone (``bm25s``, same jieba tokens as the engine)."""
    import bm25s

    tokenize = engine.tokenizer.tokenize
    texts = [tokenize(query_text(row)) for row in corpus]
    retriever = bm25s.BM25()
    retriever.index(texts, show_progress=False)
    runs = {}
    for row in queries:
        tokens = [t for t in tokenize(query_text(row)) if t in retriever.vocab_dict]
        if not tokens:
            runs[str(row["id"])] = []
            continue
        docs, scores = retriever.retrieve([tokens], k=min(depth, len(corpus)), show_progress=False)
        runs[str(row["id"])] = [
            str(corpus[int(d)]["id"]) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--queries", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--qrels", required=True)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--kind", choices=("offer", "scenario"), default="offer")
    parser.add_argument("--encoder", default=None, help="PORTAL_EMBEDDER value (default: env or e5-small-q4)")
    parser.add_argument("--domain-dict", default=str(DEFAULT_DOMAIN))
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = EngineConfig(Path(tmp), embedder=args.encoder, domain_dict=Path(args.domain_dict))
            result = evaluate(
                read_jsonl(args.queries),
                read_jsonl(args.corpus),
                read_jsonl(args.qrels),
                k=args.k,
                kind=args.kind,
                config=config,
            )
    except (OSError, ValueError, KeyError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
