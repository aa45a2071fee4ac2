"""The serving process closes overdue scenarios by itself (bids unsealed without a click)."""

from portal import clock
from portal.models import ScenarioStatus
from portal.permissions import Action, can
from portal.services import housekeeping
from tests.factories import after, scenario_in


def test_overdue_scenarios_close_by_themselves(session, world):
    sc = scenario_in(session, world, ScenarioStatus.PUBLISHED)
    assert housekeeping.run_due(force=True) == []  # not overdue yet
    with clock.frozen(after((sc.closing_date - clock.today()).days + 1)):
        assert housekeeping.run_due(force=True) == [sc.id]
        assert housekeeping.run_due() == []  # throttled: at most one sweep per interval
    session.refresh(sc)
    assert sc.status == ScenarioStatus.CLOSED
    assert can(world.dept_a.actor, Action.BID_VIEW_ALL, sc)
