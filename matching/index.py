"""FAISS wrapper: vectors under database ids, exact up to a size, IVF beyond.

- Up to ``exact_max`` vectors: ``IndexIDMap2(IndexFlatIP)`` (exact inner product).
- Beyond: ``IndexIVFFlat`` (inner product, ``4·√N`` lists, hashtable direct map so
  ``remove_ids`` and ``reconstruct`` work), trained once on the vectors present
  when the threshold is crossed. Its recall is measured in ``benchmarks/``.

Filters are passed as the array of allowed ids and applied *inside* the search
with an ID selector; an IVF search that returns fewer than ``k`` hits while more
allowed ids exist is retried with more probes, then exhaustively.

Not thread-safe by itself: the engine serialises writes and lets searches share
a read lock.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import faiss
import numpy as np


def _ids(ids: np.ndarray | list[int]) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


def _vecs(vectors: np.ndarray, dim: int) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(-1, dim))


class VectorIndex:
    """Inner-product index keyed by int64 ids.

    Args:
        dim: vector dimension.
        exact_max: switch from exact to IVF when the index grows beyond this.
        nprobe: IVF lists probed per query.

    Example:
        >>> ix = VectorIndex(2)
        >>> ix.add([7], np.array([[1.0, 0.0]]))
        >>> ix.search(np.array([1.0, 0.0]), 1)
        (array([1.], dtype=float32), array([7]))
    """

    def __init__(self, dim: int, exact_max: int = 50_000, nprobe: int = 16):
        self.dim = dim
        self.exact_max = exact_max
        self.nprobe = nprobe
        self._index: faiss.Index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @property
    def approximate(self) -> bool:
        """True once the index has switched to IVF."""
        return isinstance(self._index, faiss.IndexIVF)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def contains(self, id_: int) -> bool:
        """Whether ``id_`` is stored."""
        try:
            self._index.reconstruct(int(id_))
        except RuntimeError:
            return False
        return True

    def add(self, ids: np.ndarray | list[int], vectors: np.ndarray) -> None:
        """Insert or replace (remove-then-add) the vectors of ``ids``."""
        ids = _ids(ids)
        if not len(ids):
            return
        self.remove(ids)
        self._index.add_with_ids(_vecs(vectors, self.dim), ids)
        if not self.approximate and len(self) > self.exact_max:
            self._to_ivf()

    def remove(self, ids: np.ndarray | list[int]) -> int:
        """Remove ``ids`` (unknown ids are ignored); returns how many were removed."""
        ids = _ids(ids)
        if not len(ids) or not len(self):
            return 0
        if self.approximate:  # the hashtable direct map only accepts an id array
            selector = faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids))
        else:
            selector = faiss.IDSelectorBatch(len(ids), faiss.swig_ptr(ids))
        return int(self._index.remove_ids(selector))

    def reconstruct(self, ids: np.ndarray | list[int]) -> np.ndarray:
        """Return the stored vectors of ``ids`` (KeyError if one is missing)."""
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        for row, id_ in enumerate(_ids(ids)):
            try:
                out[row] = self._index.reconstruct(int(id_))
            except RuntimeError as exc:
                raise KeyError(int(id_)) from exc
        return out

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` ids by inner product with ``query``, among ``allowed`` ids if given.

        Returns:
            ``(scores, ids)`` — 1-D arrays, best first, without padding.
        """
        query = _vecs(query, self.dim)[:1]
        limit = len(self) if allowed is None else min(len(self), len(allowed))
        k = min(k, limit)
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        selector = None
        if allowed is not None:
            allowed = _ids(allowed)
            selector = faiss.IDSelectorBatch(len(allowed), faiss.swig_ptr(allowed))
        if not self.approximate:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
            scores, ids = self._index.search(query, k, params=params)
            return self._strip(scores[0], ids[0])
        nprobe = self.nprobe
        while True:
            params = faiss.SearchParametersIVF(nprobe=nprobe)
            if selector is not None:
                params.sel = selector
            scores, ids = self._index.search(query, k, params=params)
            scores, ids = self._strip(scores[0], ids[0])
            if len(ids) >= k or nprobe >= self._index.nlist:
                return scores, ids
            nprobe = min(nprobe * 4, self._index.nlist)

    @staticmethod
    def _strip(scores: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keep = ids >= 0
        return scores[keep], ids[keep]

    def all_ids(self) -> np.ndarray:
        """Every stored id (order unspecified)."""
        if self.approximate:
            invlists = self._index.invlists
            parts = [
                faiss.rev_swig_ptr(invlists.get_ids(i), invlists.list_size(i)).copy()
                for i in range(self._index.nlist)
                if invlists.list_size(i)
            ]
            return np.concatenate(parts) if parts else np.zeros(0, np.int64)
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def _to_ivf(self) -> None:
        ids = self.all_ids()
        vectors = self.reconstruct(ids)
        self._index = build_ivf(ids, vectors, self.dim, self.nprobe)

    def save(self, path: str | Path, meta: dict) -> None:
        """Write the index and ``meta`` atomically (temp file, then ``os.replace``)."""
        path = Path(path)
        tmp = path.with_suffix(".tmp")
        faiss.write_index(self._index, str(tmp))
        os.replace(tmp, path)
        meta_path = path.with_suffix(".json")
        meta_tmp = meta_path.with_suffix(".json.tmp")
        meta_tmp.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(meta_tmp, meta_path)

    @classmethod
    def load(
        cls, path: str | Path, dim: int, exact_max: int = 50_000, nprobe: int = 16
    ) -> tuple[VectorIndex, dict] | None:
        """Read an index saved by :meth:`save`; None if missing, unreadable or of another dim."""
        path = Path(path)
        meta_path = path.with_suffix(".json")
        if not path.exists() or not meta_path.exists():
            return None
        try:
            index = faiss.read_index(str(path))
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (RuntimeError, ValueError, OSError):
            return None
        if index.d != dim:
            return None
        out = cls(dim, exact_max, nprobe)
        if isinstance(index, faiss.IndexIVF):
            index.set_direct_map_type(faiss.DirectMap.Hashtable)
        out._index = index
        return out, meta

    @classmethod
    def build(
        cls,
        ids: np.ndarray,
        vectors: np.ndarray,
        dim: int,
        exact_max: int = 50_000,
        nprobe: int = 16,
    ) -> VectorIndex:
        """Build an index in one go (exact or IVF depending on the size)."""
        out = cls(dim, exact_max, nprobe)
        if len(ids) > exact_max:
            out._index = build_ivf(_ids(ids), _vecs(vectors, dim), dim, nprobe)
        elif len(ids):
            out._index.add_with_ids(_vecs(vectors, dim), _ids(ids))
        return out


def build_ivf(ids: np.ndarray, vectors: np.ndarray, dim: int, nprobe: int) -> faiss.IndexIVF:
    """Train an ``IndexIVFFlat`` (inner product, ``4·√N`` lists) and add the vectors."""
    nlist = max(1, int(4 * math.sqrt(len(ids))))
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    index.own_fields = True
    quantizer.this.disown()
    sample = vectors
    if len(vectors) > nlist * 64:
        rows = np.random.default_rng(0).choice(len(vectors), nlist * 64, replace=False)
        sample = vectors[rows]
    index.train(_vecs(sample, dim))
    index.set_direct_map_type(faiss.DirectMap.Hashtable)
    index.nprobe = nprobe
    index.add_with_ids(_vecs(vectors, dim), _ids(ids))
    return index
