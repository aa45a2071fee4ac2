"""Lexical side: jieba tokens with a domain dictionary, and an incremental BM25.

``bm25s`` has no incremental add, and the portal changes one record at a time,
so :class:`BM25` keeps per-term postings that grow by appending; a changed record
gets a new slot and its old slot is marked dead (compacted when dead slots pile
up). Scores follow the Lucene BM25 variant used by ``bm25s`` (``k1=1.5, b=0.75``, no ``(k1 + 1)`` factor,
``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``); a test checks they agree.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "等",
        "在",
        "是",
        "对",
        "为",
        "将",
        "把",
        "被",
        "从",
        "以",
        "于",
        "及其",
        "并",
        "并且",
        "其",
        "该",
        "这",
        "那",
        "之",
        "中",
        "上",
        "下",
        "个",
        "有",
        "无",
        "也",
        "都",
        "而",
        "就",
        "可",
        "能",
        "可以",
        "进行",
        "通过",
        "实现",
        "提供",
        "相关",
        "我们",
        "一个",
        "一些",
        "需要",
        "开展",
        "及时",
        "具有",
        "主要",
        "各类",
        "各种",
        "各",
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "for",
        "on",
        "and",
        "or",
        "with",
        "by",
        "from",
        "at",
        "as",
        "is",
        "are",
        "be",
        "this",
        "that",
        "it",
        "its",
        "our",
        "we",
        "our",
        "you",
        "your",
        "can",
        "will",
        "into",
        "via",
        "using",
        "use",
        "based",
    ]
)
_KEEP = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)


@dataclass(frozen=True)
class Domain:
    """Domain vocabulary for jieba and the human labels of sector codes."""

    words: tuple[str, ...] = ()
    sector_labels: dict[str, str] = field(default_factory=dict)


def load_domain(path: str | Path | None) -> Domain:
    """Read a domain dictionary.

    Args:
        path: a taxonomy JSON (a list of ``{"code", "zh", "en", "keywords_zh",
            "keywords_en"}``, e.g. ``data/taxonomies/sectors.json``) or a jieba
            user dictionary (one ``word [freq] [tag]`` per line); None: empty.
    """
    if path is None:
        return Domain()
    path = Path(path)
    if path.suffix == ".json":
        entries = json.loads(path.read_text(encoding="utf-8"))
        words: list[str] = []
        labels: dict[str, str] = {}
        for entry in entries:
            # Long labels ("政务服务一网通办") would hide their parts from search mode.
            if len(entry.get("zh", "")) <= 4:
                words.append(entry.get("zh", ""))
            words.extend(entry.get("keywords_zh", []))
            zh, en = entry.get("zh", ""), entry.get("en", "")
            labels[entry["code"]] = f"{zh} {en}".strip() or entry["code"]
        return Domain(tuple(w for w in words if w), labels)
    lines = path.read_text(encoding="utf-8").splitlines()
    return Domain(tuple(line.split()[0] for line in lines if line.strip()))


class Tokenizer:
    """jieba search-mode tokens, lower-cased, without punctuation and stopwords."""

    def __init__(self, domain: Domain | None = None):
        import jieba

        jieba.setLogLevel(60)
        self._jieba = jieba.Tokenizer()
        for word in (domain or Domain()).words:
            self._jieba.add_word(word, freq=20_000)
        self._jieba.initialize()

    def tokenize(self, text: str) -> list[str]:
        """Return the tokens of ``text`` (duplicates kept)."""
        out = []
        for token in self._jieba.lcut_for_search(text):
            token = token.strip().lower()
            if len(token) < 2 or token in _STOPWORDS or not _KEEP.search(token):
                continue
            out.append(token)
        return out


class BM25:
    """Incremental BM25 over caller-assigned integer slots (each slot used once)."""

    def __init__(self, k1: float = 1.5, b: float = 0.75):
        self.k1, self.b = k1, b
        self._vocab: dict[str, int] = {}
        self._post_slots: list[array] = []
        self._post_tfs: list[array] = []
        self._df: list[int] = []
        self._doc_terms: dict[int, np.ndarray] = {}
        self._doc_len = np.zeros(0, dtype=np.float32)
        self._alive = np.zeros(0, dtype=bool)
        self._total_len = 0.0
        self._dead = 0

    def __len__(self) -> int:
        return len(self._doc_terms)

    def add(self, slot: int, tokens: Sequence[str]) -> None:
        """Index ``tokens`` under a fresh ``slot``."""
        if slot in self._doc_terms:
            raise ValueError(f"slot {slot} already used")
        counts = Counter(tokens)
        tids = np.empty(len(counts), dtype=np.int32)
        for i, (term, tf) in enumerate(counts.items()):
            tid = self._vocab.get(term)
            if tid is None:
                tid = self._vocab[term] = len(self._df)
                self._post_slots.append(array("i"))
                self._post_tfs.append(array("f"))
                self._df.append(0)
            self._post_slots[tid].append(slot)
            self._post_tfs[tid].append(float(tf))
            self._df[tid] += 1
            tids[i] = tid
        self._doc_terms[slot] = tids
        if slot >= len(self._doc_len):
            grown = np.zeros(max(slot + 1, 2 * len(self._doc_len), 64), dtype=np.float32)
            grown[: len(self._doc_len)] = self._doc_len
            alive = np.zeros(len(grown), dtype=bool)
            alive[: len(self._alive)] = self._alive
            self._doc_len, self._alive = grown, alive
        self._doc_len[slot] = len(tokens)
        self._alive[slot] = True
        self._total_len += len(tokens)

    def remove(self, slot: int) -> None:
        """Forget ``slot`` (its postings stay until compaction and score zero)."""
        tids = self._doc_terms.pop(slot, None)
        if tids is None:
            return
        for tid in tids:
            self._df[tid] -= 1
        self._total_len -= float(self._doc_len[slot])
        self._alive[slot] = False
        self._dead += 1
        if self._dead > max(1000, len(self._doc_terms)):
            self._compact()

    def _compact(self) -> None:
        alive = self._alive
        for tid in range(len(self._df)):
            slots = np.frombuffer(self._post_slots[tid], dtype=np.int32)
            keep = alive[slots] if len(slots) else np.zeros(0, bool)
            if not keep.all():
                tfs = np.frombuffer(self._post_tfs[tid], dtype=np.float32)
                self._post_slots[tid] = array("i", slots[keep].tobytes())
                self._post_tfs[tid] = array("f", tfs[keep].tobytes())
        self._dead = 0

    def idf(self, term: str) -> float:
        """Inverse document frequency of ``term`` (0 when absent)."""
        tid = self._vocab.get(term)
        if tid is None or self._df[tid] <= 0:
            return 0.0
        n, df = len(self._doc_terms), self._df[tid]
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def scores(self, tokens: Iterable[str], size: int) -> np.ndarray:
        """BM25 score of every slot ``< size`` for the query ``tokens`` (dead slots: 0)."""
        out = np.zeros(size, dtype=np.float32)
        if not self._doc_terms:
            return out
        avgdl = max(self._total_len / len(self._doc_terms), 1e-9)
        for term in set(tokens):
            idf = self.idf(term)
            if idf <= 0:
                continue
            tid = self._vocab[term]
            slots = np.frombuffer(self._post_slots[tid], dtype=np.int32)
            tfs = np.frombuffer(self._post_tfs[tid], dtype=np.float32)
            norm = self.k1 * (1 - self.b + self.b * self._doc_len[slots] / avgdl)
            contrib = idf * tfs / (tfs + norm)
            inside = slots < size
            np.add.at(out, slots[inside], contrib[inside])
        if self._dead:
            alive = np.zeros(size, dtype=bool)
            n = min(size, len(self._alive))
            alive[:n] = self._alive[:n]
            out[~alive] = 0.0
        return out

    def terms(self, slot: int) -> set[str]:
        """The distinct terms indexed under ``slot``."""
        tids = self._doc_terms.get(slot)
        if tids is None:
            return set()
        inverse = self._inverse()
        return {inverse[t] for t in tids}

    def _inverse(self) -> list[str]:
        if len(getattr(self, "_inv", ())) != len(self._vocab):
            self._inv = [""] * len(self._vocab)
            for term, tid in self._vocab.items():
                self._inv[tid] = term
        return self._inv
