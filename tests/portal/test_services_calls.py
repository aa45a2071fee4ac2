"""Collection calls and their numbered published lists (第N批场景清单)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal import clock
from portal.domain.errors import RuleViolation, ValidationFailed
from portal.models import ScenarioStatus
from portal.services import calls, scenarios
from tests.factories import scenario_data, scenario_in

S = ScenarioStatus


def _call(session, world, theme="公共数据应用场景征集", **kw):
    today = clock.today()
    data = {"theme": theme, "opens_on": today, "closes_on": today + timedelta(days=30)} | kw
    return calls.create_call(world.authority.actor, data, session=session)


def test_call_dates_are_checked(session, world):
    with pytest.raises(ValidationFailed) as info:
        _call(session, world, closes_on=clock.today() - timedelta(days=1))
    assert [(e.field, e.key) for e in info.value.errors] == [("closes_on", "validation.end_before_start")]


def test_lists_are_numbered_and_list_only_published_scenarios(session, world):
    first, second = _call(session, world), _call(session, world, "第二批场景征集")
    assert [c.id for c in calls.open_calls(session=session)] == [first.id, second.id]
    a = scenario_in(session, world, S.PUBLISHED, call_id=first.id)
    b = scenario_in(
        session, world, S.PUBLISHED, call_id=first.id, owner=world.dept_b, sector="smart-transport"
    )
    pending = scenario_in(session, world, S.SUBMITTED, call_id=first.id)
    calls.close_call(world.authority.actor, first.id, session=session)
    with pytest.raises(RuleViolation) as info:
        scenarios.create_scenario(world.dept_a.actor, scenario_data(call_id=first.id), session=session)
    assert info.value.key == "error.call_not_open"
    calls.publish_call_list(world.authority.actor, first.id, session=session)
    assert first.batch_number == 1
    assert (a.list_number, b.list_number, pending.list_number) == (1, 2, None)
    assert [s.id for s in calls.submissions(world.authority.actor, first.id, session=session)] == [
        a.id,
        b.id,
        pending.id,
    ]
    calls.close_call(world.authority.actor, second.id, session=session)
    with pytest.raises(RuleViolation) as info:
        calls.publish_call_list(world.authority.actor, second.id, session=session)
    assert info.value.key == "error.call_list_empty"
    scenario_in(session, world, S.PUBLISHED)  # outside any call: never on a list
    assert len(calls.call_scenarios(session, first.id, public_only=True)) == 2
