"""How much stored-vector compression changes matching: ``python -m benchmarks.vector_codec``.

Reads the shipped demo embeddings (``data/demo/embeddings.*.npz``, real e5 vectors of the demo
scenarios and offers) and compares float32 with each codec of ``matching.codec``: the cosine between
a vector and its decoded copy, the error of pairwise cosines, and how many of each vector's 10
nearest neighbours stay the same. Prints one JSON line per codec.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from matching.codec import CODECS, decode_many, encode

ROOT = Path(__file__).resolve().parents[1]


def measure(vectors: np.ndarray, codec: str, k: int = 10) -> dict:
    n, dim = vectors.shape
    decoded = decode_many([encode(v, codec) for v in vectors], codec, dim)
    self_cos = np.sum(vectors * decoded, axis=1)
    exact, approx = vectors @ vectors.T, decoded @ decoded.T
    np.fill_diagonal(exact, -np.inf)
    np.fill_diagonal(approx, -np.inf)
    top_e = np.argsort(-exact, axis=1)[:, :k]
    top_a = np.argsort(-approx, axis=1)[:, :k]
    overlap = np.mean([len(set(a) & set(b)) / k for a, b in zip(top_e, top_a, strict=True)])
    same_first = float(np.mean(top_e[:, 0] == top_a[:, 0]))
    finite = np.isfinite(exact)
    err = np.abs(exact[finite] - approx[finite])
    return {
        "codec": codec,
        "vectors": n,
        "bytes_per_vector": len(encode(vectors[0], codec)),
        "float32_bytes": 4 * dim,
        "self_cosine_min": round(float(self_cos.min()), 6),
        "self_cosine_mean": round(float(self_cos.mean()), 6),
        "pair_cosine_err_max": round(float(err.max()), 6),
        "pair_cosine_err_mean": round(float(err.mean()), 7),
        f"top{k}_overlap": round(float(overlap), 4),
        "same_nearest": round(same_first, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=None, help="an embeddings .npz (default: the shipped e5 demo file)")
    args = parser.parse_args()
    path = Path(args.file) if args.file else sorted((ROOT / "data" / "demo").glob("embeddings.*.npz"))[0]
    with np.load(path, allow_pickle=False) as data:
        vectors = data["vectors"].astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for codec in CODECS:
        print(json.dumps({"file": path.name, **measure(vectors, codec)}))


if __name__ == "__main__":
    main()
