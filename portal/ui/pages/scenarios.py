"""场景清单: published scenarios for everyone, with semantic search and filters."""

import streamlit as st

from portal import clock
from portal.db import session_scope
from portal.i18n import t
from portal.models import ScenarioStatus
from portal.services.scenarios import list_public_scenarios
from portal.ui import components as ui
from portal.ui import matchmaking, state

PAGE_SIZE = 20
actor, lang = state.guard("scenarios")
st.title(t("ui.scenarios.title", lang))
st.caption(t("ui.scenarios.intro", lang))

with st.form("sc_filters", border=True):
    query = st.text_input(t("ui.search", lang), key="sc_query", placeholder=t("ui.search.placeholder", lang))
    c1, c2, c3 = st.columns(3)
    pick_sectors = ui.taxonomy_multiselect("sector", "sector", lang, key="sc_sectors", where=c1)
    pick_regions = ui.taxonomy_multiselect("region", "region", lang, key="sc_regions", where=c2)
    closing_to = c3.date_input(t("ui.filter.closing_before", lang), value=None, key="sc_closing_to")
    c4, c5, c6 = st.columns(3)
    budget_lo = c4.number_input(
        t("ui.filter.budget_min", lang), min_value=0, value=None, step=10, key="sc_budget_min"
    )
    budget_hi = c5.number_input(
        t("ui.filter.budget_max", lang), min_value=0, value=None, step=10, key="sc_budget_max"
    )
    include_past = c6.toggle(t("ui.filter.include_past", lang), key="sc_include_past")
    st.form_submit_button(t("ui.search.go", lang), key="sc_search", type="primary")

statuses = [ScenarioStatus.PUBLISHED]
if include_past:
    statuses += [
        ScenarioStatus.CLOSED,
        ScenarioStatus.AWARDED,
        ScenarioStatus.IN_IMPLEMENTATION,
        ScenarioStatus.COMPLETED,
        ScenarioStatus.SHOWCASED,
    ]
filters = dict(
    sectors=pick_sectors or None,
    regions=pick_regions or None,
    statuses=statuses,
    closing_to=closing_to,
    budget_min=int(budget_lo * 10_000) if budget_lo is not None else None,
    budget_max=int(budget_hi * 10_000) if budget_hi is not None else None,
)
query = (query or "").strip()
reasons: dict[int, list[str]] = {}
scores: dict[int, float] = {}
with session_scope() as s:
    if query and matchmaking.ready():
        hits = (
            matchmaking.call(
                "search_scenarios",
                actor,
                query,
                session=s,
                k=60,
                sectors=filters["sectors"],
                regions=filters["regions"],
            )
            or []
        )
        # The engine ranks; the database applies the remaining filters (closing date, budget, status).
        rows = {
            sc.id: sc for sc in list_public_scenarios(session=s, ids=[h.scenario.id for h in hits], **filters)
        }
        items = [rows[h.scenario.id] for h in hits if h.scenario.id in rows]
        for h in hits:
            reasons[h.scenario.id] = matchmaking.explain(h.reasons, lang)
            scores[h.scenario.id] = h.score
    else:
        if query:
            st.info(t("ui.model_loading", lang), icon=":material/hourglass_top:")
        items = list_public_scenarios(session=s, text=query or None, **filters)

st.caption(t("ui.scenarios.count", lang, count=len(items), today=clock.today()))
if not items:
    ui.empty(lang, "ui.scenarios.none")
    st.stop()
pages = max(1, (len(items) + PAGE_SIZE - 1) // PAGE_SIZE)
page_no = 1
if pages > 1:
    page_no = st.selectbox(t("ui.page", lang), list(range(1, pages + 1)), key="sc_page")
for sc in items[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]:
    ui.scenario_card(sc, lang, key="list", reasons=reasons.get(sc.id), score=scores.get(sc.id))
