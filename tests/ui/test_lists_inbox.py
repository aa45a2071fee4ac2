"""The list pages a user meets outside one scenario: the public scenario list and its search, the
numbered call lists, the showcase gallery, a department's and a vendor's own lists, the
recommendations and the inbox (each on the read-model seam)."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from portal.models import ScenarioStatus
from tests.factories import scenario_in
from tests.ui.conftest import no_errors, texts

S = ScenarioStatus
MD = MarkdownIt("commonmark")
EVIL = "[请点此重新登录](http://evil.example/login) <script>alert(1)</script> **粗体**"


def _cards(at, key: str) -> set[str]:
    return {b.key for b in at.button if (b.key or "").startswith(f"open_{key}_")}


def _links(at) -> list[str]:
    found = []
    for kind in ("markdown", "caption", "title", "subheader", "info", "success", "warning", "error"):
        for element in getattr(at, kind):
            for token in MD.parseInline(str(element.value)):
                for child in token.children or []:
                    if child.type in ("link_open", "image", "html_inline"):
                        found.append(str(child.attrs.get("href") or child.attrs.get("src") or child.content))
    return found


# ----------------------------------------------------------------------------- scenarios


def test_public_list_needs_no_login_and_shows_only_public_statuses(app, session, world):
    made = {
        st: scenario_in(session, world, st, title=f"场景状态测试之{st}")
        for st in (S.DRAFT, S.SUBMITTED, S.PUBLISHED, S.CANCELLED, S.CLOSED)
    }
    at = app(None, "scenarios")
    no_errors(at)
    assert _cards(at, "list") == {f"open_list_{made[S.PUBLISHED].id}"}
    at.toggle(key="sc_include_past").set_value(True)
    at.button(key="sc_search").click().run()
    no_errors(at)
    assert _cards(at, "list") == {f"open_list_{made[S.PUBLISHED].id}", f"open_list_{made[S.CLOSED].id}"}
    body = texts(at)
    for st in (S.DRAFT, S.SUBMITTED, S.CANCELLED):
        assert f"场景状态测试之{st}" not in body


def test_search_with_hostile_text_shows_escaped_results_only_of_public_scenarios(app, session, world):
    hostile = "恶意标题<img src=x onerror=alert(1)>"
    shown = scenario_in(session, world, S.PUBLISHED, title=hostile, summary=EVIL)
    hidden = scenario_in(session, world, S.DRAFT, title=hostile + "草稿", summary=EVIL)
    at = app(None, "scenarios")
    at.text_input(key="sc_query").input("恶意标题<img")
    at.button(key="sc_search").click().run()
    no_errors(at)
    cards = _cards(at, "list")
    assert f"open_list_{shown.id}" in cards and f"open_list_{hidden.id}" not in cards
    assert "恶意标题\\<img" in texts(at)  # shown, escaped
    for el in list(at.markdown) + list(at.caption):
        assert not re.search(r"(?<!\\)<", str(el.value)), el.value
    assert _links(at) == []


# ------------------------------------------------------------------------- my scenarios


def test_department_lists_only_its_own_scenarios_and_bid_counts_stay_sealed(app, session, world):
    from portal.services import bids, questions
    from tests.factories import bid_data

    open_ = scenario_in(session, world, S.PUBLISHED, title="本部门发布中的场景")
    closed = scenario_in(session, world, S.CLOSED, title="本部门已截止的场景")
    other = scenario_in(session, world, S.PUBLISHED, owner=world.dept_b, title="别的部门的场景")
    b = bids.save_bid(world.vendor_x.actor, open_.id, bid_data(), session=session)
    bids.submit_bid(world.vendor_x.actor, b.id, session=session)
    questions.ask_question(world.vendor_x.actor, open_.id, "是否可以分期交付？", session=session)
    session.commit()
    at = app(world.dept_a, "my-scenarios")
    no_errors(at)
    keys = {b.key for b in at.button if (b.key or "").startswith("manage_")}
    assert keys == {f"manage_{open_.id}", f"manage_{closed.id}"}
    assert other.title not in texts(at)
    assert "有1个咨询问题等待答复" in texts(at)
    captions = {c.value for c in at.caption}
    assert any("待答复问题1个" in c and "揭榜方案" not in c for c in captions)  # sealed: no count
    assert any("揭榜方案2个" in c for c in captions)  # the closed one's bids are open
    at.button(key=f"manage_{closed.id}").click().run()
    assert at.title[0].value == closed.title  # the management page of that scenario


# ------------------------------------------------------------------------------ my bids


def test_vendor_sees_only_its_own_bids(app, session, world):
    from portal.services import bids
    from tests.factories import bid_data

    sc = scenario_in(session, world, S.PUBLISHED)
    mine = bids.save_bid(world.vendor_x.actor, sc.id, bid_data(price=1_111_000), session=session)
    theirs = bids.save_bid(world.vendor_y.actor, sc.id, bid_data(price=999_000), session=session)
    bids.submit_bid(world.vendor_y.actor, theirs.id, session=session)
    session.commit()
    at = app(world.vendor_x, "my-bids")
    no_errors(at)
    keys = {b.key for b in at.button if (b.key or "").startswith("mybid_open_")}
    assert keys == {f"mybid_open_{mine.id}"}
    body = texts(at)
    assert "111.1" in body and "99.9" not in body  # its own price (万元), never the other vendor's
    at.button(key=f"mybid_open_{mine.id}").click().run()
    assert at.title[0].value == sc.title


# -------------------------------------------------------------------------- recommended


def test_recommendations_need_an_active_offer_and_lead_to_the_offers_page(app, session, world):
    from portal.services import offers

    offer = offers.create_offer(
        world.vendor_x.actor,
        {
            "title": "智慧停车诱导系统",
            "description": "基于地磁与视频检测的城市级停车诱导和车位共享平台，已在两个地市部署。",
            "sectors": ["smart-transport"],
            "regions": ["province"],
            "maturity": "deployed",
        },
        session=session,
    )
    offers.set_offer_active(world.vendor_x.actor, offer.id, False, session=session)  # retired
    session.commit()
    at = app(world.vendor_x, "recommended")
    no_errors(at)
    assert any("请先发布至少一个解决方案" in i.value for i in at.info)
    assert not [b for b in at.button if (b.key or "").startswith("open_rec_")]
    at.button(key="rec_to_offers").click().run()
    assert at.title[0].value == "我的解决方案"
    pending = app(world.vendor_p, "recommended")
    assert any("等待认证" in i.value for i in pending.info)  # may look, not bid


# -------------------------------------------------------------------------------- inbox


def test_marking_a_notification_read_persists_and_open_follows_its_link(app, session, world):
    from sqlmodel import select

    from portal.models import Notification
    from portal.services import scenarios

    first = scenario_in(session, world, S.PUBLISHED, title="受邀场景之一")
    second = scenario_in(session, world, S.PUBLISHED, title="受邀场景之二")
    for sc in (first, second):
        scenarios.invite_vendor(world.dept_a.actor, sc.id, world.vendor_x.org.id, session=session)
    session.commit()

    def note(sc) -> Notification:
        row = session.exec(
            select(Notification).where(
                Notification.user_id == world.vendor_x.user.id, Notification.object_id == sc.id
            )
        ).one()
        session.refresh(row)
        return row

    at = app(world.vendor_x, "inbox")
    no_errors(at)
    assert "受邀场景之一" in texts(at) and "🔵" in texts(at)
    at.button(key=f"note_read_{note(first).id}").click().run()
    no_errors(at)
    assert note(first).read_at is not None  # persisted
    assert note(second).read_at is None
    at.toggle(key="inbox_unread").set_value(True).run()
    assert "受邀场景之一" not in texts(at) and "受邀场景之二" in texts(at)
    assert not [b for b in at.button if b.key == f"note_read_{note(first).id}"]
    at.button(key=f"note_open_{note(second).id}").click().run()
    no_errors(at)
    assert at.title[0].value == second.title  # the deep link (scenario?id=)
    assert note(second).read_at is not None
    other = app(world.vendor_y, "inbox")
    assert "受邀场景" not in texts(other)  # another vendor's inbox stays its own


# ---------------------------------------------------------------------------- showcases


def test_showcase_gallery_shows_published_showcases_to_anyone_and_never_drafts(app, session, world):
    from portal.services import outcomes

    shown = scenario_in(session, world, S.SHOWCASED)
    draft_sc = scenario_in(session, world, S.COMPLETED, title="示范草稿的场景")
    outcomes.propose_showcase(
        world.dept_a.actor, draft_sc.id, {"title": "尚未发布的示范", "story": EVIL}, session=session
    )
    session.commit()
    at = app(None, "showcases")
    no_errors(at)
    body = texts(at)
    assert "基层远程影像诊断示范" in body and "报告出具时间缩短至1" in body
    assert "尚未发布的示范" not in body
    assert any("1.2小时" in str(df.value) for df in at.dataframe)  # the outcome's achieved indicators
    opens = [b.key for b in at.button if (b.key or "").startswith("showcase_open_")]
    assert len(opens) == 1
    at.button(key=opens[0]).click().run()
    assert at.title[0].value == shown.title


def test_showcase_gallery_masks_personal_data_in_the_outcome_report_for_the_public(app, session, world):
    from portal.models import Outcome, Scenario
    from portal.services import outcomes

    shown = scenario_in(session, world, S.SHOWCASED)
    row = outcomes.get_outcome(session, shown.id)
    row.summary = "联系人王工，电话 138 0013 8000，邮箱 wang(at)example.com"
    row.achieved_indicators = [
        {"name": "回访满意度", "target": "90%", "achieved": "回访电话１３９００１３９０００"}
    ]
    session.add(row)
    session.commit()
    at = app(None, "showcases")
    no_errors(at)
    body = texts(at) + " ".join(str(df.value) for df in at.dataframe)
    assert "联系人王工" in body  # the report is shown ...
    for leaked in ("138 0013 8000", "wang(at)example.com", "１３９００１３９０００"):
        assert leaked not in body  # ... without the personal data
    seen = outcomes.outcome_as_seen_by(world.authority.actor, shown.id, session=session)
    assert "138 0013 8000" in seen.summary  # the authority reads it as written
    session.expire_all()
    assert "138 0013 8000" in session.get(Outcome, row.id).summary  # masking never writes back
    assert session.get(Scenario, shown.id) is not None


# ---------------------------------------------------------------------------- call lists


def test_numbered_lists_switch_between_batches_and_list_only_public_scenarios(app, session, world):
    from datetime import timedelta

    from portal import clock
    from portal.services import calls

    today = clock.today()
    made = {}
    for n, theme in ((1, "第一季度场景征集活动"), (2, "第二季度场景征集活动")):
        call = calls.create_call(
            world.authority.actor,
            {"theme": theme, "opens_on": today - timedelta(days=1), "closes_on": today + timedelta(days=9)},
            session=session,
        )
        session.commit()
        listed = scenario_in(session, world, S.PUBLISHED, call_id=call.id, title=f"第{n}批的已发布场景")
        scenario_in(session, world, S.SUBMITTED, call_id=call.id, title=f"第{n}批的待审核场景")
        calls.close_call(world.authority.actor, call.id, session=session)
        calls.publish_call_list(world.authority.actor, call.id, session=session)
        session.commit()
        made[n] = (call, listed)
    at = app(None, "lists")
    no_errors(at)
    assert at.selectbox(key="lists_call").value == made[2][0].id  # the newest batch first
    assert _cards(at, "calllist") == {f"open_calllist_{made[2][1].id}"}
    at.selectbox(key="lists_call").set_value(made[1][0].id).run()
    no_errors(at)
    assert _cards(at, "calllist") == {f"open_calllist_{made[1][1].id}"}
    assert "待审核场景" not in texts(at)
    assert f"lists_dl_csv_{made[1][0].id}" in {d.key for d in at.get("download_button")}
