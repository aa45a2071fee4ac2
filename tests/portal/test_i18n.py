"""The catalogue is complete: every key the code uses exists in Chinese and English.

Keys are found in the source with ``ast``: literal ``t("…")`` calls, every catalogue-looking string
literal (``"error.…"``, ``"validation.…"`` … in raise statements, checkers and notifications), the
``notification.<kind>`` of every ``notify(...)`` / ``notify_org(...)`` call, and one label per value of every enum.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from portal import models
from portal.i18n import LANGUAGES, messages, t

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "portal").rglob("*.py")) + sorted(ROOT.glob("streamlit_app.py"))
PREFIXES = (
    "error", "validation", "notification", "status", "bid_status", "showcase_status", "call_status",
    "offer_status", "field", "object", "role", "verification", "maturity", "eligibility",
)  # fmt: skip
KEY = re.compile(rf"^(?:{'|'.join(PREFIXES)})\.[a-z0-9_]+$")
ENUM_LABELS = {
    models.ScenarioStatus: "status",
    models.BidStatus: "bid_status",
    models.ShowcaseStatus: "showcase_status",
    models.CallStatus: "call_status",
    models.OfferStatus: "offer_status",
    models.Verification: "verification",
    models.Role: "role",
    models.Maturity: "maturity",
    models.Eligibility: "eligibility",
}
FORM_MODELS = (
    models.ScenarioCreate,
    models.BidCreate,
    models.OfferCreate,
    models.CallCreate,
    models.OrganizationUpdate,
)


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _literals(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def used_keys() -> dict[str, str]:
    """Key → first place it is used."""
    found: dict[str, str] = {}
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.match(node.value):
                found.setdefault(node.value, where)
            if isinstance(node, ast.Call) and node.args:
                name = _call_name(node)
                if name == "t":
                    for key in _literals(node.args[0]):
                        found.setdefault(key, where)
                if name in ("notify", "notify_org") and len(node.args) >= 3:
                    for kind in _literals(node.args[2]):
                        found.setdefault(f"notification.{kind}", where)
    return found


def required_keys() -> set[str]:
    keys = {f"{prefix}.{value}" for enum, prefix in ENUM_LABELS.items() for value in enum}
    keys |= {f"object.{table.__tablename__}" for table in models.EDITABLE_TABLES}
    keys |= {f"field.{name}" for model in FORM_MODELS for name in model.model_fields}
    return keys


def test_the_source_scan_finds_keys():
    keys = used_keys()
    assert {"error.reason_required", "notification.invited", "notification.vendor_rejected"} <= set(keys)


@pytest.mark.parametrize("key", sorted(set(used_keys()) | required_keys()))
def test_key_exists_in_both_languages(key):
    entry = messages().get(key)
    assert entry is not None, (
        f"{key} (used in {used_keys().get(key, 'an enum or form')}) is not in portal/i18n/*.json"
    )
    for lang in LANGUAGES:
        assert (entry.get(lang) or "").strip(), f"{key} has no {lang} text"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys_and_placeholders():
    problems = []
    for key, entry in messages().items():
        if set(entry) != set(LANGUAGES):
            problems.append(f"{key}: languages {sorted(entry)}")
        elif _fields(entry["zh"]) != _fields(entry["en"]):
            problems.append(f"{key}: zh {_fields(entry['zh'])} vs en {_fields(entry['en'])}")
    assert problems == []


def test_catalogue_values_are_translated_into_parameters():
    assert t(
        "error.invalid_transition",
        "en",
        obj="object.bid",
        current="bid_status.draft",
        requested="bid_status.awarded",
    ) == ("Cannot change bid from 'Draft' to 'Awarded'.")
    assert t("no.such.key", "en") == "no.such.key"  # visible, never a crash
