"""Scenario service rules a user notices: validation messages, dates, edits, invitations, public view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal import clock
from portal.db import session_scope
from portal.domain.errors import Conflict, RuleViolation, ValidationFailed
from portal.models import AuditEvent, Notification, Scenario, ScenarioStatus
from portal.permissions import ANONYMOUS
from portal.services import bids, scenarios
from tests.factories import after, bid_data, scenario_data, scenario_in

S = ScenarioStatus


def _kinds(session: Session, user_id: int) -> list[str]:
    return list(session.exec(select(Notification.kind).where(Notification.user_id == user_id)).all())


def test_invalid_scenario_lists_one_translated_message_per_field(session, world):
    today = clock.today()
    bad = scenario_data(
        title="短",
        sector="no-such-sector",
        contact_email="not-an-email",
        budget_min=2_000_000,
        budget_max=1_000_000,
        question_deadline=today + timedelta(days=40),
    )
    with pytest.raises(ValidationFailed) as info:
        scenarios.create_scenario(world.dept_a.actor, bad, session=session)
    # Every problem at once, each at its field: shape, length and cross-field rules together.
    fields = {e.field: e.key for e in info.value.errors}
    assert fields == {
        "title": "validation.too_short_weighted",
        "sector": "validation.unknown_sector",
        "contact_email": "validation.email",
        "budget_max": "validation.budget_order",
        "question_deadline": "validation.deadline_after_closing",
    }
    zh = info.value.message("zh")
    assert "标题过短（至少4个字符，一个汉字计为2个字符）" in zh
    assert "Title is too short (at least 4 characters; a Chinese character counts as 2)" in (
        info.value.message("en")
    )
    en = info.value.message("en")
    assert "Sector: unknown sector 'no-such-sector'" in en
    assert "Contact e-mail is not a valid e-mail address" in en
    assert "答疑截止日期不能晚于揭榜截止日期" in info.value.message("zh")
    assert session.exec(select(Scenario)).all() == []


def test_missing_and_mistyped_fields_are_named(session, world):
    data = scenario_data(budget_min="很多")
    del data["summary"]
    with pytest.raises(ValidationFailed) as info:
        scenarios.create_scenario(world.dept_a.actor, data, session=session)
    assert {(e.field, e.key) for e in info.value.errors} == {
        ("summary", "validation.required"),
        ("budget_min", "validation.not_a_number"),
    }
    assert "摘要为必填项" in info.value.message("zh")


def test_text_is_cleaned_of_control_and_bidi_characters(session, world):
    sc = scenarios.create_scenario(
        world.dept_a.actor, scenario_data(title="  远程\u202e影像\x00诊断平台  "), session=session
    )
    assert sc.title == "远程影像诊断平台"


def test_submitting_with_a_past_closing_date_is_refused(session, world):
    sc = scenarios.create_scenario(world.dept_a.actor, scenario_data(), session=session)
    with clock.frozen(after(31)), pytest.raises(ValidationFailed) as info:
        scenarios.submit_scenario(world.dept_a.actor, sc.id, session=session)
    assert [(e.field, e.key) for e in info.value.errors] == [("closing_date", "validation.date_in_past")]
    assert sc.status == S.DRAFT


def test_the_authority_cannot_publish_once_the_closing_date_passed(session, world):
    sc = scenario_in(session, world, S.SUBMITTED)
    with clock.frozen(after(30)), pytest.raises(RuleViolation) as info:
        scenarios.publish_scenario(world.authority.actor, sc.id, session=session)
    assert info.value.key == "error.closing_date_passed"


def test_bidding_cannot_be_closed_before_the_closing_date(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    with pytest.raises(RuleViolation) as info:
        scenarios.close_scenario(world.dept_a.actor, sc.id, session=session)
    assert info.value.key == "error.not_yet_closing"
    assert "bids stay sealed" in info.value.message("en")
    with clock.frozen(after(30)):  # the closing day itself still belongs to the bidders
        with pytest.raises(RuleViolation):
            scenarios.close_scenario(world.dept_a.actor, sc.id, session=session)
        assert scenarios.close_due_scenarios(world.authority.actor, session=session) == []


def test_only_drafts_and_returned_scenarios_are_editable(session, world):
    sc = scenario_in(session, world, S.CHANGES_REQUESTED)
    scenarios.update_scenario(
        world.dept_a.actor,
        sc.id,
        {"summary": "补充了数据资源说明后的摘要内容。"},
        expected_version=sc.version,
        session=session,
    )
    published = scenario_in(session, world, S.PUBLISHED)
    with pytest.raises(RuleViolation) as info:
        scenarios.update_scenario(
            world.dept_a.actor, published.id, {"title": "改标题"}, expected_version=None, session=session
        )
    assert info.value.key == "error.scenario_not_editable"
    with pytest.raises(RuleViolation) as info:
        scenarios.update_scenario(
            world.dept_a.actor, sc.id, {"status": "published"}, expected_version=None, session=session
        )
    assert info.value.key == "error.unknown_fields"


def test_two_editors_the_second_gets_a_conflict_and_nothing_is_lost(engine, session, world):
    sc = scenarios.create_scenario(world.dept_a.actor, scenario_data(), session=session)
    session.commit()
    with Session(engine) as first, Session(engine) as second:
        seen_first = first.get(Scenario, sc.id).version
        seen_second = second.get(Scenario, sc.id).version
        scenarios.update_scenario(
            world.dept_a.actor,
            sc.id,
            {"title": "第一位编辑的标题"},
            expected_version=seen_first,
            session=first,
        )
        first.commit()
        second.expire_all()  # a fresh page run reloads the row, but the form still carries the old version
        with pytest.raises(Conflict) as info:
            scenarios.update_scenario(
                world.dept_a.actor,
                sc.id,
                {"title": "第二位编辑的标题"},
                expected_version=seen_second,
                session=second,
            )
        assert "was changed by" in info.value.message("en")
        assert [(c.field, c.value) for c in info.value.changes] == [("title", "第一位编辑的标题")]
    session.expire_all()
    assert session.get(Scenario, sc.id).title == "第一位编辑的标题"


def test_a_concurrent_save_between_load_and_flush_is_a_conflict(engine, session, world):
    """Both editors loaded version 1; the second page run flushes after the first committed."""
    sc = scenarios.create_scenario(world.dept_a.actor, scenario_data(), session=session)
    session.commit()
    with pytest.raises(Conflict) as info, session_scope(engine) as second:
        stale = second.get(Scenario, sc.id)  # loaded before the first editor saves
        with session_scope(engine) as first:
            scenarios.update_scenario(
                world.dept_a.actor, sc.id, {"title": "第一位编辑的标题"}, expected_version=None, session=first
            )
            first.commit()
        scenarios.update_scenario(
            world.dept_a.actor, stale.id, {"title": "第二位编辑的标题"}, expected_version=None, session=second
        )
    message = info.value.message("zh")
    assert message.startswith("该场景已被") and "未保存" in message
    assert [c.field for c in info.value.changes] == ["title"]  # the change that won is named
    session.expire_all()
    assert session.get(Scenario, sc.id).title == "第一位编辑的标题"


def test_invited_only_scenarios_accept_bids_from_invited_vendors(session, world):
    sc = scenario_in(session, world, S.PUBLISHED, eligibility="invited")
    with pytest.raises(RuleViolation) as info:
        bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=session)
    assert info.value.key == "error.not_invited"
    assert scenarios.invite_vendor(world.dept_a.actor, sc.id, world.vendor_x.org.id, session=session) is True
    assert scenarios.invite_vendor(world.dept_a.actor, sc.id, world.vendor_x.org.id, session=session) is False
    assert _kinds(session, world.vendor_x.user.id) == ["invited"]
    bid = bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=session)
    assert bid.vendor_org_id == world.vendor_x.org.id
    with pytest.raises(RuleViolation):
        bids.save_bid(world.vendor_y.actor, sc.id, bid_data(), session=session)
    with pytest.raises(RuleViolation) as info:
        scenarios.invite_vendor(world.dept_a.actor, sc.id, world.dept_b.org.id, session=session)
    assert info.value.key == "error.not_a_vendor"


def test_state_changes_notify_the_people_concerned(session, world):
    sc = scenario_in(session, world, S.SUBMITTED)
    assert "scenario_submitted" in _kinds(session, world.authority.user.id)
    scenarios.publish_scenario(world.authority.actor, sc.id, session=session)
    assert "scenario_published" in _kinds(session, world.dept_a.user.id)
    bid = bids.save_bid(world.vendor_x.actor, sc.id, bid_data(), session=session)
    bids.submit_bid(world.vendor_x.actor, bid.id, session=session)
    scenarios.cancel_scenario(world.dept_a.actor, sc.id, "  预算调整  ", session=session)
    note = session.exec(select(Notification).where(Notification.user_id == world.vendor_x.user.id)).one()
    assert (note.kind, note.params["message"]) == ("scenario_cancelled", "预算调整")


def test_every_change_is_audited(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    events = session.exec(
        select(AuditEvent.event).where(AuditEvent.object_type == "scenario", AuditEvent.object_id == sc.id)
    ).all()
    assert list(events) == ["scenario.created", "scenario.submitted", "scenario.published"]


def test_public_view_has_no_contact_data_and_no_unpublished_scenarios(session, world):
    draft = scenario_in(session, world, S.DRAFT)
    published = scenario_in(session, world, S.PUBLISHED)
    public = scenarios.list_public_scenarios(session=session)
    assert [p.id for p in public] == [published.id]
    row = public[0].model_dump()
    assert row["org_name"] == world.dept_a.org.name
    assert not {"contact_name", "contact_phone", "contact_email", "created_by", "version"} & set(row)
    assert "0851-86800000" not in repr(public)
    with pytest.raises(Exception) as info:
        scenarios.get_scenario(ANONYMOUS, draft.id, session=session)
    assert info.value.key == "error.not_found"


def test_public_filters(session, world):
    a = scenario_in(
        session,
        world,
        S.PUBLISHED,
        sector="smart-transport",
        region="zunyi",
        budget_max=300_000,
        budget_min=100_000,
    )
    b = scenario_in(session, world, S.PUBLISHED)
    assert [p.id for p in scenarios.list_public_scenarios(session=session, sectors=["smart-transport"])] == [
        a.id
    ]
    assert [p.id for p in scenarios.list_public_scenarios(session=session, regions=["province"])] == [b.id]
    assert [p.id for p in scenarios.list_public_scenarios(session=session, budget_min=1_000_000)] == [b.id]
    assert [p.id for p in scenarios.list_public_scenarios(session=session, text="远程影像")] == [b.id, a.id]


def test_followers_hear_and_history_hides_internal_reasons(session, world):
    sc = scenario_in(session, world, S.CHANGES_REQUESTED)
    scenarios.submit_scenario(world.dept_a.actor, sc.id, session=session)
    scenarios.publish_scenario(world.authority.actor, sc.id, session=session)
    assert scenarios.follow_scenario(world.vendor_x.actor, sc.id, session=session) is True
    assert scenarios.is_following(world.vendor_x.actor, sc.id, session=session)
    scenarios.follow_scenario(world.vendor_x.actor, sc.id, False, session=session)
    assert not scenarios.is_following(world.vendor_x.actor, sc.id, session=session)
    public = scenarios.status_history(world.vendor_x.actor, sc.id, session=session)
    assert [h.to_status for h in public] == ["published"]
    own = scenarios.status_history(world.dept_a.actor, sc.id, session=session)
    assert [h.to_status for h in own] == ["submitted", "changes_requested", "submitted", "published"]


def test_ids_beyond_the_database_range_are_refused_cleanly(session, world):
    """Found by the hostile-input run on PostgreSQL: 2**31 as an id crashed the INTEGER comparison."""
    from portal.domain.errors import NotFound, ValidationFailed
    from portal.permissions import ANONYMOUS

    with pytest.raises(NotFound):
        scenarios.get_scenario(ANONYMOUS, 2**31, session=session)
    with pytest.raises(ValidationFailed) as info:
        scenarios.create_scenario(world.dept_a.actor, scenario_data(call_id=2**31), session=session)
    assert "征集批次" in info.value.message("zh")
