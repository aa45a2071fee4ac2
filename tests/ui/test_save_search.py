""" "Save this search" on the scenario list: offered to logged-in users only, saves the query with
the sector and region filters the digest follows, and says so afterwards (both languages)."""

from __future__ import annotations

from sqlmodel import select

from portal.i18n import t
from portal.models import Subscription
from tests.ui.conftest import no_errors, texts


def _search(at, query: str = "", sector: str | None = None):
    if query:
        at.text_input(key="sc_query").input(query)
    if sector:
        at.multiselect(key="sc_sectors").select(sector)
    at.button(key="sc_search").click().run()
    no_errors(at)
    return at


def _offered(at) -> bool:
    return any(b.key == "sc_save_search" for b in at.button)


def test_anonymous_visitors_are_not_offered_to_save_a_search(app, session, world):
    at = _search(app(None, "scenarios"), "远程影像", "smart-health")
    assert not _offered(at)


def test_a_vendor_saves_the_query_with_its_filters_once(app, session, world):
    at = app(world.vendor_x, "scenarios")
    assert not _offered(at)  # nothing typed or picked: nothing to save
    at = _search(at, "远程影像诊断", "smart-health")
    button = at.button(key="sc_save_search")
    assert button.label == t("ui.scenarios.save_search", "zh")
    button.click().run()
    no_errors(at)
    [row] = session.exec(select(Subscription).where(Subscription.user_id == world.vendor_x.user.id)).all()
    assert (row.kind, row.value, row.filters) == (
        "search",
        "远程影像诊断",
        {"sectors": ["smart-health"], "regions": []},
    )
    assert not _offered(at)  # saved already: the list says so instead
    assert t("ui.scenarios.search_saved", "zh") in texts(at)


def test_the_offer_is_in_english_for_an_english_page(app, session, world):
    at = _search(app(world.dept_a, "scenarios", lang="en"), "telemedicine")
    assert at.button(key="sc_save_search").label == "Save this search"
