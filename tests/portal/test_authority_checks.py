"""The checks the authority's screens probe are the rules its commands enforce (one rule, two callers)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal import clock
from portal.domain.errors import PermissionDenied, RuleViolation
from portal.models import Notification, ScenarioStatus
from portal.services import calls, exports, matchmaking, scenarios
from portal.views import authority, collection, data
from tests.factories import after, scenario_in

S = ScenarioStatus


def test_publishing_after_the_closing_date_is_refused_by_check_and_command(session, world):
    sc = scenario_in(session, world, S.SUBMITTED)
    with clock.frozen(after(40)):
        with pytest.raises(RuleViolation) as err:
            scenarios.check_publish(world.authority.actor, sc)
        assert err.value.key == "error.closing_date_passed"
        item = authority.review_page(world.authority.actor, session=session).items[0]
        assert not item.can(authority.Do.PUBLISH) and item.publish_refused is not None
        with pytest.raises(RuleViolation):
            matchmaking.publish_and_announce(world.authority.actor, sc.id, session=session)
    session.rollback()
    session.refresh(sc)
    assert sc.status == S.SUBMITTED
    assert session.query(Notification).filter_by(object_id=sc.id, kind="scenario_published").count() == 0


def test_review_queue_is_refused_to_a_department(session, world):
    with pytest.raises(PermissionDenied):
        authority.review_page(world.dept_a.actor, session=session)


def test_invite_check_refuses_another_department_a_non_vendor_and_a_closed_market(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    with pytest.raises(PermissionDenied):
        scenarios.check_invite(world.dept_b.actor, sc, world.vendor_x.org)
    with pytest.raises(RuleViolation) as err:
        scenarios.check_invite(world.authority.actor, sc, world.dept_b.org)
    assert err.value.key == "error.not_a_vendor"
    scenarios.check_invite(world.dept_a.actor, sc, world.vendor_x.org)
    draft = scenario_in(session, world, S.DRAFT)
    with pytest.raises(RuleViolation) as err:
        scenarios.invite_vendor(world.dept_a.actor, draft.id, world.vendor_x.org.id, session=session)
    assert err.value.key == "error.scenario_not_open"


def _call(session, world, theme: str):
    return calls.create_call(
        world.authority.actor,
        {"theme": theme, "opens_on": clock.today(), "closes_on": clock.today() + timedelta(days=9)},
        session=session,
    )


def test_an_empty_call_list_is_refused_by_check_view_and_command(session, world):
    empty = _call(session, world, "公共数据应用场景征集")
    full = _call(session, world, "智慧交通应用场景征集")
    scenario_in(session, world, S.PUBLISHED, call_id=full.id)
    for call in (empty, full):
        calls.close_call(world.authority.actor, call.id, session=session)
    items = {c.id: c for c in collection.calls_page(world.authority.actor, session=session).calls}
    assert not items[empty.id].can(collection.Do.PUBLISH)
    assert items[empty.id].publish_refused.key == "error.call_list_empty"
    assert items[full.id].can(collection.Do.PUBLISH) and items[full.id].publish_refused is None
    with pytest.raises(RuleViolation):
        calls.publish_call_list(world.authority.actor, empty.id, session=session)
    calls.publish_call_list(world.authority.actor, full.id, session=session)


def test_export_formats_come_from_the_export_check(session, world):
    assert data.export_page(world.authority.actor, session=session).formats == exports.FORMATS
    with pytest.raises(RuleViolation):
        exports.export_open_data(world.authority.actor, "xlsx", session=session)
    with pytest.raises(PermissionDenied):
        data.export_page(world.vendor_x.actor, session=session)
