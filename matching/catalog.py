"""Per-kind catalogue: records, their lexical postings, and filter columns.

Every version of a record gets a fresh *slot*; columns are numpy arrays indexed by
slot so a filter becomes a vectorised boolean mask (then the allowed ids are
handed to FAISS as an ID selector and to BM25 as a mask). Dead slots are compacted
when they outnumber the live ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from matching.lexical import BM25
from matching.records import Filters, Record

_NO_DATE = np.iinfo(np.int32).max


class Catalog:
    """Records of one kind with BM25 postings and columnar metadata.

    Args:
        province_region: region code meaning "serves the whole province".
    """

    def __init__(self, province_region: str = "province"):
        self.province_region = province_region
        self.records: dict[int, Record] = {}
        self.terms: dict[int, Counter[str]] = {}
        self.slot_of: dict[int, int] = {}
        self.bm25 = BM25()
        self._cap = 0
        self._next = 0
        self.ids = np.zeros(0, np.int64)
        self.alive = np.zeros(0, bool)
        self._status = np.zeros(0, np.int32)
        self._status_codes: dict[str | None, int] = {}
        self._owner = np.zeros(0, np.int64)
        self._verified = np.zeros(0, bool)
        self._open = np.zeros(0, bool)
        self._closing = np.zeros(0, np.int32)
        self._sector: dict[str, np.ndarray] = {}
        self._region: dict[str, np.ndarray] = {}
        self._anywhere = np.zeros(0, bool)

    def __len__(self) -> int:
        return len(self.records)

    # ------------------------------------------------------------------ writes
    def _grow(self, need: int) -> None:
        if need <= self._cap:
            return
        cap = max(need, 2 * self._cap, 64)

        def grow(a: np.ndarray, fill: object = 0) -> np.ndarray:
            out = np.full(cap, fill, dtype=a.dtype)
            out[: len(a)] = a
            return out

        self.ids = grow(self.ids, -1)
        self.alive = grow(self.alive, False)
        self._status = grow(self._status, -1)
        self._owner = grow(self._owner, -1)
        self._verified = grow(self._verified, False)
        self._open = grow(self._open, False)
        self._closing = grow(self._closing, _NO_DATE)
        self._anywhere = grow(self._anywhere, False)
        self._sector = {k: grow(v, False) for k, v in self._sector.items()}
        self._region = {k: grow(v, False) for k, v in self._region.items()}
        self._cap = cap

    def _column(self, table: dict[str, np.ndarray], code: str) -> np.ndarray:
        if code not in table:
            table[code] = np.zeros(self._cap, bool)
        return table[code]

    def put(self, record: Record, terms: Counter[str]) -> None:
        """Insert or replace ``record`` with its token counts."""
        self.remove(record.id)
        if self._next >= self._cap:
            self._grow(self._next + 1)
        slot = self._next
        self._next += 1
        self.records[record.id] = record
        self.terms[record.id] = terms
        self.slot_of[record.id] = slot
        self.bm25.add(slot, list(terms.elements()))
        self.ids[slot] = record.id
        self.alive[slot] = True
        self._status[slot] = self._status_codes.setdefault(record.status, len(self._status_codes))
        self._owner[slot] = -1 if record.owner_id is None else record.owner_id
        self._verified[slot] = record.verified
        self._open[slot] = record.eligibility == "open"
        self._closing[slot] = record.closing_date.toordinal() if record.closing_date else _NO_DATE
        for code in record.sectors:
            self._column(self._sector, code)[slot] = True
        for code in record.regions:
            self._column(self._region, code)[slot] = True
        self._anywhere[slot] = not record.regions or self.province_region in record.regions

    def remove(self, id_: int) -> bool:
        """Remove the record ``id_``; returns whether it existed."""
        slot = self.slot_of.pop(id_, None)
        if slot is None:
            return False
        del self.records[id_]
        del self.terms[id_]
        self.bm25.remove(slot)
        self.alive[slot] = False
        for table in (self._sector, self._region):
            for column in table.values():
                column[slot] = False
        if self._next - len(self.records) > max(1000, len(self.records)):
            self._compact()
        return True

    def _compact(self) -> None:
        records, terms = list(self.records.values()), dict(self.terms)
        fresh = Catalog(self.province_region)
        for record in records:
            fresh.put(record, terms[record.id])
        self.__dict__.update(fresh.__dict__)

    def put_many(self, items: Iterable[tuple[Record, Counter[str]]]) -> None:
        """Insert or replace several records."""
        for record, terms in items:
            self.put(record, terms)

    # ------------------------------------------------------------------- reads
    def mask(self, filters: Filters | None) -> np.ndarray:
        """Boolean mask over slots ``[0, size)`` of live records passing ``filters``."""
        size = self._next
        mask = self.alive[:size].copy()
        if filters is None:
            return mask
        if filters.statuses is not None:
            codes = [self._status_codes[s] for s in filters.statuses if s in self._status_codes]
            mask &= np.isin(self._status[:size], codes)
        if filters.sectors is not None:
            any_sector = np.zeros(size, bool)
            for code in filters.sectors:
                if code in self._sector:
                    any_sector |= self._sector[code][:size]
            mask &= any_sector
        if filters.regions is not None:
            covered = self._anywhere[:size].copy()
            for code in filters.regions:
                if code in self._region:
                    covered |= self._region[code][:size]
            mask &= covered
        if filters.owner_ids is not None:
            mask &= np.isin(self._owner[:size], list(filters.owner_ids))
        if filters.exclude_owner_ids:
            mask &= ~np.isin(self._owner[:size], list(filters.exclude_owner_ids))
        if filters.open_on is not None:
            mask &= self._closing[:size] >= filters.open_on.toordinal()
        if filters.verified_only:
            mask &= self._verified[:size]
        if filters.vendor_id is not None:
            eligible = self._open[:size].copy()
            for id_, record in self.records.items():
                if record.eligibility == "invited" and filters.vendor_id in record.invited:
                    eligible[self.slot_of[id_]] = True
            mask &= eligible
        for id_ in filters.exclude_ids:
            slot = self.slot_of.get(id_)
            if slot is not None:
                mask[slot] = False
        return mask

    def lexical(self, tokens: Sequence[str], mask: np.ndarray, n: int) -> dict[int, float]:
        """Top ``n`` ids by BM25 among ``mask`` (positive scores only)."""
        scores = self.bm25.scores(tokens, len(mask))
        scores[~mask] = 0.0
        hits = np.flatnonzero(scores > 0)
        if len(hits) > n:
            hits = hits[np.argpartition(-scores[hits], n - 1)[:n]]
        return {int(self.ids[s]): float(scores[s]) for s in hits}

    def bm25_of(self, tokens: Sequence[str], ids: Iterable[int]) -> dict[int, float]:
        """BM25 scores of specific ids."""
        scores = self.bm25.scores(tokens, self._next)
        return {i: float(scores[self.slot_of[i]]) for i in ids if i in self.slot_of}
