"""Structured signals and the fusion of all signals into one score.

Each signal is a number in [0, 1] (semantic: the cosine) and is reported in
:class:`~matching.records.Reasons`, so the UI can say why a record matched.

Fusion is score-based, not rank-based: the lexical signal is the BM25 score divided
by the best BM25 score among the candidates, and is exactly 0 for a candidate that
shares no term with the query. A query that shares no term with the corpus (e.g.
English against Chinese scenarios) therefore keeps its dense ranking unchanged —
rank fusion (RRF) would instead promote arbitrary zero-score documents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from matching.records import Record


@dataclass(frozen=True)
class Weights:
    """Weights of the signals in the final score (semantic weight is 1)."""

    lexical: float = 0.15
    sector: float = 0.05
    region: float = 0.03
    verified: float = 0.02
    deadline: float = 0.03
    budget: float = 0.03


def sector_overlap(query: Record | None, doc: Record) -> float | None:
    """Share of the query's sectors that ``doc`` also has (None: no sectors to compare)."""
    if query is None or not query.sectors or not doc.sectors:
        return None
    return len(set(query.sectors) & set(doc.sectors)) / len(set(query.sectors))


def region_coverage(query: Record | None, doc: Record, province: str) -> float | None:
    """1 if ``doc`` covers one of the query's regions (province-wide covers all)."""
    if query is None or not query.regions:
        return None
    if not doc.regions or province in doc.regions or province in query.regions:
        return 1.0
    return 1.0 if set(query.regions) & set(doc.regions) else 0.0


def budget_fit(scenario: Record, offer: Record) -> float | None:
    """1 when the offer's price fits the scenario's budget, less the further above it."""
    if offer.price is None or (scenario.budget_min is None and scenario.budget_max is None):
        return None
    if scenario.budget_max is not None and offer.price > scenario.budget_max > 0:
        return max(0.0, scenario.budget_max / offer.price)
    return 1.0


def deadline_signal(scenario: Record, today: dt.date) -> float:
    """1 with two weeks or more to go (or no deadline), falling to 0 at the closing date."""
    if scenario.closing_date is None:
        return 1.0
    days = (scenario.closing_date - today).days
    return max(0.0, min(1.0, days / 14))


def structured(query: Record | None, doc: Record, province: str, today: dt.date) -> dict[str, float]:
    """Every structured signal that applies to the pair ``(query, doc)``."""
    out: dict[str, float] = {}
    sector = sector_overlap(query, doc)
    if sector is not None:
        out["sector"] = sector
    region = region_coverage(query, doc, province)
    if region is not None:
        out["region"] = region
    if doc.kind == "offer":
        out["verified"] = 1.0 if doc.verified else 0.0
    scenario = doc if doc.kind == "scenario" else query if query and query.kind == "scenario" else None
    offer = doc if doc.kind == "offer" else query if query and query.kind == "offer" else None
    if scenario is not None and doc.kind == "scenario":
        out["deadline"] = deadline_signal(scenario, today)
    if scenario is not None and offer is not None:
        budget = budget_fit(scenario, offer)
        if budget is not None:
            out["budget"] = budget
    return out


def fuse(signals: dict[str, float], weights: Weights) -> float:
    """Final score: cosine + weighted lexical and structured signals."""
    score = signals.get("semantic", 0.0)
    for name in ("lexical", "sector", "region", "verified", "deadline", "budget"):
        if name in signals:
            score += getattr(weights, name) * signals[name]
    return float(score)
