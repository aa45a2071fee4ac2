"""场景清单: published scenarios for everyone, with semantic search and filters."""

import streamlit as st

from portal.i18n import t
from portal.services import subscriptions
from portal.ui import components as ui
from portal.ui import matchmaking, state
from portal.views.lists import Do, ListFilters, scenario_list

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

filters = ListFilters(
    query=query or "",
    sectors=tuple(pick_sectors),
    regions=tuple(pick_regions),
    closing_to=closing_to,
    budget_min=int(budget_lo * 10_000) if budget_lo is not None else None,  # the form asks in 万元
    budget_max=int(budget_hi * 10_000) if budget_hi is not None else None,
    include_past=include_past,
)
view = ui.load(scenario_list, actor, filters)
if view.model_loading:
    st.info(t("ui.model_loading", lang), icon=":material/hourglass_top:")

st.caption(t("ui.scenarios.count", lang, count=len(view.items), today=view.today))
if view.can(Do.SAVE_SEARCH) and st.button(
    t("ui.scenarios.save_search", lang),
    key="sc_save_search",
    icon=":material/bookmark_add:",
    help=t("ui.scenarios.save_search.help", lang),
):
    ui.act(subscriptions.save_search, actor, *view.saved_search, done=t("ui.scenarios.search_saved", lang))
elif view.search_saved:
    st.caption(t("ui.scenarios.search_saved", lang))
if not view.items:
    ui.empty(lang, "ui.scenarios.none")
    st.stop()
pages = max(1, (len(view.items) + PAGE_SIZE - 1) // PAGE_SIZE)
page_no = 1
if pages > 1:
    page_no = st.selectbox(t("ui.page", lang), list(range(1, pages + 1)), key="sc_page")
for item in view.items[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]:
    reasons = matchmaking.explain(item.reasons, lang) if item.reasons is not None else None
    ui.scenario_card(item.scenario, lang, key="list", reasons=reasons, score=item.score)
