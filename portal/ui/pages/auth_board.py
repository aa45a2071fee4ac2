"""Matchmaking board: each open scenario with its best candidate vendors; one click invites."""

import streamlit as st

from portal.i18n import t
from portal.ui import components as ui
from portal.ui import matches, state
from portal.views.authority import board_page

actor, lang = state.guard("board")
st.title(t("ui.board.title", lang))
st.caption(t("ui.board.intro", lang))
k = st.slider(t("ui.board.k", lang), 1, 10, 3, key="board_k")
view = ui.load(board_page, actor, k=k)
if view.loading:
    matches.loading_note(lang)
    st.stop()
if not view.rows:
    ui.empty(lang, "ui.board.none")
for row in view.rows:
    sc = row.scenario
    with st.container(border=True, key=f"board_{sc.id}"):
        st.markdown(f"**{ui.safe(ui.title_of(sc, lang))}**")
        st.caption(ui.safe(sc.org_name) + " · " + ui.scenario_meta(sc, lang))
        matches.offer_matches(row.matches, lang, actor=actor, scenario_id=sc.id, key="board")
