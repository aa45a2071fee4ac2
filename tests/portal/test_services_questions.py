"""Clarification questions: until the question deadline; answers reach every bidder; askers stay anonymous."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal import clock
from portal.domain.errors import RuleViolation, ValidationFailed
from portal.models import Notification, ScenarioStatus
from portal.permissions import ANONYMOUS
from portal.services import bids, questions, scenarios
from tests.factories import after, bid_data, scenario_in

S = ScenarioStatus


def _kinds(session, party) -> list[str]:
    return list(session.exec(select(Notification.kind).where(Notification.user_id == party.user.id)).all())


def test_questions_close_at_the_question_deadline(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    days = (sc.question_deadline - clock.today()).days
    with clock.frozen(after(days)):
        questions.ask_question(world.vendor_x.actor, sc.id, "最后一天还能提问吗？", session=session)
    with clock.frozen(after(days + 1)), pytest.raises(RuleViolation) as info:
        questions.ask_question(world.vendor_x.actor, sc.id, "截止后还能提问吗？", session=session)
    assert info.value.key == "error.question_deadline_passed"


def test_question_text_is_validated(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    with pytest.raises(ValidationFailed) as info:
        questions.ask_question(world.vendor_x.actor, sc.id, "  ?  ", session=session)
    assert info.value.errors[0].message("en") == "Question is too short (at least 2 characters)."
    with pytest.raises(ValidationFailed):
        questions.ask_question(world.vendor_x.actor, sc.id, "问" * 2001, session=session)


def test_answers_reach_every_bidder_without_revealing_the_asker(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    x, y = world.vendor_x, world.vendor_y
    bid = bids.save_bid(y.actor, sc.id, bid_data(), session=session)
    bids.submit_bid(y.actor, bid.id, session=session)
    scenarios.follow_scenario(world.vendor_p.actor, sc.id, session=session)
    asked = questions.ask_question(x.actor, sc.id, "是否提供历史影像数据用于模型训练？", session=session)
    pending = questions.ask_question(x.actor, sc.id, "项目验收标准是什么？", session=session)
    assert "question_asked" in _kinds(session, world.dept_a)
    assert (
        questions.list_questions(y.actor, sc.id, session=session) == []
    )  # unanswered: only the asker sees it

    questions.answer_question(world.dept_a.actor, asked.id, "提供脱敏后的近两年数据。", session=session)
    for party in (x, y, world.vendor_p):  # the asker, a bidder, a follower
        assert "question_answered" in _kinds(session, party)

    for viewer in (y.actor, ANONYMOUS):
        seen = questions.list_questions(viewer, sc.id, session=session)
        assert [(q.text, q.answer) for q in seen] == [(asked.text, "提供脱敏后的近两年数据。")]
        assert (seen[0].vendor_org_id, seen[0].asked_by) == (None, None)
    own = questions.list_questions(x.actor, sc.id, session=session)
    assert [q.id for q in own] == [asked.id, pending.id]
    assert own[0].vendor_org_id == x.org.id
    dept_view = questions.list_questions(world.dept_a.actor, sc.id, session=session)
    assert {q.vendor_org_id for q in dept_view} == {x.org.id}
    assert [q.id for q in questions.unanswered_for_department(world.dept_a.actor, session=session)] == [
        pending.id
    ]
    session.flush()
    session.expire_all()
    assert (
        questions.list_questions(world.authority.actor, sc.id, session=session)[0].vendor_org_id == x.org.id
    )


def test_questions_only_on_published_scenarios(session, world):
    sc = scenario_in(session, world, S.CLOSED)
    with pytest.raises(RuleViolation) as info:
        questions.ask_question(world.vendor_x.actor, sc.id, "还能提问吗？", session=session)
    assert info.value.key == "error.scenario_not_open"
