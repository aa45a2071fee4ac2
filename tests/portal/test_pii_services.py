"""Personal data written into a scenario: refused per field unless confirmed, masked in every public read.

The planted text is every positive of the corpus (``tests/data/pii_cases.json``): each kind, each
way of writing it. A public read must contain none of it; the owning department and the authority
read the original.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlmodel import select

from portal.audit import EventType
from portal.domain import pii
from portal.domain.errors import PersonalDataFound
from portal.models import AuditEvent, Notification, Scenario, ScenarioStatus
from portal.permissions import ANONYMOUS
from portal.services import exports, imports, scenarios
from portal.views.public import home_page
from portal.views.scenario import scenario_page
from tests.factories import scenario_data, scenario_in
from tests.portal.fingerprint import changed_tables, db_fingerprint

S = ScenarioStatus
ROOT = Path(__file__).resolve().parents[2]
POSITIVES = [c for c in json.loads((ROOT / "tests/data/pii_cases.json").read_text("utf-8")) if c["kinds"]]
PLANTED = "；".join(c["text"] for c in POSITIVES)
#: The personal data itself, as written, of every positive variant.
RAW = sorted({c["text"][f.start : f.end] for c in POSITIVES for f in pii.find(c["text"])})
PHONE = "联系人手机 139 0000 1234，工作日可拨打。"


def leaks(text: str) -> list[str]:
    """The raw personal data found in ``text`` (Markdown escapes removed first)."""
    plain = text.replace("\\", "")
    return [raw for raw in RAW if raw in plain]


def _desc(extra: str) -> str:
    return "全省乡镇卫生院普遍缺少放射科医生，需要建设远程影像诊断平台。" + extra


# ------------------------------------------------------------------------------------ writing


def test_a_phone_in_the_description_is_refused_at_that_field(session, world):
    before = db_fingerprint(session)
    with pytest.raises(PersonalDataFound) as err:
        scenarios.save_scenario(
            world.dept_a.actor, None, scenario_data(description=_desc(PHONE)), session=session
        )
    assert [(e.field, str(e.params["kind"])) for e in err.value.errors] == [
        ("description", "pii.kind.mobile")
    ]
    assert set(err.value.fingerprints) == {"description"}
    assert "详细描述：似乎含有手机号码" in err.value.message("zh")
    assert "Description: seems to contain a mobile number" in err.value.message("en")
    session.rollback()
    assert changed_tables(before, db_fingerprint(session)) == []


def test_every_field_and_kind_is_reported_at_once(session, world):
    data = scenario_data(
        title="远程诊断 13800138000",
        summary="邮箱 zhang at example dot com，为全省乡镇卫生院提供远程影像诊断能力。",
        description=_desc("身份证11010519491231002X"),
        indicators=[{"name": "热线", "target": "（0851）86823456"}],
    )
    with pytest.raises(PersonalDataFound) as err:
        scenarios.create_scenario(world.dept_a.actor, data, session=session)
    assert sorted((e.field, str(e.params["kind"])) for e in err.value.errors) == [
        ("description", "pii.kind.id_number"),
        ("indicators", "pii.kind.landline"),
        ("summary", "pii.kind.email"),
        ("title", "pii.kind.mobile"),
    ]


def test_contact_fields_are_not_free_text(session, world):
    sc = scenarios.create_scenario(
        world.dept_a.actor, scenario_data(contact_phone="13900001234"), session=session
    )
    assert sc.contact_phone == "13900001234"


def test_confirmation_per_field_is_audited_and_holds_until_the_data_changes(session, world):
    dept = world.dept_a.actor
    data = scenario_data(description=_desc(PHONE))
    with pytest.raises(PersonalDataFound) as err:
        scenarios.save_scenario(dept, None, data, session=session)
    fp = err.value.fingerprints["description"]
    with pytest.raises(PersonalDataFound):  # a wrong fingerprint confirms nothing
        scenarios.save_scenario(dept, None, data, pii_confirmed={"description": "0" * 16}, session=session)
    sc = scenarios.save_scenario(dept, None, data, pii_confirmed={"description": fp}, session=session)
    session.commit()
    event = session.exec(select(AuditEvent).where(AuditEvent.event == EventType.SCENARIO_PII_CONFIRMED)).one()
    assert event.object_id == sc.id and event.actor_id == world.dept_a.user.id
    assert event.payload["fields"] == {"description": {"kinds": ["mobile"], "fingerprint": fp}}
    assert "1234" not in json.dumps(event.payload)  # the data itself is never logged

    # Another edit does not ask again; the same number written differently is the same data.
    same = _desc("联系人手机 一三九 零零零零 一二三四，工作日可拨打。")
    sc = scenarios.save_scenario(
        dept, sc.id, {"title": "基层医疗机构远程影像诊断服务平台", "description": same},
        expected_version=sc.version, session=session,
    )  # fmt: skip
    scenarios.submit_scenario(dept, sc.id, session=session)
    session.commit()
    assert sc.status == S.SUBMITTED


def test_a_changed_number_asks_again(session, world):
    dept = world.dept_a.actor
    sc = scenario_in(session, world, S.DRAFT, description=_desc(PHONE), confirm_pii=True)
    session.commit()
    with pytest.raises(PersonalDataFound) as err:
        scenarios.update_scenario(
            dept, sc.id, {"description": _desc("联系人手机 139 0000 5678。")}, expected_version=sc.version,
            session=session,
        )  # fmt: skip
    assert [e.field for e in err.value.errors] == ["description"]


def test_submit_refuses_unconfirmed_personal_data_written_before_the_check(session, world):
    sc = scenario_in(session, world, S.DRAFT)
    session.exec(select(Scenario).where(Scenario.id == sc.id)).one().description = _desc(PHONE)
    session.commit()  # e.g. a row from before this rule
    with pytest.raises(PersonalDataFound):
        scenarios.submit_scenario(world.dept_a.actor, sc.id, session=session)


def test_an_import_row_with_personal_data_is_refused_with_row_and_field(session, world):
    header = ["主管部门", "标题", "摘要", "详细描述", "领域", "地区", "答疑截止日期", "揭榜截止日期"]
    data = scenario_data()
    row = [
        world.dept_a.org.name, data["title"], data["summary"], _desc("身份证 11010519491231002X"),
        "smart-health", "province", data["question_deadline"].isoformat(), data["closing_date"].isoformat(),
    ]  # fmt: skip
    buf = io.StringIO()
    csv.writer(buf).writerows([header, row])
    preview = imports.preview_import(
        world.authority.actor, "batch.csv", buf.getvalue().encode(), session=session
    )
    assert not preview.ok
    messages = [e.message("zh") for e in preview.errors]
    assert any("第2行" in m and "详细描述" in m and "身份证号码" in m for m in messages), messages


# ------------------------------------------------------------------------------------ reading


@pytest.fixture
def planted(session, world):
    """A published scenario whose free text holds every positive variant (wrongly confirmed)."""
    sc = scenario_in(
        session,
        world,
        S.PUBLISHED,
        summary="为全省乡镇卫生院提供远程影像诊断能力，联系 139 0000 1234。",
        description=_desc(PLANTED),
        data_resources=["影像数据（管理员 zhang at example dot com）"],
        indicators=[{"name": "联系", "target": "（0851）86823456"}],
        confirm_pii=True,
    )
    session.commit()
    return sc


def test_planted_variants_are_all_found(planted):
    assert len(RAW) >= 70
    assert len(pii.find(planted.description)) >= len(POSITIVES)


def test_public_reads_mask_every_variant(session, world, planted):
    for actor in (ANONYMOUS, world.vendor_x.actor, world.dept_b.actor):
        page = scenario_page(actor, planted.id, session=session)
        shown = page.scenario.model_dump_json()
        assert not leaks(shown), (actor, leaks(shown))
        assert pii.MASK in page.scenario.description
    cards = scenarios.list_public_scenarios(session=session)
    assert cards and not leaks("".join(c.model_dump_json() for c in cards))
    home = home_page(ANONYMOUS, session=session)
    assert home.latest and not leaks("".join(c.model_dump_json() for c in home.latest))


def test_the_department_and_the_authority_read_the_original(session, world, planted):
    for actor in (world.dept_a.actor, world.authority.actor):
        page = scenario_page(actor, planted.id, session=session)
        assert page.scenario.description == planted.description


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_open_data_export_masks_every_variant(session, world, planted, fmt):
    files = exports.export_open_data(world.authority.actor, fmt, session=session)
    body = files[f"scenarios.{fmt}"].decode("utf-8-sig")
    assert str(planted.id) in body and pii.MASK in body
    assert not leaks(body), leaks(body)


def test_notifications_to_vendors_carry_no_personal_data(session, world, planted):
    scenarios.follow_scenario(world.vendor_x.actor, planted.id, session=session)
    from portal.services import bids
    from tests.factories import bid_data

    bids.save_and_submit_bid(world.vendor_x.actor, planted.id, bid_data(), session=session)
    scenarios.cancel_scenario(
        world.authority.actor, planted.id, "请联系 138-0013-8000 了解原因", session=session
    )
    session.commit()
    rows = session.exec(select(Notification).where(Notification.kind == "scenario_cancelled")).all()
    assert rows and all(not leaks(json.dumps(r.params, ensure_ascii=False)) for r in rows)
    assert all(pii.MASK in r.params["message"] for r in rows)
