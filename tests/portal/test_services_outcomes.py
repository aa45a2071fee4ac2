"""After the award: outcome report, completion, showcases and who sees them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from portal.domain.errors import NotFound, RuleViolation, ValidationFailed
from portal.models import Notification, ScenarioStatus, ShowcaseStatus
from portal.permissions import ANONYMOUS
from portal.services import outcomes
from tests.factories import scenario_in

S, SC = ScenarioStatus, ShowcaseStatus
STORY = {"title": "远程影像示范", "story": "平台覆盖88个乡镇卫生院，报告出具时间缩短至1.2小时。"}


def test_outcome_validation(session, world):
    sc = scenario_in(session, world, S.AWARDED)
    bad = {"contract_value": -1, "start_date": date(2026, 5, 1), "end_date": date(2026, 4, 1)}
    with pytest.raises(ValidationFailed) as info:
        outcomes.record_outcome(world.dept_a.actor, sc.id, bad, session=session)
    assert {(e.field, e.key) for e in info.value.errors} == {
        ("contract_value", "validation.too_small"),
        ("end_date", "validation.end_before_start"),
    }
    assert "结束日期不能早于开始日期" in info.value.message("zh")


def test_outcomes_only_for_awarded_scenarios_and_completion_needs_one(session, world):
    closed = scenario_in(session, world, S.CLOSED)
    with pytest.raises(RuleViolation) as info:
        outcomes.record_outcome(world.dept_a.actor, closed.id, {}, session=session)
    assert info.value.key == "error.scenario_not_awarded"
    sc = scenario_in(session, world, S.IN_IMPLEMENTATION)
    with pytest.raises(RuleViolation) as info:
        outcomes.complete_scenario(world.dept_a.actor, sc.id, session=session)
    assert info.value.key == "error.outcome_missing"
    out = outcomes.record_outcome(
        world.dept_a.actor,
        sc.id,
        {"contract_value": 990_000, "achieved_indicators": [{"name": "时长", "achieved": "1h"}]},
        session=session,
    )
    assert out.vendor_org_id == world.vendor_y.org.id  # the winner (lowest price) is recorded
    outcomes.complete_scenario(world.dept_a.actor, sc.id, session=session)
    assert sc.status == S.COMPLETED


def test_showcase_flow_publishes_the_scenario_and_hides_drafts(session, world):
    sc = scenario_in(session, world, S.COMPLETED)
    with pytest.raises(RuleViolation) as info:
        outcomes.propose_showcase(
            world.dept_a.actor, scenario_in(session, world, S.AWARDED).id, STORY, session=session
        )
    assert info.value.key == "error.scenario_not_completed"
    shc = outcomes.propose_showcase(world.dept_a.actor, sc.id, STORY, session=session)
    with pytest.raises(RuleViolation):
        outcomes.propose_showcase(world.dept_a.actor, sc.id, STORY, session=session)
    assert outcomes.list_showcases(ANONYMOUS, session=session) == []
    with pytest.raises(NotFound):
        outcomes.get_showcase(world.dept_b.actor, shc.id, session=session)
    outcomes.submit_showcase(world.dept_a.actor, shc.id, session=session)
    outcomes.publish_showcase(world.authority.actor, shc.id, session=session)
    assert (shc.status, sc.status) == (SC.PUBLISHED, S.SHOWCASED)
    assert [s.id for s in outcomes.list_showcases(ANONYMOUS, session=session)] == [shc.id]
    kinds = session.exec(select(Notification.kind).where(Notification.user_id == world.dept_a.user.id)).all()
    assert "showcase_published" in kinds


def test_showcase_text_is_validated(session, world):
    sc = scenario_in(session, world, S.COMPLETED)
    with pytest.raises(ValidationFailed) as info:
        outcomes.propose_showcase(
            world.dept_a.actor, sc.id, {"title": "短", "story": "太短"}, session=session
        )
    assert {e.field for e in info.value.errors} == {"title", "story"}
