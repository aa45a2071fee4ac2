"""Long texts: truncation to a token budget vs chunking (windowed mean), quality and speed.

Uses SOHU-dc (short query vs long document, full texts, not cut) — the first
``--pairs`` pairs — and the scenario→offer development set.

    python -m benchmarks.long_text [--pairs 150]

Prints JSON: Spearman ×100 and long texts/s per mode.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy.stats import spearmanr

from matching.encoders import ABTT_PATH, E5SmallQ4Encoder
from matching.postprocess import AllButTheTop
from matching.sts import DEFAULT_DIR, read_jsonl


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=150)
    args = parser.parse_args()
    pairs = read_jsonl(DEFAULT_DIR / "SOHU-dc.test.jsonl", max_chars=10**9)[: args.pairs]
    post = AllButTheTop.load(ABTT_PATH)
    out = {"pairs": len(pairs), "mean_chars_long_side": round(float(np.mean([len(b) for _, b, _ in pairs])))}
    shorts = None
    for name, budget in (
        ("truncate-128", 128),
        ("truncate-256", 256),
        ("truncate-512", 512),
        ("chunk-all (windows of 510, mean)", None),
    ):
        enc = E5SmallQ4Encoder(post, max_tokens=budget)
        if shorts is None:
            shorts = enc.encode_queries([a for a, _, _ in pairs])
        started = time.perf_counter()
        longs = np.concatenate(
            [enc.encode_passages([b for _, b, _ in pairs[i : i + 16]]) for i in range(0, len(pairs), 16)]
        )
        seconds = time.perf_counter() - started
        rho = spearmanr((shorts * longs).sum(1), [g for _, _, g in pairs]).statistic
        out[name] = {
            "spearman": round(100 * float(rho), 2),
            "long_texts_per_s": round(len(pairs) / seconds, 2),
        }
        print(name, out[name], flush=True)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
