"""Plain records in, ranked matches out: the value types of the matching library.

Nothing here knows about the portal's tables; the portal converts its rows to
:class:`Record` and reads :class:`Match` back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["scenario", "offer"]
KINDS: tuple[Kind, ...] = ("scenario", "offer")

#: Bump when :func:`document_text` changes, so every stored vector is re-embedded.
DOC_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Record:
    """One scenario demand or one vendor offer, as plain data.

    Args:
        id: database id (unique within ``kind``).
        kind: ``"scenario"`` or ``"offer"``.
        title, description, summary: free text (Chinese or English).
        sectors, regions: taxonomy codes (e.g. ``"smart-health"``, ``"guiyang"``).
        status: lifecycle status as the portal names it (e.g. ``"published"``).
        language: ``"zh"`` / ``"en"`` or None (unknown).
        data_resources, outcomes: scenario-only text fields.
        cases: offer-only text (reference cases).
        owner_id: department org id (scenario) or vendor org id (offer).
        verified: vendor verified by the authority (offers).
        eligibility: ``"open"`` or ``"invited"`` (scenarios).
        invited: vendor org ids invited to an ``"invited"`` scenario.
        budget_min, budget_max: scenario budget (any single currency unit).
        price: offer's indicative price (same unit).
        closing_date: last day a scenario accepts proposals.
    """

    id: int
    kind: Kind
    title: str
    description: str = ""
    summary: str = ""
    sectors: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    status: str | None = None
    language: str | None = None
    data_resources: str = ""
    outcomes: str = ""
    cases: str = ""
    owner_id: int | None = None
    verified: bool = True
    eligibility: Literal["open", "invited"] = "open"
    invited: tuple[int, ...] = ()
    budget_min: float | None = None
    budget_max: float | None = None
    price: float | None = None
    closing_date: dt.date | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if self.eligibility not in ("open", "invited"):
            raise ValueError(f"eligibility must be 'open' or 'invited', not {self.eligibility!r}")
        # Accept lists from callers but keep the dataclass hashable and frozen.
        for name in ("sectors", "regions", "invited"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (dates as ISO strings)."""
        out = dataclasses.asdict(self)
        out["closing_date"] = self.closing_date.isoformat() if self.closing_date else None
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Record:
        """Inverse of :meth:`to_json`; unknown keys are ignored."""
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        if kwargs.get("closing_date"):
            kwargs["closing_date"] = dt.date.fromisoformat(kwargs["closing_date"])
        return cls(**kwargs)


@dataclass(frozen=True)
class Filters:
    """Hard constraints applied inside the search (never by cutting a short list).

    Every field left at its default does not constrain. A record passes when:

    - ``statuses``: its status is one of them;
    - ``sectors``: it shares at least one sector code;
    - ``regions``: it lists one of the regions, or is province-wide (lists the
      engine's ``province_region`` code) or lists no region at all;
    - ``exclude_ids`` / ``owner_ids``: id not excluded / owner among them;
    - ``exclude_owner_ids``: owner not among them (e.g. a vendor's own offers);
    - ``open_on``: scenario without closing date or closing on/after that day;
    - ``vendor_id``: scenario open to everyone or inviting that vendor org;
    - ``verified_only``: offers from verified vendors only.
    """

    statuses: tuple[str, ...] | None = None
    sectors: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    exclude_ids: tuple[int, ...] = ()
    owner_ids: tuple[int, ...] | None = None
    exclude_owner_ids: tuple[int, ...] = ()
    open_on: dt.date | None = None
    vendor_id: int | None = None
    verified_only: bool = False

    def __post_init__(self) -> None:
        for name in ("statuses", "sectors", "regions", "owner_ids"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        for name in ("exclude_ids", "exclude_owner_ids"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclass(frozen=True)
class Reasons:
    """Why a record matched: each signal's score (0–1) and the shared key terms."""

    signals: Mapping[str, float] = field(default_factory=dict)
    shared_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """One ranked result."""

    id: int
    kind: Kind
    score: float
    reasons: Reasons


def content_hash(text: str, model_id: str) -> str:
    """Hash of what is embedded, so unchanged records are never re-embedded."""
    payload = json.dumps([DOC_FORMAT_VERSION, model_id, text], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _labels(codes: tuple[str, ...], labels: Mapping[str, str]) -> str:
    return "、".join(labels.get(code, code) for code in codes)


def document_text(record: Record, sector_labels: Mapping[str, str] | None = None) -> str:
    """Build the text that is embedded and tokenised for ``record``.

    Scenarios: title, sector, summary, description, data resources, outcomes.
    Offers: title, sectors, description, cases. The title comes first because
    long texts are cut to a token budget by the encoder.
    """
    labels = sector_labels or {}
    sectors = _labels(record.sectors, labels)
    if record.kind == "scenario":
        parts = [
            record.title,
            sectors,
            record.summary,
            record.description,
            record.data_resources,
            record.outcomes,
        ]
    else:
        parts = [record.title, sectors, record.description, record.cases]
    return "\n".join(p.strip() for p in parts if p and p.strip())
