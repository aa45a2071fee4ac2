"""场景通 matching engine: scenarios ↔ offers ↔ free text, ranked and explained.

A library without any knowledge of Streamlit or the portal's tables: plain
:class:`Record` values in, :class:`Match` values out.

API::

    from matching import EngineConfig, Filters, MatchingEngine, Record

    engine = MatchingEngine(EngineConfig(state_dir=Path("var/matching"),
                                         embedder=None,            # $PORTAL_EMBEDDER or "e5-small-q4"
                                         domain_dict=Path("data/taxonomies/sectors.json")),
                            progress=lambda p: print(p.kind, p.done, p.total))
    engine.sync("offer", offers, background=True) -> SyncReport   # start-up reconcile
    engine.upsert(records) -> int                                  # embedded count
    engine.delete(kind, ids) -> int
    engine.search(text, kind, k=10, filters=None, context=None) -> list[Match]
    engine.recommend_offers(scenario_id, k=10, filters=None) -> list[Match]
    engine.recommend_scenarios(offer_id | [offer ids], k=10, filters=None) -> list[Match]
    engine.similar_scenarios(text | Record, k=5, exclude_ids=()) -> list[Match]
    engine.count(kind) -> int;  engine.get(kind, id) -> Record | None
    engine.progress(kind) -> Progress;  engine.wait(timeout) -> bool
    engine.flush();  engine.close()

``Match(id, kind, score, reasons=Reasons(signals={"semantic", "lexical", "sector",
"region", "verified", "deadline", "budget"}, shared_terms=(...)))``.

Thread safety: concurrent searches; writes serialised. Encoders are chosen by
``PORTAL_EMBEDDER`` (:data:`matching.encoders.ENCODER_NAMES`). See docs/matching.md.
"""

from matching.encoders import ENCODER_NAMES, Encoder, create_encoder
from matching.engine import EngineConfig, MatchingEngine, Progress, SyncReport
from matching.records import Filters, Match, Reasons, Record, document_text
from matching.signals import Weights
from matching.store import SQLiteVectorStore, VectorStore

__all__ = [
    "ENCODER_NAMES",
    "Encoder",
    "EngineConfig",
    "Filters",
    "Match",
    "MatchingEngine",
    "Progress",
    "Reasons",
    "Record",
    "SQLiteVectorStore",
    "SyncReport",
    "VectorStore",
    "Weights",
    "create_encoder",
    "document_text",
]
