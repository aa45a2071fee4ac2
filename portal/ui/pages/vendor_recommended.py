"""为您推荐: open scenarios recommended for the vendor from its active offers, with reasons."""

import streamlit as st

from portal.db import session_scope
from portal.i18n import t
from portal.services import offers
from portal.ui import components as ui
from portal.ui import matches, matchmaking, state

actor, lang = state.guard("recommended")
st.title(t("ui.recommended.title", lang))
st.caption(t("ui.recommended.intro", lang))
if not actor.verified:
    st.info(t("ui.vendor_pending", lang))
with session_scope() as s:
    mine = [o for o in offers.list_my_offers(actor, session=s) if o.status == "active"]
if not mine:
    st.info(t("ui.recommended.no_offers", lang))
    if st.button(t("ui.nav.offers", lang), key="rec_to_offers"):
        state.go("offers")
    st.stop()
if not matches.loading_note(lang):
    st.stop()
with session_scope() as s:
    hits = matchmaking.call("recommend_scenarios", actor, session=s, k=10) or []
if not hits:
    ui.empty(lang, "ui.match.none")
seen: set[int] = set()
for hit in hits:
    if hit.scenario.id in seen:
        continue
    seen.add(hit.scenario.id)
    ui.scenario_card(
        hit.scenario, lang, key="rec", reasons=matchmaking.explain(hit.reasons, lang), score=hit.score
    )
