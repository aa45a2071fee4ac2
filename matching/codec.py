"""Compact vector encodings for storage: ``f16`` (half floats) and ``i8`` (int8 with one scale).

Why: a 384-d float32 vector is 1,536 bytes; ``f16`` halves it with cosines agreeing to ~1e-4, ``i8``
quarters it (4 + dim bytes). Vectors are L2-normalised after decoding, so what a process loads is
what every other process loads (measured in ``benchmarks/vector_codec.py``, docs/matching.md).

Example:
    >>> import numpy as np
    >>> v = np.ones(4, dtype=np.float32) / 2
    >>> decode(encode(v, "f16"), "f16", 4).round(3).tolist()
    [0.5, 0.5, 0.5, 0.5]
"""

from __future__ import annotations

import numpy as np

CODECS = ("f16", "i8")
DEFAULT_CODEC = "f16"


def encode(vector: np.ndarray, codec: str = DEFAULT_CODEC) -> bytes:
    """Bytes of ``vector`` in ``codec``.

    Raises:
        ValueError: unknown codec.
    """
    v = np.asarray(vector, dtype=np.float32).ravel()
    if codec == "f16":
        return v.astype("<f2").tobytes()
    if codec == "i8":
        scale = float(np.abs(v).max()) / 127.0 or 1.0
        q = np.clip(np.rint(v / scale), -127, 127).astype(np.int8)
        return np.float32(scale).tobytes() + q.tobytes()
    raise ValueError(f"unknown vector codec {codec!r} (one of {', '.join(CODECS)})")


def decode(blob: bytes, codec: str, dim: int) -> np.ndarray:
    """The unit-length float32 vector stored in ``blob``.

    Raises:
        ValueError: unknown codec or a blob of the wrong size.
    """
    if codec == "f16":
        if len(blob) != 2 * dim:
            raise ValueError(f"f16 vector of {len(blob)} bytes, expected {2 * dim}")
        v = np.frombuffer(blob, dtype="<f2").astype(np.float32)
    elif codec == "i8":
        if len(blob) != 4 + dim:
            raise ValueError(f"i8 vector of {len(blob)} bytes, expected {4 + dim}")
        scale = np.frombuffer(blob[:4], dtype=np.float32)[0]
        v = np.frombuffer(blob[4:], dtype=np.int8).astype(np.float32) * scale
    else:
        raise ValueError(f"unknown vector codec {codec!r} (one of {', '.join(CODECS)})")
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def decode_many(blobs: list[bytes], codec: str, dim: int) -> np.ndarray:
    """Decode many blobs of one codec at once, shape ``(len(blobs), dim)`` (fast path for start-up)."""
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    if codec == "f16":
        out = np.frombuffer(b"".join(blobs), dtype="<f2").reshape(len(blobs), dim).astype(np.float32)
    elif codec == "i8":
        raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), 4 + dim)
        scales = raw[:, :4].copy().view(np.float32)
        out = raw[:, 4:].copy().view(np.int8).astype(np.float32) * scales
    else:
        raise ValueError(f"unknown vector codec {codec!r} (one of {', '.join(CODECS)})")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms


def roundtrip(vector: np.ndarray, codec: str = DEFAULT_CODEC) -> np.ndarray:
    """What a process that loads ``vector`` from storage gets back."""
    v = np.asarray(vector, dtype=np.float32).ravel()
    return decode(encode(v, codec), codec, v.shape[0])
