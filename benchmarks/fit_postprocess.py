"""Regenerate ``matching/e5_abtt.npz`` (all-but-the-top for e5-small-q4).

Fitted on STS-B **train** only: the mean and principal directions come from 4,000
sampled train sentences; the number of removed directions (1–5) is the one that
maximises Spearman on 1,000 train pairs. No test file is read.

Usage::

    python -m benchmarks.fit_postprocess [--train ../shared/benchmarks/zh-sts/STS-B.train.tsv]

Prints a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from scipy.stats import spearmanr

from matching.encoders import ABTT_PATH, E5SmallQ4Encoder
from matching.postprocess import AllButTheTop
from matching.sts import DEFAULT_DIR, read_tsv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", default=str(DEFAULT_DIR / "STS-B.train.tsv"))
    parser.add_argument("--sentences", type=int, default=4000)
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--out", default=str(ABTT_PATH))
    args = parser.parse_args()

    started = time.perf_counter()
    pairs = read_tsv(args.train)
    rng = random.Random(0)
    rng.shuffle(pairs)
    held_out, rest = pairs[: args.pairs], pairs[args.pairs :]
    sentences = sorted({s for a, b, _ in rest for s in (a, b)})
    rng.shuffle(sentences)
    sentences = sentences[: args.sentences]

    encoder = E5SmallQ4Encoder(None, max_tokens=None)
    fit_vectors = encoder.encode_queries(sentences)
    left = encoder.encode_queries([a for a, _, _ in held_out])
    right = encoder.encode_queries([b for _, b, _ in held_out])
    gold = [g for _, _, g in held_out]

    def score(post: AllButTheTop | None) -> float:
        a, b = (left, right) if post is None else (post.apply(left), post.apply(right))
        return float(100 * spearmanr((a * b).sum(1), gold).statistic)

    results = {"raw": round(score(None), 2)}
    best, best_n = None, 0
    for n in range(1, 6):
        post = AllButTheTop.fit(fit_vectors, n)
        results[f"abtt-{n}"] = round(score(post), 2)
        if best is None or results[f"abtt-{n}"] > results[f"abtt-{best_n}"]:
            best, best_n = post, n
    assert best is not None
    best.save(args.out)
    print(
        json.dumps(
            {
                "out": args.out,
                "n_components": best_n,
                "fit_sentences": len(sentences),
                "held_out_train_pairs_spearman": results,
                "seconds": round(time.perf_counter() - started, 1),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
