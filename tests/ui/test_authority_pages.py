"""The authority's work pages on the read-model seam: what they offer, refuse and escape."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from streamlit.testing.v1 import AppTest

from portal import clock
from portal.models import AuditEvent, Call, Notification, Scenario, ScenarioStatus, Showcase, ShowcaseStatus
from portal.services import calls, offers, scenarios
from tests.factories import after, scenario_data, scenario_in
from tests.ui.conftest import ROOT, TIMEOUT, login_state, no_errors, page_file, texts

S = ScenarioStatus
HOSTILE = "[点此领奖](http://evil.example) **粗体**"


# ---------------------------------------------------------------------------------- review


def test_review_refuses_changes_without_a_message_and_changes_nothing(app, session, world):
    sc = scenario_in(session, world, S.SUBMITTED)
    at = app(world.authority, "review")
    at.button(key=f"rev_changes_{sc.id}").click().run()
    assert not at.exception
    assert at.error and "原因" in at.error[0].value  # translated refusal: a reason is required
    session.refresh(sc)
    assert sc.status == S.SUBMITTED
    assert at.button(key=f"rev_publish_{sc.id}")  # still in the queue


def test_review_offers_no_publish_after_the_closing_date_and_says_why(app, session, world):
    sc = scenario_in(session, world, S.SUBMITTED)
    with clock.frozen(after(40)):
        at = app(world.authority, "review", lang="en")
        no_errors(at)
        assert not [b for b in at.button if b.key == f"rev_publish_{sc.id}"]
        assert "The closing date" in texts(at) and "has passed" in texts(at)
        assert at.button(key=f"rev_changes_{sc.id}")  # it can still be sent back


def test_review_publishes_and_tells_the_department(app, session, world):
    sc = scenario_in(session, world, S.SUBMITTED)
    at = app(world.authority, "review")
    at.button(key=f"rev_publish_{sc.id}").click().run()
    no_errors(at)
    assert "场景已发布" in texts(at)
    session.refresh(sc)
    assert sc.status == S.PUBLISHED
    told = session.query(Notification).filter_by(user_id=world.dept_a.user.id).all()
    assert any(n.object_id == sc.id for n in told)
    assert not [b for b in at.button if b.key == f"rev_publish_{sc.id}"]  # left the queue


def test_review_escapes_titles_and_department_names(app, session, world):
    world.dept_a.org.name = HOSTILE
    session.add(world.dept_a.org)
    session.commit()
    scenario_in(session, world, S.SUBMITTED, title="智慧医疗" + HOSTILE)
    at = app(world.authority, "review")
    no_errors(at)
    body = texts(at)
    assert "](http://evil.example)" not in body and r"\]\(http" in body


def refused_at(app, party, url_path: str):
    """Open an authority page's url as ``party``: the gate answers there with the translated refusal."""
    at = app(party)
    # The gate is a callable page registered under the url path (AppTest's switch_page wants files).
    pages = at._registered_pages.items()
    at._page_hash = next(h for h, info in pages if info.get("url_pathname") == url_path)
    at.run()
    assert not at.exception
    assert at.error and "此页面不面向" in at.error[0].value, [e.value for e in at.error]
    return at


def own_guard(world, page: str):
    """Run the page's own file as a department: its guard refuses before anything is drawn."""
    at = login_state(AppTest.from_file(str(ROOT / page_file(page)), default_timeout=TIMEOUT), world.dept_a)
    at.run()
    assert not at.exception
    assert at.error and "行业主管部门" in at.error[0].value
    return at


def test_review_url_refuses_a_department(app, session, world):
    sc = scenario_in(session, world, S.SUBMITTED)
    at = refused_at(app, world.dept_a, "review")
    assert not [b for b in at.button if (b.key or "").startswith("rev_")]
    assert not [b for b in own_guard(world, "review").button if (b.key or "").startswith("rev_")]
    session.refresh(sc)
    assert sc.status == S.SUBMITTED


# ----------------------------------------------------------------------------------- board


def test_board_shows_invited_vendors_without_a_button_and_escapes_names(app, session, world, matching):
    sc = scenario_in(session, world, S.PUBLISHED)
    for party in (world.vendor_x, world.vendor_y):
        offers.create_offer(
            party.actor,
            {
                "title": "基层远程影像诊断云平台" + HOSTILE,
                "description": "为乡镇卫生院提供影像上传、专家阅片与AI辅助诊断的云平台。",
                "sectors": ["smart-health"],
                "regions": ["province"],
            },
            session=session,
        )
    world.vendor_y.org.name = HOSTILE
    session.add(world.vendor_y.org)
    scenarios.invite_vendor(world.authority.actor, sc.id, world.vendor_x.org.id, session=session)
    session.commit()
    matching()
    at = app(world.authority, "board")
    no_errors(at)
    keys = {b.key for b in at.button if (b.key or "").startswith("invite_")}
    assert keys == {f"invite_board_{sc.id}_{world.vendor_y.org.id}"}  # vendor X is invited already
    body = texts(at)
    assert "已邀请" in body
    assert "](http://evil.example)" not in body and r"\]\(http" in body


def test_board_url_refuses_a_department(app, world):
    refused_at(app, world.dept_a, "board")
    own_guard(world, "board")


# ----------------------------------------------------------------------------------- calls


def _call(session, world, theme: str = "2026年第四季度数字政府应用场景征集"):
    call = calls.create_call(
        world.authority.actor,
        {"theme": theme, "opens_on": clock.today(), "closes_on": clock.today() + timedelta(days=30)},
        session=session,
    )
    session.commit()
    return call


def test_calls_say_why_an_empty_list_cannot_be_published(app, session, world):
    call = _call(session, world, "智慧交通" + HOSTILE)
    scenario_in(session, world, S.SUBMITTED, call_id=call.id)  # submitted, not yet public
    calls.close_call(world.authority.actor, call.id, session=session)
    session.commit()
    at = app(world.authority, "calls")
    no_errors(at)
    assert not [b for b in at.button if b.key == f"call_publish_{call.id}"]
    body = texts(at)
    assert "尚无已发布的场景" in body
    assert "](http://evil.example)" not in body and r"\]\(http" in body


def test_calls_refuse_a_period_that_ends_before_it_starts(app, session, world):
    at = app(world.authority, "calls", lang="en")
    at.text_input(key="call_theme").input("2027年第一季度应用场景征集")
    at.date_input(key="call_closes").set_value(clock.today() - timedelta(days=1))
    at.button(key="call_create").click().run()
    assert not at.exception
    assert at.error and "cannot be before the start date" in at.error[0].value  # translated, per field
    assert session.query(Call).count() == 0


def test_calls_url_refuses_a_department(app, world):
    at = refused_at(app, world.dept_a, "calls")
    assert not [b for b in at.button if (b.key or "").startswith("call_")]
    own_guard(world, "calls")


# -------------------------------------------------------------------------------- curation


def test_curation_refuses_unpublishing_without_a_reason(app, session, world):
    scenario_in(session, world, S.SHOWCASED)
    show = session.query(Showcase).one()
    at = app(world.authority, "curation")
    at.button(key=f"cur_return_{show.id}").click().run()
    assert not at.exception
    assert at.error and "原因" in at.error[0].value
    session.refresh(show)
    assert show.status == ShowcaseStatus.PUBLISHED
    assert not [b for b in at.button if b.key == f"cur_publish_{show.id}"]  # published: no publish


def test_curation_drafts_a_showcase_for_a_completed_scenario_and_escapes_it(app, session, world):
    sc = scenario_in(session, world, S.COMPLETED)
    at = app(world.authority, "curation")
    at.text_input(key=f"cand_title_{sc.id}").input("远程影像诊断示范" + HOSTILE)
    at.text_area(key=f"cand_story_{sc.id}").input("平台覆盖88个乡镇卫生院。" + HOSTILE)
    at.button(key=f"cand_save_{sc.id}").click().run()
    no_errors(at)
    show = session.query(Showcase).filter_by(scenario_id=sc.id).one()
    assert show.status == ShowcaseStatus.DRAFT
    assert at.button(key=f"cur_submit_{show.id}")  # now a draft, ready for review
    assert not [b for b in at.button if b.key == f"cand_save_{sc.id}"]  # no longer a candidate
    body = texts(at)
    assert "](http://evil.example)" not in body and r"\]\(http" in body


def test_curation_url_refuses_a_department(app, world):
    at = refused_at(app, world.dept_a, "curation")
    assert not [b for b in at.button if (b.key or "").startswith(("cur_", "cand_"))]
    own_guard(world, "curation")


# ---------------------------------------------------------------------------------- import


def _import_row(world, title: str) -> dict[str, str]:
    good = scenario_data(title=title)
    return {
        "标题": good["title"],
        "摘要": good["summary"],
        "详细描述": good["description"],
        "领域": "智慧医疗",
        "地区": "全省",
        "答疑截止日期": str(clock.today() + timedelta(days=10)),
        "揭榜截止日期": str(clock.today() + timedelta(days=20)),
        "主管部门": world.dept_a.org.name,
    }


def _csv(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(_import_row_header()))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _import_row_header() -> tuple[str, ...]:
    return ("标题", "摘要", "详细描述", "领域", "地区", "答疑截止日期", "揭榜截止日期", "主管部门")


def test_import_of_a_file_without_rows_says_so_and_offers_no_commit(app, session, world):
    at = app(world.authority, "import", lang="en")
    at.get("file_uploader")[0].upload("empty.csv", _csv([]), "text/csv").run()
    assert not at.exception
    assert at.error and "The file is empty or has no data rows" in at.error[0].value
    assert not [b for b in at.button if b.key == "imp_commit"]
    assert [d for d in at.get("download_button") if d.key == "imp_template"]  # the template stays
    assert session.query(Scenario).count() == 0


def test_import_commit_rechecks_the_file_and_writes_nothing_when_it_became_invalid(app, session, world):
    title = "基层远程心电诊断服务"
    at = app(world.authority, "import")
    at.get("file_uploader")[0].upload("batch.csv", _csv([_import_row(world, title)]), "text/csv").run()
    no_errors(at)
    assert at.button(key="imp_commit")
    scenarios.create_scenario(world.dept_a.actor, scenario_data(title=title), session=session)
    session.commit()  # meanwhile the department entered the same scenario itself
    at.button(key="imp_commit").click().run()
    assert not at.exception
    assert at.error and "第2行" in texts(at)  # the row is now a duplicate: listed, not imported
    assert not [b for b in at.button if b.key == "imp_commit"]
    assert session.query(Scenario).filter_by(title=title).count() == 1


def test_import_url_refuses_a_department(app, world):
    at = refused_at(app, world.dept_a, "import")
    assert not at.get("file_uploader")
    own_guard(world, "import")


# ---------------------------------------------------------------------------------- export


def test_export_in_json_offers_both_files_and_is_audited(app, session, world):
    scenario_in(session, world, S.SHOWCASED)
    at = app(world.authority, "export")
    at.segmented_control(key="exp_fmt").set_value("json").run()
    at.button(key="exp_go").click().run()
    no_errors(at)
    labels = [d.proto.label for d in at.get("download_button")]
    assert any("scenarios.json" in x for x in labels) and any("outcomes.json" in x for x in labels)
    rows = session.query(AuditEvent).filter_by(event="data.exported").all()
    assert [r.payload["format"] for r in rows] == ["json"]


def test_export_url_refuses_a_department(app, session, world):
    at = refused_at(app, world.dept_a, "export")
    assert not [b for b in at.button if b.key == "exp_go"]
    own_guard(world, "export")
    assert session.query(AuditEvent).filter_by(event="data.exported").count() == 0


# ----------------------------------------------------------------------------------- audit


def test_audit_filters_by_event_and_object(app, session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    other = scenario_in(session, world, S.SUBMITTED)
    at = app(world.authority, "audit")
    no_errors(at)
    everything = at.dataframe[0].value
    at.text_input(key="audit_event").input("scenario.published").run()
    at.number_input(key="audit_object_id").set_value(sc.id).run()
    no_errors(at)
    table = at.dataframe[0].value
    assert len(table) == 1 < len(everything)
    assert "共1条记录" in texts(at)
    at.number_input(key="audit_object_id").set_value(other.id).run()
    assert len(at.dataframe[0].value) == 0  # submitted, never published


def test_audit_url_refuses_a_department(app, world):
    at = refused_at(app, world.dept_a, "audit")
    assert not at.dataframe
    own_guard(world, "audit")


# ------------------------------------------------------------------------------- dashboard


def test_dashboard_counts_what_is_open_now_and_time_to_award(app, session, world):
    for status in (S.PUBLISHED, S.PUBLISHED, S.SUBMITTED, S.AWARDED):
        scenario_in(session, world, status)
    at = app(world.authority, "dashboard")
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["揭榜中的场景"] == "2"  # published ones only; the awarded one has left the market
    assert metrics["发布至确定揭榜方的中位天数"] != "—"  # one scenario was awarded


def test_dashboard_url_refuses_a_department(app, world):
    at = refused_at(app, world.dept_a, "dashboard")
    assert not at.metric and not [b for b in at.button if b.key == "index_rebuild"]
    own_guard(world, "dashboard")
