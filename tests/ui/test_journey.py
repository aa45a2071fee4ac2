"""The core journey through the pages, with the real services, database and matching model:
department creates and submits → authority publishes → vendor sees it recommended, asks, bids →
department answers, awards after closing → outcome → authority publishes the showcase → public."""

from __future__ import annotations

from datetime import timedelta

from portal import clock
from portal.models import Bid, BidStatus, Scenario, ScenarioStatus, Showcase
from portal.services import offers
from tests.factories import after
from tests.ui.conftest import no_errors, texts

TITLE = "城区主干道交通信号智能配时优化"
OFFER = {
    "title": "自适应交通信号控制系统",
    "description": "基于视频检测和地磁数据的路口自适应信号控制，支持干线绿波协调和拥堵预警，已在多个城市部署。",
    "sectors": ["smart-transport"],
    "regions": ["province"],
    "maturity": "deployed",
}


def _fill_scenario(at) -> None:
    today = clock.today()
    at.text_input(key="ed0__title").input(TITLE)
    at.text_area(key="ed0__summary").input("利用卡口和地磁数据优化主干道信号配时，缓解早晚高峰拥堵。")
    at.text_area(key="ed0__description").input(
        "中心城区早晚高峰拥堵严重，现有信号灯多为固定配时。需要基于卡口过车数据、地磁检测数据和互联网路况数据，"
        "建设信号配时优化系统，实现绿波协调和自适应控制。"
    )
    at.selectbox(key="ed0__sector").set_value("smart-transport")
    at.selectbox(key="ed0__region").set_value("guiyang")
    at.text_area(key="ed0__indicators").input("高峰平均车速 | 提升15%")
    at.number_input(key="ed0__budget_min").set_value(100.0)
    at.number_input(key="ed0__budget_max").set_value(300.0)
    at.date_input(key="ed0__question_deadline").set_value(today + timedelta(days=10))
    at.date_input(key="ed0__closing_date").set_value(today + timedelta(days=20))


def test_core_journey_through_the_pages(app, session, world, matching):
    offers.create_offer(world.vendor_x.actor, OFFER, session=session)
    session.commit()
    matching()

    # Department: create and submit through the form.
    at = app(world.dept_a, "edit-scenario")
    _fill_scenario(at)
    at.button(key="ed_submit").click().run()
    no_errors(at)
    sc = session.query(Scenario).filter_by(title=TITLE).one()
    assert sc.status == ScenarioStatus.SUBMITTED
    assert at.title[0].value == TITLE  # landed on the scenario's management page

    # Authority: publish from the review queue.
    at = app(world.authority, "review")
    at.button(key=f"rev_publish_{sc.id}").click().run()
    no_errors(at)
    session.refresh(sc)
    assert sc.status == ScenarioStatus.PUBLISHED
    assert "场景已发布" in texts(at)
    matching()

    # Vendor: sees it recommended with reasons, opens it, asks a question, bids.
    at = app(world.vendor_x, "recommended")
    no_errors(at)
    assert TITLE in texts(at) and "推荐理由" in texts(at)
    at.button(key=f"open_rec_{sc.id}").click().run()
    assert TITLE in at.title[0].value
    at.button(key="sc_follow").click().run()
    at.text_area(key="ask_text").input("现有信号机是否支持联网远程配时？")
    at.button(key="ask_submit").click().run()
    no_errors(at)
    at.text_area(key=f"bid{sc.id}__approach").input(
        "部署自适应信号控制系统，基于视频与地磁检测实现干线绿波协调，分两期上线。"
    )
    at.text_input(key=f"bid{sc.id}__timeline").input("合同签订后5个月")
    at.number_input(key=f"bid{sc.id}__price").set_value(2_400_000)
    at.text_area(key=f"bid{sc.id}__team").input("项目经理1人、交通工程师4人、开发6人")
    at.button(key="bid_save_submit").click().run()
    no_errors(at)
    bid = session.query(Bid).filter_by(scenario_id=sc.id).one()
    assert bid.status == BidStatus.SUBMITTED

    # Department: answers the question (the vendor is notified).
    at = app(world.dept_a, "manage", id=sc.id)
    question_keys = [a.key for a in at.text_area if (a.key or "").startswith("ans_")]
    assert len(question_keys) == 1
    at.text_area(key=question_keys[0]).input("支持，主要路口信号机均已接入交警专网。")
    at.button(key=question_keys[0].replace("ans_", "ans_submit_")).click().run()
    no_errors(at)
    inbox = app(world.vendor_x, "inbox")
    assert "已答复" in texts(inbox)

    # After the closing date: close, compare, award, deliver, showcase.
    with clock.frozen(after(21)):
        at = app(world.dept_a, "manage", id=sc.id)
        at.button(key="mg_close").click().run()
        no_errors(at)
        at.text_input(key="mg_award_reason").input("方案成熟、报价合理")
        at.button(key=f"bid_award_{bid.id}").click().run()
        no_errors(at)
        session.refresh(sc)
        assert sc.status == ScenarioStatus.AWARDED
        at.button(key="mg_start").click().run()
        at.number_input(key=f"out{sc.id}__contract_value").set_value(2_350_000)
        at.text_area(key=f"out{sc.id}__summary").input("系统覆盖42个路口，高峰平均车速提升18%。")
        at.text_area(key=f"out{sc.id}__indicators").input("高峰平均车速 | 提升15% | 提升18%")
        at.button(key="out_save").click().run()
        no_errors(at)
        at.button(key="mg_complete").click().run()
        no_errors(at)
        at.text_area(key=f"shc{sc.id}__story").input(
            "贵阳中心城区42个路口实现自适应配时，早晚高峰通行效率显著提升。"
        )
        at.button(key="shc_save").click().run()
        no_errors(at)
        at.button(key="shc_submit").click().run()
        no_errors(at)
        show = session.query(Showcase).filter_by(scenario_id=sc.id).one()

        at = app(world.authority, "curation")
        at.button(key=f"cur_publish_{show.id}").click().run()
        no_errors(at)
        session.refresh(sc)
        assert sc.status == ScenarioStatus.SHOWCASED

        public = app(None, "showcases")
        no_errors(public)
        body = texts(public)
        assert TITLE in body and "42个路口" in body
        assert any("提升18%" in str(df.value) for df in public.dataframe)
        public.button(key=f"showcase_open_{show.id}").click().run()
        assert TITLE in public.title[0].value


def test_semantic_search_finds_chinese_scenario_from_english_query(app, session, world, matching):
    from tests.factories import scenario_data, scenario_in

    scenario_in(
        session,
        world,
        ScenarioStatus.PUBLISHED,
        **scenario_data(
            title="居家养老紧急呼叫与智能看护服务",
            summary="为独居老人提供紧急呼叫、跌倒检测和助餐服务的智能看护平台。",
            sector="smart-elderly",
        ),
    )
    scenario_in(session, world, ScenarioStatus.PUBLISHED)
    matching()
    at = app(None, "scenarios")
    at.text_input(key="sc_query").input("emergency alarm for elderly people living alone")
    at.button(key="sc_search").click().run()
    no_errors(at)
    cards = [b.key for b in at.button if (b.key or "").startswith("open_list_")]
    first_card = texts(at).split("居家养老紧急呼叫")[0]
    assert cards and "基层医疗机构" not in first_card  # the elderly-care scenario ranks first
    assert "推荐理由" in texts(at)


def test_duplicate_warning_lists_existing_similar_scenario(app, session, world, matching):
    from tests.factories import scenario_in

    existing = scenario_in(session, world, ScenarioStatus.PUBLISHED)
    matching()
    at = app(world.dept_b, "edit-scenario")
    at.text_input(key="ed0__title").input("乡镇卫生院远程影像诊断平台")
    at.text_area(key="ed0__summary").input("建设远程影像诊断平台，解决基层放射科医生不足的问题。").run()
    no_errors(at)
    assert any("相似场景" in w.value for w in at.warning)
    assert existing.title in texts(at)


def test_board_invites_vendor_who_is_notified(app, session, world, matching):
    from tests.factories import scenario_in

    sc = scenario_in(session, world, ScenarioStatus.PUBLISHED)
    offers.create_offer(
        world.vendor_y.actor,
        {
            "title": "基层远程影像诊断云平台",
            "description": "为乡镇卫生院提供影像上传、专家阅片与AI辅助诊断的云平台。",
            "sectors": ["smart-health"],
            "regions": ["province"],
        },
        session=session,
    )
    session.commit()
    matching()
    at = app(world.authority, "board")
    no_errors(at)
    key = f"invite_board_{sc.id}_{world.vendor_y.org.id}"
    at.button(key=key).click().run()
    no_errors(at)
    assert "已邀请" in texts(at)
    inbox = app(world.vendor_y, "inbox")
    assert "受邀" in texts(inbox)
