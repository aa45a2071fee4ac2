"""Bulk import of scenario demands: formats, encodings, row errors, duplicates, all-or-nothing, fuzz."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlmodel import select

from portal import clock
from portal.audit import EventType
from portal.config import DATA_DIR
from portal.domain.errors import PermissionDenied, PortalError, RuleViolation, ValidationFailed
from portal.domain.validation import clean_text
from portal.models import AuditEvent, ChangeLog, Notification, Scenario, ScenarioStatus, StatusChange
from portal.permissions import Action, record_checks
from portal.services import imports, scenarios, tabular
from tests.factories import scenario_data
from tests.portal.fingerprint import changed_tables, db_fingerprint

HEADER_ZH = imports.header_names("zh")
HEADER_EN = imports.header_names("en")


def row(**overrides: Any) -> dict[str, Any]:
    """One valid row, keyed by field name (department included)."""
    today = clock.today()
    base: dict[str, Any] = {
        "title": "县域医共体检查检验结果互认平台",
        "title_en": "",
        "summary": "推动县域医共体内检查检验结果互认共享，减少群众重复检查。",
        "description": "县域医共体内各成员单位检查检验结果互不相认，群众转诊时常需重复检查。需建设结果互认平台。",
        "sector": "智慧医疗",
        "region": "遵义市",
        "data_resources": "成员单位名录；检查检验数据字典",
        "expected_outcomes": "重复检查率下降30%以上",
        "budget_min": "80万",
        "budget_max": "1,500,000",
        "question_deadline": (today + timedelta(days=20)).isoformat(),
        "closing_date": (today + timedelta(days=40)).strftime("%Y/%m/%d"),
        "contact_name": "王磊",
        "contact_phone": "0851-86800000",
        "contact_email": "wanglei@example.gov.cn",
        "department": "贵州省卫生健康委员会",
    }
    base.update(overrides)
    return base


FIELDS = [c.field for c in imports.COLUMNS]


def csv_bytes(
    rows: list[dict[str, Any]], *, encoding: str = "utf-8", header: list[str] | None = None
) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header or HEADER_ZH)
    for r in rows:
        writer.writerow([r.get(f, "") for f in FIELDS])
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict[str, Any]], *, header: list[str] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header or HEADER_EN)
    for r in rows:
        sheet.append([r.get(f) for f in FIELDS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def titles(n: int) -> list[dict[str, Any]]:
    return [row(title=f"县域医共体检查检验结果互认平台{i}") for i in range(1, n + 1)]


# ------------------------------------------------------------------------------------ good files


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_import_in_every_encoding(db, shared_world, encoding):
    w = shared_world
    rows = [
        row(),
        row(
            title="高速公路团雾智能预警",
            sector="smart-transport",
            region="Province-wide",
            department="贵州省交通运输厅",
            budget_min="",
            budget_max="",
        ),
    ]
    content = csv_bytes(rows, encoding=encoding)

    preview = imports.preview_import(w.authority.actor, "第一批.csv", content, session=db)
    assert preview.ok and preview.valid_count == 2, [e.message("en") for e in preview.errors]
    assert preview.file_type == "csv"

    result = imports.commit_import(w.authority.actor, "第一批.csv", content, session=db)
    assert result.count == 2 and result.status == ScenarioStatus.DRAFT
    first, second = (db.get(Scenario, i) for i in result.scenario_ids)
    assert first.title == "县域医共体检查检验结果互认平台"
    assert (first.sector, first.region) == ("smart-health", "zunyi")
    assert (first.budget_min, first.budget_max) == (800_000, 1_500_000)
    assert first.data_resources == ["成员单位名录", "检查检验数据字典"]
    assert first.closing_date == clock.today() + timedelta(days=40)
    assert first.org_id == w.dept_a.org.id and first.created_by == w.authority.user.id
    assert first.status == ScenarioStatus.DRAFT
    assert (second.sector, second.region, second.org_id) == ("smart-transport", "province", w.dept_b.org.id)
    assert second.budget_min is None

    events = db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    created = [e for e in events if e.event == EventType.SCENARIO_CREATED]
    imported = [e for e in events if e.event == EventType.SCENARIOS_IMPORTED]
    assert [e.object_id for e in created] == list(result.scenario_ids)
    assert all(e.actor_id == w.authority.user.id for e in created)
    assert len(imported) == 1
    assert imported[0].payload["created"] == 2 and imported[0].payload["rows"] == 2
    assert imported[0].payload["departments"] == {"贵州省卫生健康委员会": 1, "贵州省交通运输厅": 1}
    assert imported[0].payload["scenario_ids"] == list(result.scenario_ids)
    logged = db.exec(select(ChangeLog.object_id).where(ChangeLog.object_type == "scenario")).all()
    assert set(result.scenario_ids) <= set(logged)


def test_xlsx_import_with_typed_cells_as_submitted(db, shared_world):
    w = shared_world
    today = clock.today()
    rows = [
        row(
            question_deadline=datetime.combine(today + timedelta(days=10), datetime.min.time()),
            closing_date=today + timedelta(days=30),
            budget_min=500000,
            budget_max=900000.0,
            contact_phone=13900000001,
            sector="Smart healthcare",
            region="guiyang",
        ),
        row(
            title="基层卫生院慢病随访智能助手", question_deadline="2099年1月2日", closing_date=73050
        ),  # serial
    ]
    content = xlsx_bytes(rows)
    result = imports.commit_import(w.authority.actor, "batch.xlsx", content, session=db, submit=True)
    a, b = (db.get(Scenario, i) for i in result.scenario_ids)
    assert a.status == b.status == ScenarioStatus.SUBMITTED
    assert a.question_deadline == today + timedelta(days=10) and a.closing_date == today + timedelta(days=30)
    assert (a.budget_min, a.budget_max, a.contact_phone) == (500_000, 900_000, "13900000001")
    assert (a.sector, a.region) == ("smart-health", "guiyang")
    assert b.question_deadline == date(2099, 1, 2) and b.closing_date == date(2099, 12, 31)
    history = db.exec(select(StatusChange).where(StatusChange.object_id == a.id)).all()
    assert [(h.from_status, h.to_status, h.actor_id) for h in history] == [
        ("draft", "submitted", w.authority.user.id)
    ]
    # Submitted scenarios land in the normal review queue.
    queue = {s.id for s in scenarios.list_review_queue(w.authority.actor, session=db)}
    assert set(result.scenario_ids) <= queue


def test_submit_requires_future_closing_date(db, shared_world):
    past = row(question_deadline="2020-01-01", closing_date="2020-02-01")
    content = csv_bytes([past])
    assert imports.preview_import(shared_world.authority.actor, "a.csv", content, session=db).ok
    preview = imports.preview_import(shared_world.authority.actor, "a.csv", content, session=db, submit=True)
    assert [(e.row, e.field, e.key) for e in preview.errors] == [
        (2, "closing_date", "validation.date_in_past")
    ]


def test_template_round_trip_in_both_languages(db, shared_world):
    for lang, header in (("zh", HEADER_ZH), ("en", HEADER_EN)):
        book = openpyxl.load_workbook(io.BytesIO(imports.import_template(lang)))
        sheet = book.worksheets[0]
        assert [c.value for c in sheet[1]] == header
        assert len(book.worksheets) == 3
        with pytest.raises(RuleViolation) as exc:  # header only: nothing to import
            imports.preview_import(
                shared_world.authority.actor, "t.xlsx", imports.import_template(lang), session=db
            )
        assert exc.value.key == "import.error.empty"
        sheet.append([row(title=f"模板导入测试场景{lang}").get(f) for f in FIELDS])
        out = io.BytesIO()
        book.save(out)
        result = imports.commit_import(shared_world.authority.actor, "t.xlsx", out.getvalue(), session=db)
        assert result.count == 1


def test_sample_file_imports_cleanly(db, shared_world):
    content = (DATA_DIR / "samples" / "scenario-import-sample.csv").read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    preview = imports.preview_import(shared_world.authority.actor, "sample.csv", content, session=db)
    assert preview.ok, [e.message("zh") for e in preview.errors]
    result = imports.commit_import(shared_world.authority.actor, "sample.csv", content, session=db)
    assert result.count == len(preview.rows) == 3


def test_header_aliases_units_and_english_codes(db, shared_world):
    header = [f"{h}" for h in FIELDS]
    header[FIELDS.index("budget_min")] = "预算下限（元）"
    header[FIELDS.index("title")] = " Title* "
    content = csv_bytes([row()], header=header)
    assert imports.preview_import(shared_world.authority.actor, "a.csv", content, session=db).ok


# ------------------------------------------------------------------------------------ refusals


def refused(db, world, name: str, content: bytes, **kw: Any) -> PortalError:
    """Both preview and commit refuse, with a translated message, and write nothing."""
    before = db_fingerprint(db)
    with pytest.raises(PortalError) as first:
        imports.preview_import(world.authority.actor, name, content, session=db, **kw)
    with pytest.raises(PortalError) as second:
        imports.commit_import(world.authority.actor, name, content, session=db, **kw)
    assert changed_tables(before, db_fingerprint(db)) == []
    assert first.value.key == second.value.key
    for lang in ("zh", "en"):
        text = second.value.message(lang)
        assert text and "import." not in text and "validation." not in text and "field." not in text
    return second.value


def test_missing_and_unknown_columns_are_named(db, shared_world):
    header = [h for h in HEADER_ZH if h not in ("领域", "揭榜截止日期")] + ["备注"]
    content = csv_bytes([row()], header=header)
    err = refused(db, shared_world, "a.csv", content)
    assert isinstance(err, ValidationFailed)
    zh, en = err.message("zh"), err.message("en")
    assert "领域" in zh and "揭榜截止日期" in zh and "备注" in zh
    assert "缺少必填列" in zh and "Required columns are missing" in en and "备注" in en


def test_repeated_column_is_refused(db, shared_world):
    content = csv_bytes([row()], header=HEADER_ZH[:-1] + ["标题"])
    err = refused(db, shared_world, "a.csv", content)
    assert "标题" in err.message("zh")


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("a.xlsx", b"PK\x03\x04 this is not a zip at all", "import.error.bad_excel"),
        ("a.xlsx", b"just some text renamed to xlsx", "import.error.bad_excel"),
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "import.error.xls"),
        ("a.pdf", b"%PDF-1.4 something", "import.error.format"),
        ("a.csv", b"", "import.error.empty"),
        ("a.csv", b"\r\n\r\n  ", "import.error.empty"),
        ("a.csv", "标题,摘要\n".encode(), "import.error.empty"),
        ("a.csv", b"\xff\xfe\x00", "import.error.encoding"),
        ("a.csv", b"\x81\x20\x81\x20 not gbk either \xff", "import.error.encoding"),
    ],
)
def test_broken_files_are_refused_with_a_clear_message(db, shared_world, name, content, key):
    assert refused(db, shared_world, name, content).key == key


def test_truncated_and_foreign_zip_xlsx(db, shared_world):
    good = xlsx_bytes([row()])
    assert refused(db, shared_world, "a.xlsx", good[: len(good) // 2]).key == "import.error.bad_excel"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    assert refused(db, shared_world, "a.xlsx", buf.getvalue()).key == "import.error.bad_excel"


def test_zip_bomb_is_refused_before_parsing(db, shared_world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (tabular.MAX_UNZIPPED_BYTES + 1))
    assert len(buf.getvalue()) < 1024 * 1024
    assert refused(db, shared_world, "a.xlsx", buf.getvalue()).key == "import.error.too_large"


def test_oversize_file_is_refused(db, shared_world):
    content = csv_bytes([row()])
    content += b" " * (5 * 1024 * 1024 + 1 - len(content))
    err = refused(db, shared_world, "a.csv", content)
    assert err.key == "import.error.too_large" and "5.0 MiB" in err.message("en")


def test_too_many_rows_is_refused(db, shared_world):
    rows = [row(title=f"批量导入测试场景{i:05d}") for i in range(imports.MAX_ROWS + 1)]
    exactly = csv_bytes(rows[:-1] + [{}] * 50)  # blank rows do not count
    assert (
        imports.preview_import(shared_world.authority.actor, "a.csv", exactly, session=db).valid_count == 2000
    )
    err = refused(db, shared_world, "a.csv", csv_bytes(rows))
    assert err.key == "import.error.too_many_rows" and "2000" in err.message("zh")


def test_department_may_not_import(db, shared_world):
    content = csv_bytes([row()])
    with record_checks() as checks, pytest.raises(PermissionDenied):
        imports.preview_import(shared_world.dept_a.actor, "a.csv", content, session=db)
    assert checks == [(Action.SCENARIO_IMPORT, None)]
    with pytest.raises(PermissionDenied):
        imports.commit_import(shared_world.vendor_x.actor, "a.csv", content, session=db)


# ------------------------------------------------------------------------------------ row errors


def test_row_errors_carry_row_numbers_and_translate(db, shared_world):
    rows = [
        row(),
        row(title="短", sector="智慧农业", department="不存在的厅"),
        {},  # blank line: skipped, but counted in the row numbers
        row(
            title="另一个合格的场景标题",
            budget_min="很多",
            question_deadline="2027-02-30",
            contact_email="not-an-email",
        ),
    ]
    preview = imports.preview_import(shared_world.authority.actor, "a.csv", csv_bytes(rows), session=db)
    found = {(e.row, e.field, e.key) for e in preview.errors}
    assert found == {
        (3, "title", "validation.too_short_weighted"),
        (3, "sector", "validation.unknown_sector"),
        (3, "department", "import.unknown_department"),
        (5, "budget_min", "validation.not_a_number"),
        (5, "question_deadline", "validation.not_a_date"),
        (5, "contact_email", "validation.email"),
    }
    assert [r.row for r in preview.rows] == [2, 3, 5] and preview.valid_count == 1
    messages = {e.message("zh") for e in preview.errors} | {e.message("en") for e in preview.errors}
    assert "第3行：主管部门“不存在的厅”不是平台上已注册的行业主管部门。" in messages
    assert "Row 5: Minimum budget must be a whole number." in messages
    assert not any("validation." in m or "import." in m for m in messages)


def test_bad_row_among_good_ones_writes_nothing(db, shared_world):
    rows = titles(5)
    rows[3]["closing_date"] = "明年"
    before = db_fingerprint(db)
    with pytest.raises(ValidationFailed) as exc:
        imports.commit_import(shared_world.authority.actor, "a.csv", csv_bytes(rows), session=db)
    assert changed_tables(before, db_fingerprint(db)) == []
    assert [(e.row, e.field) for e in exc.value.errors] == [(5, "closing_date")]
    assert "第5行" in exc.value.message("zh") and "Row 5" in exc.value.message("en")


def test_failure_midway_rolls_back_to_the_savepoint_only(db, shared_world, monkeypatch):
    w = shared_world
    db.add(Notification(user_id=w.authority.user.id, kind="invited", params={"title": "caller's own work"}))
    db.flush()
    before = db_fingerprint(db)
    real = scenarios.create_scenario
    calls = []

    def flaky(actor, data, *, session):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return real(actor, data, session=session)

    monkeypatch.setattr(scenarios, "create_scenario", flaky)
    with pytest.raises(RuntimeError):
        imports.commit_import(w.authority.actor, "a.csv", csv_bytes(titles(4)), session=db)
    assert len(calls) == 3
    assert changed_tables(before, db_fingerprint(db)) == []  # two created rows are gone, caller's row stays
    kinds = db.exec(select(Notification.params)).all()
    assert {"title": "caller's own work"} in kinds


def test_duplicates_in_file_and_against_existing(db, shared_world):
    w = shared_world
    existing = scenarios.create_scenario(
        w.dept_a.actor, scenario_data(title="已有的远程影像诊断场景"), session=db
    )
    rows = [
        row(title="新的场景甲"),
        row(title="新的场景甲 "),  # same after cleaning
        row(title="新的场景甲", department="贵州省交通运输厅"),  # other department: fine
        row(title="已有的远程影像诊断场景"),
    ]
    preview = imports.preview_import(w.authority.actor, "a.csv", csv_bytes(rows), session=db)
    assert [(e.row, e.key, e.params) for e in preview.errors] == [
        (3, "import.duplicate_in_file", {"other": 2}),
        (5, "import.duplicate_existing", {"id": existing.id}),
    ]
    assert "第2行" in preview.errors[0].message("zh")
    # A withdrawn scenario does not block importing its title again.
    scenarios.withdraw_scenario(w.dept_a.actor, existing.id, "重新征集", session=db)
    again = imports.preview_import(w.authority.actor, "a.csv", csv_bytes(rows[3:]), session=db)
    assert again.ok


def test_importing_the_same_file_twice_is_refused(db, shared_world):
    content = csv_bytes(titles(3))
    imports.commit_import(shared_world.authority.actor, "a.csv", content, session=db)
    before = db_fingerprint(db)
    with pytest.raises(ValidationFailed) as exc:
        imports.commit_import(shared_world.authority.actor, "a.csv", content, session=db)
    assert {e.key for e in exc.value.errors} == {"import.duplicate_existing"}
    assert changed_tables(before, db_fingerprint(db)) == []


# ------------------------------------------------------------------------------------ fuzzing

PAYLOADS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE scenario; --",
    "Robert'); DELETE FROM audit_event WHERE ('1'='1",
    "=cmd|' /C calc'!A0",
    "%_\\%' OR 1=1 --",
    "\x00\x01\x02\x1b[31m",
    "\u202eevil\u202c\u200b",
    "场景标题e\u200b\u0301测试",  # a removed zero-width space must not leave text un-normalised
    "😀🚀👨‍👩‍👧‍👦" * 20,
    "𠀀𪚥龘" * 10,
    "a" * 9000,
    "中" * 130,
    "  \t  ",
    "99999999999999999999999",
    "-1",
    "1e309",
    "NaN",
    "0000-00-00",
    "9999-12-31",
    "2027-13-01",
    "１２３４５",
]
TEXT_FIELDS = ("title", "title_en", "summary", "description", "expected_outcomes", "contact_name")
cell = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=4, max_size=300),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(date.isoformat),
)
fuzzed_rows = st.dictionaries(st.sampled_from(FIELDS), cell, min_size=1, max_size=4)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def check_outcome(db, world, name: str, content: bytes, rows: list[dict[str, Any]]) -> None:
    """Imported cleanly with text stored as cleaned, or refused with a translated message: nothing else."""
    before = db_fingerprint(db)
    try:
        result = imports.commit_import(world.authority.actor, name, content, session=db)
    except PortalError as exc:
        event(f"refused: {exc.key}")
        assert changed_tables(before, db_fingerprint(db)) == []
        for lang in ("zh", "en"):
            text = exc.message(lang)
            assert text and "validation." not in text and "import." not in text and "field." not in text
        return
    event("imported")
    try:
        assert result.count == len(rows)
        for sid, given_row in zip(result.scenario_ids, rows, strict=True):
            stored = db.get(Scenario, sid)
            for f in TEXT_FIELDS:
                value = given_row.get(f)
                if isinstance(value, str) and clean_text(value):
                    assert getattr(stored, f) == clean_text(value), f
    finally:
        db.rollback()


@FUZZ
@given(overrides=st.lists(fuzzed_rows, min_size=1, max_size=3))
def test_fuzzed_csv_cells_import_cleanly_or_are_refused(db, shared_world, overrides):
    rows = [row(**({"title": f"模糊测试场景标题{i}"} | o)) for i, o in enumerate(overrides)]
    check_outcome(db, shared_world, "fuzz.csv", csv_bytes(rows), rows)


xlsx_cell = st.one_of(
    cell.map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.booleans(),
)


@settings(FUZZ, max_examples=30)
@given(
    overrides=st.lists(
        st.dictionaries(st.sampled_from(FIELDS), xlsx_cell, min_size=1, max_size=4), min_size=1, max_size=2
    )
)
def test_fuzzed_xlsx_cells_import_cleanly_or_are_refused(db, shared_world, overrides):
    rows = [row(**({"title": f"模糊测试场景标题{i}"} | o)) for i, o in enumerate(overrides)]
    check_outcome(db, shared_world, "fuzz.xlsx", xlsx_bytes(rows), rows)


def test_stored_text_is_inert(db, shared_world):
    payload = "<script>alert('x')</script>'; DROP TABLE scenario; --"
    rows = [
        row(title="脚本注入测试<b>标题</b>", summary=payload + "，需要确保安全。", expected_outcomes="=1+1")
    ]
    result = imports.commit_import(shared_world.authority.actor, "a.csv", csv_bytes(rows), session=db)
    stored = db.get(Scenario, result.scenario_ids[0])
    assert stored.title == "脚本注入测试<b>标题</b>"
    assert stored.summary == payload + "，需要确保安全。"
    assert stored.expected_outcomes == "=1+1"
    assert db.exec(select(Scenario).where(Scenario.id == stored.id)).one().summary == stored.summary


@pytest.mark.parametrize(
    "tricky",
    [
        "e\u200b\u0301",
        "\u202eevil\u202c",
        "a\x00b\x1bc",
        "😀👨‍👩‍👧‍👦",
        "line1\r\nline2\rline3",
        "Å vs A\u030a",
    ],
)
def test_text_is_stored_exactly_as_cleaned(db, shared_world, tricky):
    summary = f"摘要测试文本{tricky}需要原样保存。"
    rows = [row(summary=summary)]
    result = imports.commit_import(shared_world.authority.actor, "a.csv", csv_bytes(rows), session=db)
    assert db.get(Scenario, result.scenario_ids[0]).summary == clean_text(summary)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.one_of(st.text(), st.text(alphabet=st.sampled_from("e\u0301\u200bA\u030a \r\n\x00\u202e中"))))
def test_cleaning_is_idempotent(text):
    """Import cleans a cell, then ``create_scenario`` cleans again: both must give the same text."""
    assert clean_text(clean_text(text)) == clean_text(text)


def test_every_message_key_of_the_ops_services_is_translated():
    import re
    from pathlib import Path

    from portal.i18n import messages

    keys = set()
    for name in ("imports", "exports", "reports"):
        source = (Path(imports.__file__).parent / f"{name}.py").read_text(encoding="utf-8")
        keys |= set(re.findall(r'"((?:import|export|report|validation|error|field)\.[a-z_.]+)"', source))
    keys |= {f"field.{c.field}" for c in imports.COLUMNS} | {f"import.hint.{c.kind}" for c in imports.COLUMNS}
    catalogue = messages()
    missing = sorted(
        k for k in keys if not (catalogue.get(k, {}).get("zh") and catalogue.get(k, {}).get("en"))
    )
    assert len(keys) > 30 and missing == []
