"""Every status is reachable through the real services (the factory asserts it)."""

import pytest

from portal.models import ScenarioStatus
from tests.factories import scenario_in


@pytest.mark.parametrize("status", list(ScenarioStatus))
def test_every_status_reachable(session, world, status):
    sc = scenario_in(session, world, status)
    assert sc.status == status
