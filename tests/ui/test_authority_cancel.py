"""The authority can stop a running scenario from its page; a reason is required."""

from portal.models import ScenarioStatus
from portal.services import scenarios
from tests.factories import scenario_in


def test_authority_cancels_with_a_reason(app, session, world):
    sc = scenario_in(session, world, ScenarioStatus.PUBLISHED)
    at = app(world.authority, page="scenario", id=sc.id)
    at.button(key="auth_cancel").click().run()
    assert at.error  # no reason: refused, translated
    session.expire_all()
    assert (
        scenarios.get_scenario(world.authority.actor, sc.id, session=session).status
        == ScenarioStatus.PUBLISHED
    )
    at.text_input(key="auth_cancel_reason").input("财政预算调整，需求暂停").run()
    at.button(key="auth_cancel").click().run()
    assert not at.exception
    session.expire_all()
    assert (
        scenarios.get_scenario(world.authority.actor, sc.id, session=session).status
        == ScenarioStatus.CANCELLED
    )


def test_other_roles_get_no_cancel_control(app, session, world):
    sc = scenario_in(session, world, ScenarioStatus.PUBLISHED)
    for party in (None, world.vendor_x, world.dept_b):
        at = app(party, page="scenario", id=sc.id)
        assert not [b for b in at.button if b.key == "auth_cancel"]
