"""Role pages beyond the core journey: registration and verification, offers, withdrawing a bid,
review with changes requested, calls and their published list, import, export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from portal import clock
from portal.models import Bid, BidStatus, Call, Offer, OfferStatus, Organization, ScenarioStatus, Verification
from portal.services import bids, calls, offers
from tests.factories import PASSWORD, bid_data, scenario_data, scenario_in, uscc
from tests.ui.conftest import goto, no_errors, texts

S = ScenarioStatus


def test_vendor_registers_and_authority_verifies(app, session, world):
    at = app(None, "register")
    at.text_input(key="reg_name").input("黔南数智信息技术有限公司")
    at.text_input(key="reg_uscc").input(uscc(77))
    at.multiselect(key="reg_sectors").select("smart-health")
    at.text_input(key="reg_contact_email").input("ops@qiannan.example.com")
    at.text_input(key="reg_username").input("qiannan_ops")
    at.text_input(key="reg_display_name").input("李娜")
    at.text_input(key="reg_password").input("Qiannan-2026x")
    at.text_input(key="reg_password2").input("Qiannan-2026x")
    at.button(key="reg_submit").click().run()
    no_errors(at)
    assert at.title[0].value == "为您推荐" and any("等待" in i.value for i in at.info)
    org = session.query(Organization).filter_by(name="黔南数智信息技术有限公司").one()
    assert org.verification == Verification.PENDING

    auth = app(world.authority, "vendors")
    auth.button(key=f"ven_ok_{org.id}").click().run()
    no_errors(auth)
    session.refresh(org)
    assert org.verification == Verification.VERIFIED


def test_registration_shows_field_errors(app):
    at = app(None, "register")
    at.text_input(key="reg_name").input("黔")
    at.text_input(key="reg_uscc").input("123")
    at.text_input(key="reg_username").input("ab")
    at.text_input(key="reg_password").input("short")
    at.text_input(key="reg_password2").input("short")
    at.button(key="reg_submit").click().run()
    assert at.error and "密码至少需要10个字符" in at.error[0].value  # each problem listed


def test_vendor_creates_edits_and_retires_an_offer(app, session, world):
    at = app(world.vendor_y, "offers")
    at.text_input(key="offer_new__title").input("智慧停车诱导系统")
    at.text_area(key="offer_new__description").input("基于地磁与视频的车位感知和停车诱导，支持错峰共享停车。")
    at.multiselect(key="offer_new__sectors").select("smart-transport")
    at.multiselect(key="offer_new__regions").select("zunyi")
    at.button(key="offer_new__save").click().run()
    no_errors(at)
    offer = session.query(Offer).filter_by(title="智慧停车诱导系统").one()
    at.text_input(key=f"offer_{offer.id}__title").input("智慧停车诱导与共享系统")
    at.button(key=f"offer_{offer.id}__save").click().run()
    no_errors(at)
    at.button(key=f"offer_toggle_{offer.id}").click().run()
    session.refresh(offer)
    assert offer.title == "智慧停车诱导与共享系统" and offer.status == OfferStatus.RETIRED


def test_vendor_withdraws_a_bid_before_the_deadline(app, session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    bid = bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=session)
    bids.submit_bid(world.vendor_x.actor, bid.id, session=session)
    session.commit()
    at = app(world.vendor_x, "scenario", id=sc.id)
    assert "已提交" in texts(at)
    at.button(key="bid_withdraw").click().run()
    no_errors(at)
    session.refresh(bid)
    assert bid.status == BidStatus.WITHDRAWN
    mine = app(world.vendor_x, "my-bids")
    assert "已撤回" in texts(mine)


def test_pending_vendor_cannot_bid(app, session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    at = app(world.vendor_p, "scenario", id=sc.id)
    no_errors(at)
    assert not [b for b in at.button if b.key == "bid_save_submit"]
    assert session.query(Bid).count() == 0


def test_review_sends_back_with_a_message_the_department_sees(app, session, world):
    sc = scenario_in(session, world, S.SUBMITTED)
    at = app(world.authority, "review")
    at.text_input(key=f"rev_msg_{sc.id}").input("请补充可开放数据资源的字段说明")
    at.button(key=f"rev_changes_{sc.id}").click().run()
    no_errors(at)
    session.refresh(sc)
    assert sc.status == S.CHANGES_REQUESTED
    dept = app(world.dept_a, "manage", id=sc.id)
    assert any("字段说明" in w.value for w in dept.warning)
    dept.button(key="mg_edit").click().run()
    assert dept.text_input(key=f"ed{sc.id}__title").value == sc.title  # the edit form is prefilled


def test_call_submissions_and_published_numbered_list(app, session, world):
    at = app(world.authority, "calls")
    at.text_input(key="call_theme").input("2026年第四季度数字政府应用场景征集")
    at.button(key="call_create").click().run()
    no_errors(at)
    call = session.query(Call).one()
    sc = scenario_in(session, world, S.PUBLISHED, call_id=call.id)
    goto(at, "calls")
    assert "提报的场景：1个" in texts(at)
    at.button(key=f"call_close_{call.id}").click().run()
    at.button(key=f"call_publish_{call.id}").click().run()
    no_errors(at)
    session.refresh(call)
    assert call.batch_number == 1
    public = app(None, "lists")
    no_errors(public)
    assert "第1批" in public.selectbox(key="lists_call").format_func(call.id)
    assert f"#1 {sc.title}" in texts(public)
    assert {d.key for d in public.get("download_button")} >= {
        f"lists_dl_html_{call.id}",
        f"lists_dl_csv_{call.id}",
    }


def _import_csv(rows: list[dict[str, str]]) -> bytes:
    header = ["标题", "摘要", "详细描述", "领域", "地区", "答疑截止日期", "揭榜截止日期", "主管部门"]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def test_import_preview_lists_row_errors_then_commits_all(app, session, world):
    today = clock.today()
    good = scenario_data()
    row = {
        "标题": good["title"],
        "摘要": good["summary"],
        "详细描述": good["description"],
        "领域": "智慧医疗",
        "地区": "全省",
        "答疑截止日期": str(today + timedelta(days=10)),
        "揭榜截止日期": str(today + timedelta(days=20)),
        "主管部门": world.dept_a.org.name,
    }
    bad = dict(row, 标题="交通场景", 领域="不存在的领域")
    at = app(world.authority, "import")
    at.get("file_uploader")[0].upload("scenarios.csv", _import_csv([row, bad]), "text/csv").run()
    no_errors_but_preview = [e.value for e in at.error]
    assert no_errors_but_preview and "第3行" in texts(at)
    assert not [b for b in at.button if b.key == "imp_commit"]
    at.get("file_uploader")[0].upload(
        "scenarios.csv", _import_csv([row, dict(row, 标题="基层远程心电诊断服务")]), "text/csv"
    ).run()
    no_errors(at)
    at.button(key="imp_commit").click().run()
    no_errors(at)
    assert any("已导入2个场景" in s.value for s in at.success)


def test_open_data_export_offers_csv_downloads(app, session, world):
    scenario_in(session, world, S.SHOWCASED)
    at = app(world.authority, "export")
    at.button(key="exp_go").click().run()
    no_errors(at)
    names = [d.key for d in at.get("download_button")]
    assert names


def test_offers_of_one_vendor_get_one_invite_button(app, session, world, matching):
    sc = scenario_in(session, world, S.PUBLISHED)
    for title in ("远程影像AI辅助诊断平台", "基层影像云与远程阅片服务"):
        offers.create_offer(
            world.vendor_x.actor,
            {
                "title": title,
                "description": "乡镇卫生院影像上传、专家远程阅片与AI辅助诊断，报告自动回传。",
                "sectors": ["smart-health"],
                "regions": ["province"],
            },
            session=session,
        )
    session.commit()
    matching()
    at = app(world.dept_a, "manage", id=sc.id)
    no_errors(at)
    keys = [b.key for b in at.button if (b.key or "").startswith("invite_")]
    assert keys == [f"invite_mg_{sc.id}_{world.vendor_x.org.id}"]


def _unused() -> None:  # keep imports honest for the helpers above
    _ = (PASSWORD, calls)
