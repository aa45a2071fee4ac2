"""Personal data through the pages: the public scenario page shows none of it; the edit form warns
at the field, refuses the save, and saves once the department confirms."""

from __future__ import annotations

from sqlmodel import select

from portal.audit import EventType
from portal.domain import pii
from portal.models import AuditEvent, Scenario, ScenarioStatus
from tests.factories import scenario_in
from tests.portal.test_pii_services import PLANTED, _desc, leaks
from tests.ui.conftest import no_errors, texts

S = ScenarioStatus
TITLE = "城区主干道交通信号智能配时优化"


def test_public_scenario_page_shows_no_personal_data_in_any_variant(app, session, world):
    sc = scenario_in(
        session,
        world,
        S.PUBLISHED,
        summary="为全省乡镇卫生院提供远程影像诊断能力，联系 139 0000 1234。",
        description=_desc(PLANTED),
        confirm_pii=True,
    )
    session.commit()
    for party in (None, world.vendor_x):
        at = app(party, "scenario", id=sc.id)
        no_errors(at)
        shown = texts(at).replace("\\", "")  # Markdown escapes removed
        assert pii.MASK in shown
        assert not leaks(shown), leaks(shown)
    at = app(None, "scenarios")  # the list cards too
    no_errors(at)
    assert "联系 " + pii.MASK in texts(at).replace("\\", "")
    assert not leaks(texts(at))
    at = app(world.dept_a, "scenario", id=sc.id)  # its department reads what it wrote
    assert "139 0000 1234" in texts(at).replace("\\", "")


def _fill(at, description: str) -> None:
    at.text_input(key="ed0__title").input(TITLE)
    at.text_area(key="ed0__summary").input("利用卡口和地磁数据优化主干道信号配时，缓解早晚高峰拥堵。")
    at.text_area(key="ed0__description").input(description)


def _pii_boxes(at):
    return [c for c in at.checkbox if str(c.key).startswith("ed0__pii_")]


def test_a_phone_in_the_description_is_warned_at_the_field_and_can_be_confirmed(app, session, world):
    at = app(world.dept_a, "edit-scenario")
    _fill(at, _desc("如需数据请联系王工，电话 一三八 零零一三 八零零零。"))
    at.run()
    warnings = [w.value for w in at.warning]
    assert any("手机号码" in w for w in warnings), warnings
    boxes = _pii_boxes(at)
    assert [str(b.key).split("__pii_")[1].split("_")[0] for b in boxes] == ["description"]

    at.button(key="ed_save").click().run()  # not confirmed: refused, nothing saved
    assert at.error and "详细描述：似乎含有手机号码" in at.error[0].value
    assert session.exec(select(Scenario).where(Scenario.title == TITLE)).first() is None

    _pii_boxes(at)[0].check().run()
    at.button(key="ed_save").click().run()
    no_errors(at)
    saved = session.exec(select(Scenario).where(Scenario.title == TITLE)).one()
    assert "一三八 零零一三 八零零零" in saved.description  # kept as written, for its department
    event = session.exec(select(AuditEvent).where(AuditEvent.event == EventType.SCENARIO_PII_CONFIRMED)).one()
    assert event.object_id == saved.id and list(event.payload["fields"]) == ["description"]

    at = app(world.dept_a, "edit-scenario", id=saved.id)  # confirmed once: said so, not asked again
    no_errors(at)
    assert not _pii_boxes(at)
    assert "已确认此字段中的内容不是个人信息" in texts(at)


def test_a_changed_number_draws_a_fresh_unticked_box(app, world):
    at = app(world.dept_a, "edit-scenario")
    _fill(at, _desc("电话 138-0013-8000。"))
    at.run()
    _pii_boxes(at)[0].check().run()
    at.text_area(key="ed0__description").input(_desc("电话 139-0013-8000。")).run()
    boxes = _pii_boxes(at)
    assert len(boxes) == 1 and not boxes[0].value
    at.button(key="ed_save").click().run()
    assert at.error and "详细描述" in at.error[0].value
