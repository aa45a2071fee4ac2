"""The personal-data detector against its labelled corpus (``tests/data/pii_cases.json``).

Every positive (each kind, each way of writing it: full-width, spaced, dotted, Chinese numerals,
full-width brackets, obfuscated e-mail) is found with exactly its kinds and masked away; every hard
negative (prices, budgets, dates, credit codes, scenario ids, years, phone-like amounts) is left
alone. The figures go to ``artifacts/trust/pii-summary.json`` and to the test output.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from portal.domain import pii

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "tests" / "data" / "pii_cases.json").read_text(encoding="utf-8"))
POSITIVES = [c for c in CASES if c["kinds"]]
NEGATIVES = [c for c in CASES if not c["kinds"]]


def _longest_digit_run(text: str) -> int:
    digits = re.sub(r"[\s\-.·_—()]", "", pii.normalise(text).text)
    return max((len(run) for run in re.findall(r"\d+", digits)), default=0)


def test_corpus_every_positive_found_every_negative_clean(capsys):
    missed, flagged, per_kind = [], [], Counter()
    for case in POSITIVES:
        found = pii.find(case["text"])
        kinds = sorted({f.kind for f in found})
        masked = pii.mask(case["text"])
        if kinds != case["kinds"] or pii.find(masked) or masked == case["text"]:
            missed.append((case["variant"], case["text"], kinds, masked))
        for kind in case["kinds"]:
            per_kind[kind] += 1
    for case in NEGATIVES:
        found = pii.find(case["text"])
        if found or pii.mask(case["text"]) != case["text"]:
            flagged.append((case["variant"], case["text"], [f.kind for f in found]))
    p, n = len(POSITIVES), len(NEGATIVES)
    summary = {
        "positives": p,
        "positives_detected": p - len(missed),
        "negatives": n,
        "negatives_clean": n - len(flagged),
        "variants": len(CASES),
        "positives_per_kind": dict(sorted(per_kind.items())),
        "missed": missed,
        "false_positives": flagged,
    }
    out = ROOT / "artifacts" / "trust"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pii-summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    with capsys.disabled():
        print(
            f"\npii variants: {p - len(missed)} positives detected / {p}, "
            f"{n - len(flagged)} negatives clean / {n}"
        )
    assert p >= 60 and n >= 30 and set(per_kind) == set(pii.KINDS)
    assert not missed, missed
    assert not flagged, flagged


@pytest.mark.parametrize("case", POSITIVES, ids=[c["variant"] for c in POSITIVES])
def test_masking_leaves_no_digit_of_a_number_and_keeps_the_rest(case):
    masked = pii.mask(case["text"])
    assert pii.MASK in masked
    # A number is masked as a whole: no run of more than 4 digits is left, however it was written.
    assert _longest_digit_run(masked) <= 4, masked
    for f in pii.find(case["text"]):
        assert case["text"][f.start : f.end].strip() == case["text"][f.start : f.end]  # spans are tight


def test_spans_point_into_the_original_text():
    text = "联系：一三八 零零一三 八零零零，或（0851）86823456，zhang＠example．com"
    found = pii.find(text, field="description")
    assert [(f.kind, text[f.start : f.end]) for f in found] == [
        ("mobile", "一三八 零零一三 八零零零"),
        ("landline", "（0851）86823456"),
        ("email", "zhang＠example．com"),
    ]
    assert {f.field for f in found} == {"description"}


def test_one_number_however_written_has_one_fingerprint():
    ways = [
        "13800138000",
        "138-0013-8000",
        "一三八零零一三八零零零",
        "+86 138 0013 8000",
        "１３８００１３８０００",
    ]
    prints = {pii.fingerprint(pii.find(w)) for w in ways}
    assert len(prints) == 1
    assert pii.fingerprint(pii.find("13900139000")) not in prints


def test_id_number_check_digit():
    assert pii.is_valid_id_number("11010519491231002X")
    assert pii.is_valid_id_number("11010519491231002x")
    assert not pii.is_valid_id_number("110105194912310021")  # wrong check digit
    assert not pii.is_valid_id_number("100000000000000000")  # a budget
    assert not pii.is_valid_id_number("110105194913310024")  # no 13th month


def test_scan_reports_each_field_and_list_item():
    values = {
        "title": "远程诊断",
        "summary": "联系 13800138000",
        "data_resources": ["影像数据", "管理员邮箱 a.b@example.cn"],
        "indicators": [{"name": "准确率", "target": "≥95%"}, {"name": "联系", "target": "0851-86823456"}],
        "budget_max": 13800138000,  # numbers are amounts, never text
    }
    found = pii.scan(values)
    assert [(f.field, f.path, f.kind) for f in found] == [
        ("summary", "summary", "mobile"),
        ("data_resources", "data_resources.1", "email"),
        ("indicators", "indicators.1.target", "landline"),
    ]
    assert pii.kinds_by_field(found) == {
        "summary": ("mobile",),
        "data_resources": ("email",),
        "indicators": ("landline",),
    }
    masked = pii.mask_value(values)
    assert masked["summary"] == "联系 " + pii.MASK and masked["budget_max"] == 13800138000
    assert masked["indicators"][1] == {"name": "联系", "target": pii.MASK}


def test_every_kind_has_a_label_in_both_languages():
    from portal.i18n import messages

    for kind in pii.KINDS:
        assert set(messages()[f"pii.kind.{kind}"]) >= {"zh", "en"}
