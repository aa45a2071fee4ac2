"""为您推荐: open scenarios recommended for the vendor from its active offers, with reasons."""

import streamlit as st

from portal.i18n import t
from portal.ui import components as ui
from portal.ui import matchmaking, state
from portal.views.mine import recommended_page

actor, lang = state.guard("recommended")
view = ui.load(recommended_page, actor)
st.title(t("ui.recommended.title", lang))
st.caption(t("ui.recommended.intro", lang))
if view.pending:
    st.info(t("ui.vendor_pending", lang))
if not view.has_offers:
    st.info(t("ui.recommended.no_offers", lang))
    if st.button(t("ui.nav.offers", lang), key="rec_to_offers"):
        state.go("offers")
    st.stop()
if view.loading:
    with st.status(t("ui.model_loading", lang), state="running"):
        st.caption(t("ui.model_loading_detail", lang))
    st.stop()
if not view.items:
    ui.empty(lang, "ui.match.none")
for item in view.items:
    reasons = matchmaking.explain(item.reasons, lang)
    ui.scenario_card(item.scenario, lang, key="rec", reasons=reasons, score=item.score)
