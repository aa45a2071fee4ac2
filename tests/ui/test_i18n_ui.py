"""The UI's catalogue keys: every key the pages use exists in both languages, none is dead."""

from __future__ import annotations

import json
import re
from pathlib import Path

from portal.i18n import messages

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "portal" / "ui"
KEY = re.compile(
    r"[\"']((?:ui|field|error|status|role|validation|object|eligibility|maturity)\.[a-z0-9_.]+)[\"']"
)


VIEWS = ROOT / "portal" / "views"  # read models name the notices a screen shows


def _source() -> str:
    files = sorted(UI.rglob("*.py")) + sorted(VIEWS.rglob("*.py"))
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def test_every_literal_key_exists_in_both_languages():
    catalogue = messages()
    used = set(KEY.findall(_source()))
    missing = sorted(k for k in used if k not in catalogue)
    assert not missing, missing
    half = sorted(k for k in used if not (catalogue[k].get("zh") and catalogue[k].get("en")))
    assert not half, half


def test_no_dead_ui_keys():
    source = _source()
    own = json.loads((ROOT / "portal" / "i18n" / "ui.json").read_text(encoding="utf-8"))
    prefixes = {m for m in re.findall(r'f"(ui\.[a-z_.]+)\{', source)}
    quoted = set(re.findall(r"[\"']((?:ui)\.[a-z0-9_.]+)[\"']", source))
    dead = [k for k in own if k not in quoted and not any(k.startswith(p) for p in prefixes)]
    assert not dead, dead


def test_placeholders_agree_between_languages():
    own = json.loads((ROOT / "portal" / "i18n" / "ui.json").read_text(encoding="utf-8"))
    for key, value in own.items():
        assert set(re.findall(r"\{(\w+)\}", value["zh"])) == set(re.findall(r"\{(\w+)\}", value["en"])), key
