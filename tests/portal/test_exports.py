"""Open-data export and call lists: no personal data in any byte, public statuses only, valid files."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from portal import clock
from portal.audit import EventType
from portal.domain.errors import NotFound, PermissionDenied, RuleViolation
from portal.models import AuditEvent, Organization, Role, Scenario, ScenarioStatus, User
from portal.permissions import PUBLIC_STATUSES, Action, actor_for, record_checks
from portal.services import calls, exports, outcomes, reports
from tests.factories import scenario_in
from tests.portal.fingerprint import changed_tables, db_fingerprint

S = ScenarioStatus
LEAKY = "本场景由王磊负责，电话 0851-86800000、手机 139 0000 1234 或 +86 13512345678，邮箱 wanglei@example.gov.cn。"

# Independent of the implementation's patterns: what a leak would look like in an exported byte.
MOBILE = re.compile(r"(?<!\d)1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+\s*[@＠]\s*[\w-]+\.[\w.-]+", re.ASCII)


def authority_actor(session):
    user = session.exec(select(User).where(User.role == Role.AUTHORITY)).first()
    return actor_for(user, session.get(Organization, user.org_id))


def generated(session, world) -> None:
    """Scenarios in every status; personal data planted in free text and contact fields."""
    for status in S:
        scenario_in(
            session,
            world,
            status,
            title=f"远程影像诊断服务{status}",
            description=LEAKY + "需要建设平台。",
            confirm_pii=True,  # the department confirmed wrongly: the export must scrub in any case
        )
    done = scenario_in(
        session,
        world,
        S.COMPLETED,
        title='=HYPERLINK("http://x")远程影像',
        owner=world.dept_b,
        contact_name="李娜",
    )
    outcomes.record_outcome(
        world.dept_b.actor,
        done.id,
        {
            "contract_value": 990_000,
            "summary": "验收联系人李娜 13800001111，lina@example.com。",
            "achieved_indicators": [],
        },
        session=session,
    )
    session.commit()


@pytest.fixture(params=["generated", "demo"])
def populated(request, session):
    """(session, authority actor) over generated data, or over the demo data when it loads."""
    if request.param == "demo":
        from portal.demo import load_demo

        try:
            load_demo(session)
        except FileNotFoundError as exc:  # demo data still being written
            pytest.skip(f"demo data incomplete: {exc}")
        session.commit()
    else:
        from tests.factories import build_world

        generated(session, build_world(session))
    return session, authority_actor(session)


def personal_strings(session) -> set[str]:
    """Every phone, e-mail and personal name the database knows (organisation names excepted)."""
    org_names = set(session.exec(select(Organization.name)).all())
    values: set[str] = set()
    for table, fields in (
        (Scenario, ("contact_name", "contact_phone", "contact_email")),
        (Organization, ("contact_name", "contact_phone", "contact_email")),
    ):
        for f in fields:
            values |= set(session.exec(select(getattr(table, f))).all())
    values |= set(session.exec(select(User.display_name)).all()) - org_names
    values |= {"王磊", "李娜", "wanglei@example.gov.cn", "13800001111"}
    return {v for v in values if v and len(v) >= 2}


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_no_personal_data_in_any_exported_byte(populated, fmt):
    session, authority = populated
    files = exports.export_open_data(authority, fmt, session=session)
    secrets = personal_strings(session)
    assert secrets
    for name, content in files.items():
        text = content.decode("utf-8-sig")
        leaks = [s for s in secrets if s in text]
        assert not leaks, (name, leaks[:5])
        for pattern in (MOBILE, LANDLINE, EMAIL):
            assert not pattern.search(text), (name, pattern.pattern, pattern.search(text))
        assert "contact" not in text  # no contact_* column or key at all


def test_only_public_statuses_are_exported(populated):
    session, authority = populated
    records = json.loads(exports.export_open_data(authority, "json", session=session)["scenarios.json"])
    public = session.exec(select(Scenario.id).where(Scenario.status.in_(PUBLIC_STATUSES))).all()  # type: ignore[attr-defined]
    assert sorted(r["id"] for r in records) == sorted(public)
    assert {r["status"] for r in records} <= {str(s) for s in PUBLIC_STATUSES}
    outcome_rows = json.loads(exports.export_open_data(authority, "json", session=session)["outcomes.json"])
    assert {r["scenario_id"] for r in outcome_rows} <= set(public)
    assert all(r["vendor"] for r in outcome_rows)


def test_generated_export_content(session, world):
    generated(session, world)
    authority = world.authority.actor
    data = exports.export_open_data(authority, "json", session=session)
    scenarios = json.loads(data["scenarios.json"])
    assert len(scenarios) == len(PUBLIC_STATUSES) + 1
    first = next(r for r in scenarios if r["status"] == "published")
    assert first["sector_zh"] == "智慧医疗" and first["sector_en"] == "Smart healthcare"
    assert first["region_zh"] == "全省" and first["department"] == "贵州省卫生健康委员会"
    assert first["description"].startswith(
        "本场景由[已隐去]负责，电话 [已隐去]、手机 [已隐去] 或 [已隐去]，邮箱 [已隐去]。"
    )
    rows = json.loads(data["outcomes.json"])
    by_title = {r["scenario_title"]: r for r in rows}
    leaked = by_title['=HYPERLINK("http://x")远程影像']
    assert leaked["summary"] == "验收联系人[已隐去] [已隐去]，[已隐去]。"
    assert leaked["vendor"] in {"贵州黔云数智科技有限公司", "遵义数联科技有限公司"}
    assert leaked["contract_value"] == 990_000
    shown = by_title["远程影像诊断服务showcased"]
    assert shown["achieved_indicators"] == [
        {"name": "报告出具时间", "target": "≤2小时", "achieved": "1.2小时"}
    ]
    events = session.exec(select(AuditEvent).where(AuditEvent.event == EventType.DATA_EXPORTED)).all()
    assert len(events) == 1 and events[0].actor_id == world.authority.user.id
    assert events[0].payload == {
        "format": "json",
        "files": {"scenarios.json": len(scenarios), "outcomes.json": len(rows), "annexes.json": 0},
    }


def test_csv_round_trips_to_the_json_records(populated):
    session, authority = populated
    as_csv = exports.export_open_data(authority, "csv", session=session)
    as_json = exports.export_open_data(authority, "json", session=session)
    for stem, fields in (("scenarios", exports.SCENARIO_FIELDS), ("outcomes", exports.OUTCOME_FIELDS)):
        raw = as_csv[f"{stem}.csv"]
        assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Chinese correctly
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
        assert tuple(reader.fieldnames or ()) == fields
        records = json.loads(as_json[f"{stem}.json"])
        rows = list(reader)
        assert len(rows) == len(records)
        for got, want in zip(rows, records, strict=True):
            assert {k: _from_csv(v, want[k]) for k, v in got.items()} == want


def _from_csv(cell: str, like: Any) -> Any:
    if isinstance(like, (list, dict)):
        return json.loads(cell)
    if like is None:
        return None if cell == "" else cell
    if isinstance(like, int):
        return int(cell)
    if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@"):
        return cell[1:]
    return cell


def test_formula_cells_are_neutralised_in_csv_only(session, world):
    generated(session, world)
    files = exports.export_open_data(world.authority.actor, "csv", session=session)
    text = files["outcomes.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert exports.guard_formula("-1") == "'-1" and exports.guard_formula("普通文本") == "普通文本"


def test_export_needs_data_export_permission(session, world):
    before = db_fingerprint(session)
    for party in (world.dept_a, world.vendor_x):
        with record_checks() as checks, pytest.raises(PermissionDenied):
            exports.export_open_data(party.actor, "csv", session=session)
        assert checks == [(Action.DATA_EXPORT, None)]
    with pytest.raises(RuleViolation):
        exports.export_open_data(world.authority.actor, "xml", session=session)
    assert changed_tables(before, db_fingerprint(session)) == []


# ------------------------------------------------------------------------------------ scrubbing

filler = st.text(alphabet="场景平台建设数据共享服务需求的和与，。：（）", min_size=0, max_size=12)
mobile = st.builds(
    lambda prefix, head, body, sep: prefix + head + sep.join([body[:4], body[4:]]),
    st.sampled_from(["", "+86", "+86 ", "86-"]),
    st.sampled_from(["139", "135", "188", "177"]),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.sampled_from(["", " ", "-"]),
)
landline = st.builds(
    lambda area, num, sep: f"{area}{sep}{num}",
    st.sampled_from(["0851", "(0851)", "010", "0857"]),
    st.text(alphabet="0123456789", min_size=8, max_size=8).filter(lambda s: s[0] != "0"),
    st.sampled_from(["", "-", " "]),
)
email = st.builds(
    lambda user, dom, tld, at: f"{user}{at}{dom}.{tld}",
    st.from_regex(r"[a-z][a-z0-9._]{0,12}", fullmatch=True),
    st.from_regex(r"[a-z0-9]{1,10}(\.[a-z]{2,5})?", fullmatch=True),
    st.sampled_from(["cn", "com", "gov.cn", "org"]),
    st.sampled_from(["@", "＠", " @ "]),
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(before=filler, contact=st.one_of(mobile, landline, email), after=filler)
def test_scrubber_removes_phones_and_emails_and_keeps_the_rest(before, contact, after):
    out = exports.Scrubber().text(before + contact + after)
    assert out == before + exports.REDACTED + after


@pytest.mark.parametrize(
    "text",
    [
        "预算1500000元，覆盖88个乡镇卫生院。",
        "2026-11-25至2027-03-31实施，第3批清单。",
        "准确率达到99.5%，响应时间≤200毫秒，2,000,000条记录。",
        "Email-based workflow with 3 phases.",
    ],
)
def test_scrubber_keeps_ordinary_numbers(text):
    assert exports.Scrubber().text(text) == text


def test_scrubber_removes_known_personal_names():
    scrubber = exports.Scrubber(["王磊", "Laura Becker", "A"])
    assert (
        scrubber.text("联系人王磊；Contact Laura Becker. A grade")
        == "联系人[已隐去]；Contact [已隐去]. A grade"
    )


# ------------------------------------------------------------------------------------ call list


def published_call(session, world, titles: list[str]):
    call = calls.create_call(
        world.authority.actor,
        {
            "theme": "2026年第一批数字政府应用场景",
            "theme_en": "Digital government scenarios",
            "opens_on": clock.today() - timedelta(days=5),
            "closes_on": clock.today() + timedelta(days=5),
        },
        session=session,
    )
    session.commit()
    made = [
        scenario_in(
            session,
            world,
            S.PUBLISHED,
            title=t,
            call_id=call.id,
            description=LEAKY + "需要建设平台。",
            confirm_pii=True,
        )
        for t in titles
    ]
    scenario_in(session, world, S.SUBMITTED, title="尚未审核的场景不入清单", call_id=call.id)
    calls.close_call(world.authority.actor, call.id, session=session)
    calls.publish_call_list(world.authority.actor, call.id, session=session)
    session.commit()
    return call, made


def test_call_list_csv_is_numbered_and_public(session, world):
    call, made = published_call(
        session, world, ["智慧养老服务平台", "<script>alert(1)</script>远程诊断", "=SUM(A1)电子证照"]
    )
    f = exports.call_list_export(call.id, "csv", session=session)
    assert f.name == "scenario-list-batch-1.csv" and f.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(f.content.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["序号", "标题", "主管部门"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert [r[1] for r in rows[1:]] == [
        "智慧养老服务平台",
        "<script>alert(1)</script>远程诊断",
        "'=SUM(A1)电子证照",
    ]
    assert (
        rows[1][2] == "贵州省卫生健康委员会" and rows[1][3] == "智慧医疗" and rows[1][5] == "80万元 – 150万元"
    )
    text = f.content.decode("utf-8-sig")
    assert "尚未审核" not in text and not MOBILE.search(text) and not EMAIL.search(text)
    en = exports.call_list_export(call.id, "csv", session=session, lang="en")
    assert en.content.decode("utf-8-sig").startswith("No.,Title,Department")


def test_call_list_html_is_escaped_and_printable(session, world):
    call, _ = published_call(session, world, ["<script>alert(1)</script>远程诊断", "智慧养老服务平台"])
    page = exports.call_list_export(call.id, "html", session=session).content.decode()
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page
    assert "<h1>第1批应用场景清单</h1>" in page and "2026年第一批数字政府应用场景" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;远程诊断" in page
    assert page.count("<tr>") == 3 and "共2个场景" in page
    en = exports.call_list_export(call.id, "html", session=session, lang="en").content.decode()
    assert "Application Scenario List, Batch 1" in en and "Digital government scenarios" in en


def test_call_list_needs_a_published_call(session, world):
    call = calls.create_call(
        world.authority.actor,
        {
            "theme": "尚未发布的征集批次",
            "opens_on": clock.today(),
            "closes_on": clock.today() + timedelta(days=9),
        },
        session=session,
    )
    with pytest.raises(NotFound):
        exports.call_list_export(call.id, "csv", session=session)
    with pytest.raises(NotFound):
        exports.call_list_export(9999, "html", session=session)
    with pytest.raises(RuleViolation):
        exports.call_list_export(call.id, "pdf", session=session)


# Lives here, not in test_reports.py: that module shares one prepared database (``db``), which a
# function-scoped ``session`` would truncate on PostgreSQL.
def test_empty_database_gives_empty_numbers(session, world):
    a = world.authority.actor
    d = reports.dashboard(a, session=session)
    assert (d.by_sector, d.published_per_month, d.bids_per_scenario) == ({}, [], {})
    assert d.good_match.share is None and d.median_days_to_award is None
