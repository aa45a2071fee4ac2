"""Sector and region taxonomies (bilingual), read from ``data/taxonomies``."""

from __future__ import annotations

import json
from functools import cache

from portal.config import DATA_DIR


@cache
def _load(kind: str) -> dict[str, dict]:
    name = {"sector": "sectors.json", "region": "regions.json"}[kind]
    with open(DATA_DIR / "taxonomies" / name, encoding="utf-8") as fh:
        return {row["code"]: row for row in json.load(fh)}


def sectors() -> dict[str, dict]:
    """Sector code → row with ``zh``, ``en`` and keyword lists."""
    return _load("sector")


def regions() -> dict[str, dict]:
    """Region code → row; ``province`` means province-wide (serves every region)."""
    return _load("region")


PROVINCE = "province"


def taxonomy_label(kind: str, code: str, lang: str) -> str:
    row = _load(kind).get(code)
    if row is None:
        return code
    return row["zh"] if lang == "zh" else row["en"]


def is_sector(code: str) -> bool:
    return code in sectors()


def is_region(code: str) -> bool:
    return code in regions()
