"""The scenario list's read model offers "save this search" from the subscription service's own check."""

from __future__ import annotations

from portal.permissions import ANONYMOUS
from portal.services import subscriptions
from portal.views.lists import Do, ListFilters, scenario_list


def test_the_save_action_follows_the_services_check(session, world):
    x = world.vendor_x.actor
    wanted = ListFilters(query=" 远程影像 ", sectors=("smart-health",), closing_to=None, budget_min=10)
    assert not scenario_list(ANONYMOUS, wanted, session=session).can(Do.SAVE_SEARCH)
    assert not scenario_list(x, ListFilters(), session=session).can(Do.SAVE_SEARCH)  # nothing to save
    assert not scenario_list(x, ListFilters(query="长" * 201), session=session).can(Do.SAVE_SEARCH)

    view = scenario_list(x, wanted, session=session)
    assert view.can(Do.SAVE_SEARCH) and not view.search_saved
    assert view.saved_search == ("远程影像", {"sectors": ["smart-health"], "regions": []})  # budget not kept
    subscriptions.save_search(x, *view.saved_search, session=session)
    session.commit()

    again = scenario_list(x, wanted, session=session)
    assert again.search_saved and not again.can(Do.SAVE_SEARCH)
    other = scenario_list(world.vendor_y.actor, wanted, session=session)  # saved per user
    assert other.can(Do.SAVE_SEARCH) and not other.search_saved
