"""The page/service seam as a user meets it: stale tabs get a conflict, hostile names stay inert,
sealed bids are not even counted, and a department can open each of its own scenarios.

Each test drives the real app (AppTest) over a real database; two AppTest instances of one user
are two browser tabs (two Streamlit sessions).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from sqlmodel import select

from portal.models import Bid, Scenario, ScenarioStatus, User
from portal.services import bids
from tests.factories import bid_data, scenario_in
from tests.ui.conftest import goto, no_errors, texts

S = ScenarioStatus
EVIL = "[请点此重新登录](http://evil.example/login)![b](http://evil.example/beacon.png)"
MD = MarkdownIt("commonmark")


def _links(at) -> list[str]:
    """Every link or image target that the run's Markdown elements would render."""
    found = []
    for kind in ("markdown", "caption", "title", "subheader", "info", "success", "warning", "error"):
        for element in getattr(at, kind):
            for token in MD.parseInline(str(element.value)):
                for child in token.children or []:
                    if child.type in ("link_open", "image"):
                        found.append(str(child.attrs.get("href") or child.attrs.get("src")))
    return found


def test_stale_tab_cannot_overwrite_a_newer_bid(app, session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    bids.save_bid(world.vendor_x.actor, sc.id, bid_data(price=1_000_000), session=session)
    session.commit()
    form = f"bid{sc.id}"
    tab_a = app(world.vendor_x, "scenario", id=sc.id)
    tab_b = app(world.vendor_x, "scenario", id=sc.id)  # opened before A saves: still shows the old bid
    tab_a.number_input(key=f"{form}__price").set_value(1_500_000)
    tab_a.button(key="bid_save").click().run()
    no_errors(tab_a)
    tab_b.text_input(key=f"{form}__timeline").input("合同签订后6个月")
    tab_b.button(key="bid_save").click().run()
    assert not tab_b.exception
    message = "\n".join(e.value for e in tab_b.error)
    assert "已被" in message and "未保存" in message, message
    assert "150万元" in texts(tab_b) or "1500000" in texts(tab_b)  # the other tab's price is shown
    bid = session.exec(select(Bid).where(Bid.scenario_id == sc.id)).one()
    session.refresh(bid)
    assert bid.price == 1_500_000 and bid.timeline != "合同签订后6个月"  # A's save is intact
    # "Reload" drops B's stale form; its next save starts from the newer version and goes through.
    tab_b.button(key=f"conflict_reload_{form}").click().run()
    assert tab_b.number_input(key=f"{form}__price").value == 1_500_000
    tab_b.text_input(key=f"{form}__timeline").input("合同签订后6个月")
    tab_b.button(key="bid_save").click().run()
    no_errors(tab_b)
    session.refresh(bid)
    assert (bid.price, bid.timeline) == (1_500_000, "合同签订后6个月")


def test_stale_tab_cannot_overwrite_a_newer_scenario_draft(app, session, world):
    sc = scenario_in(session, world, S.DRAFT, title="原始标题：远程影像诊断平台")
    form = f"ed{sc.id}"
    tab_a = app(world.dept_a, "edit-scenario", id=sc.id)
    tab_b = app(world.dept_a, "edit-scenario", id=sc.id)
    tab_a.text_input(key=f"{form}__title").input("甲的新标题：远程影像诊断云平台")
    tab_a.button(key="ed_save").click().run()
    no_errors(tab_a)
    tab_b.text_area(key=f"{form}__summary").input("乙修改的摘要：建设覆盖全省乡镇卫生院的远程影像诊断平台。")
    tab_b.button(key="ed_save").click().run()
    assert any("已被" in e.value for e in tab_b.error)
    assert "甲的新标题" in texts(tab_b)  # the other person's change, shown
    session.expire_all()
    saved = session.get(Scenario, sc.id)
    assert saved.title == "甲的新标题：远程影像诊断云平台" and not saved.summary.startswith("乙修改")


def test_a_new_bid_made_in_another_tab_is_not_silently_overwritten(app, session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    form = f"bid{sc.id}"
    tab_a = app(world.vendor_x, "scenario", id=sc.id)
    tab_b = app(world.vendor_x, "scenario", id=sc.id)
    for tab, team in ((tab_a, "项目经理1人、工程师4人"), (tab_b, "乙方团队：架构师2人")):
        data = bid_data()
        tab.text_area(key=f"{form}__approach").input(data["approach"])
        tab.text_input(key=f"{form}__timeline").input(data["timeline"])
        tab.number_input(key=f"{form}__price").set_value(data["price"])
        tab.text_area(key=f"{form}__team").input(team)
        tab.button(key="bid_save").click().run()
    no_errors(tab_a)
    assert any("已被" in e.value for e in tab_b.error)
    bid = session.exec(select(Bid).where(Bid.scenario_id == sc.id)).one()
    assert bid.team == "项目经理1人、工程师4人"


def test_hostile_names_render_inert_in_flash_and_conflict_messages(app, session, world):
    user = session.get(User, world.vendor_x.user.id)
    user.display_name = EVIL[:60]
    session.add(user)
    session.commit()
    at = app(None, "login")
    at.text_input(key="login_username").input("vendor_x")
    from tests.factories import PASSWORD

    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="login_submit").click().run()
    no_errors(at)
    assert "请点此重新登录" in texts(at)  # the welcome message names the user …
    assert _links(at) == []  # … as text: no link, no image beacon

    sc = scenario_in(session, world, S.PUBLISHED)
    bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=session)
    session.commit()
    tab_a = app(world.vendor_x, "scenario", id=sc.id)
    tab_b = app(world.vendor_x, "scenario", id=sc.id)
    tab_a.number_input(key=f"bid{sc.id}__price").set_value(2_000_000)
    tab_a.button(key="bid_save").click().run()
    tab_b.button(key="bid_save").click().run()
    assert any("请点此重新登录" in e.value for e in tab_b.error)  # "changed by <name>"
    assert _links(tab_b) == []


def test_nobody_but_the_authority_sees_how_many_bids_a_sealed_scenario_has(app, session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    bid = bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=session)
    bids.submit_bid(world.vendor_x.actor, bid.id, session=session)
    session.commit()
    for party in (None, world.vendor_y, world.dept_a):
        at = app(party, "scenario", id=sc.id)
        no_errors(at)
        counts = [m.value for m in at.metric if m.label == "已收到揭榜方案"]
        assert counts == ["截止后公布"], (party, counts)
    at = app(world.authority, "scenario", id=sc.id)
    assert [m.value for m in at.metric if m.label == "已收到揭榜方案"] == ["1"]


def test_a_department_opens_each_of_its_own_scenarios_including_cancelled(app, session, world):
    at = app(world.dept_a)
    for status in (S.CANCELLED, S.WITHDRAWN, S.NONE_SUITABLE, S.DRAFT):
        sc = scenario_in(session, world, status)
        goto(at, "manage", id=sc.id)
        no_errors(at)
        assert at.title[0].value == sc.title, status
        goto(at, "scenario", id=sc.id)
        no_errors(at)
