"""Matchmaking board: each open scenario with its best candidate vendors; one click invites."""

import streamlit as st

from portal.db import session_scope
from portal.i18n import t
from portal.ui import components as ui
from portal.ui import matches, matchmaking, state

actor, lang = state.guard("board")
st.title(t("ui.board.title", lang))
st.caption(t("ui.board.intro", lang))
if not matches.loading_note(lang):
    st.stop()
k = st.slider(t("ui.board.k", lang), 1, 10, 3, key="board_k")
with session_scope() as s:
    rows = matchmaking.call("board", actor, session=s, k=k) or []
    invited = {row.scenario.id: matches.invited_ids(s, row.scenario.id, row.hits) for row in rows}
if not rows:
    ui.empty(lang, "ui.board.none")
for row in rows:
    sc = row.scenario
    with st.container(border=True, key=f"board_{sc.id}"):
        st.markdown(f"**{ui.safe(ui.title_of(sc, lang))}**")
        st.caption(ui.safe(sc.org_name) + " · " + ui.scenario_meta(sc, lang))
        matches.offer_hits(
            row.hits, lang, actor=actor, scenario_id=sc.id, key="board", invite=True, invited=invited[sc.id]
        )
