"""Embedding throughput (texts/s) at ~50 and ~500 characters, per encoder.

    python -m benchmarks.throughput [--encoders e5-small-q4,use-m3] [--n 64]

Texts are cut from the development sets and SOHU-dc; prints JSON.
"""

from __future__ import annotations

import argparse
import json
import time

from matching.encoders import create_encoder
from matching.sts import DEFAULT_DIR, read_jsonl


def texts_of(chars: int, n: int) -> list[str]:
    longs = [b for _, b, _ in read_jsonl(DEFAULT_DIR / "SOHU-dc.test.jsonl", max_chars=10**9)]
    out = [t[:chars] for t in longs if len(t) >= chars]
    return out[:n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--encoders", default="e5-small-q4,e5-small-q4-full,use-m3")
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    result = {}
    for name in args.encoders.split(","):
        enc = create_encoder(name)
        enc.encode_passages(["预热"])
        row = {}
        for chars in (50, 500):
            texts = texts_of(chars, args.n)
            started = time.perf_counter()
            for i in range(0, len(texts), args.batch):
                enc.encode_passages(texts[i : i + args.batch])
            row[f"texts_per_s@{chars}chars"] = round(len(texts) / (time.perf_counter() - started), 1)
        result[name] = row
        print(name, row, flush=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
