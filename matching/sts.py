"""Chinese STS benchmark: Spearman ×100 of cosine vs gold for an encoder.

Usage::

    python -m matching.sts ../shared/benchmarks/zh-sts [--encoder e5-small-q4]

prints ``{"STS-B": …, "SOHU-dd": …, "SOHU-dc": …}``. SOHU texts are cut to 400
characters (the protocol of the issue's table); both sides are embedded as
queries (symmetric task, ``query:`` prefix for e5).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from matching.encoders import Encoder, create_encoder

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "zh-sts"
SOHU_MAX_CHARS = 400


def read_tsv(path: str | Path) -> list[tuple[str, str, float]]:
    """Read ``sentence1<TAB>sentence2<TAB>score`` lines."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            out.append((parts[0], parts[1], float(parts[2])))
    return out


def read_jsonl(path: str | Path, max_chars: int = SOHU_MAX_CHARS) -> list[tuple[str, str, float]]:
    """Read SOHU ``{"sentence1", "sentence2", "label"}`` lines, texts cut to ``max_chars``."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append((d["sentence1"][:max_chars], d["sentence2"][:max_chars], float(d["label"])))
    return out


def spearman(encoder: Encoder, pairs: list[tuple[str, str, float]], batch: int = 64) -> float:
    """Spearman ×100 between cosine of the two sides and the gold score."""
    texts = [s for a, b, _ in pairs for s in (a, b)]
    vectors = np.concatenate(
        [encoder.encode_queries(texts[i : i + batch]) for i in range(0, len(texts), batch)]
    )
    cos = (vectors[0::2] * vectors[1::2]).sum(axis=1)
    return round(float(100 * spearmanr(cos, [g for _, _, g in pairs]).statistic), 2)


def run(directory: str | Path, encoder: Encoder) -> dict[str, float]:
    """Score ``encoder`` on the three test files in ``directory``."""
    directory = Path(directory)
    return {
        "STS-B": spearman(encoder, read_tsv(directory / "STS-B.test.tsv")),
        "SOHU-dd": spearman(encoder, read_jsonl(directory / "SOHU-dd.test.jsonl")),
        "SOHU-dc": spearman(encoder, read_jsonl(directory / "SOHU-dc.test.jsonl")),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.sts", description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=str(DEFAULT_DIR))
    parser.add_argument("--encoder", default=None, help="PORTAL_EMBEDDER value (default: env or e5-small-q4)")
    args = parser.parse_args(argv)
    try:
        encoder = create_encoder(args.encoder)
        print(json.dumps(run(args.directory, encoder)))
    except (ValueError, FileNotFoundError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
