"""An industry department's scenarios, grouped by status, with their open questions."""

import streamlit as st

from portal.i18n import format_date, label, t
from portal.ui import components as ui
from portal.ui import state
from portal.views.mine import Do, my_scenarios_page

actor, lang = state.guard("my-scenarios")
view = ui.load(my_scenarios_page, actor)
st.title(t("ui.dept.title", lang))
if view.can(Do.NEW_SCENARIO) and st.button(
    t("ui.nav.new_scenario", lang), key="dept_new", type="primary", icon=":material/add:"
):
    st.session_state.pop("edit_id", None)
    state.go("edit-scenario")
if view.open_questions:
    st.warning(t("ui.dept.questions_waiting", lang, count=view.open_questions))

tabs = st.tabs([f"{t(g.key, lang)} ({len(g.rows)})" for g in view.groups])
for tab, group in zip(tabs, view.groups, strict=True):
    with tab:
        if not group.rows:
            st.caption(t("ui.none", lang))
        for sc in group.rows:
            with st.container(border=True, key=f"mine_{sc.id}"):
                c1, c2 = st.columns([5, 1])
                c1.markdown(f"**{ui.safe(sc.title)}**")
                info_md = [  # catalogue texts with dates and numbers only
                    label("status", sc.status, lang),
                    t("ui.scenario.closing", lang, date=format_date(sc.closing_date, lang)),
                ]
                if sc.bid_count is not None:
                    info_md.append(t("ui.dept.bid_count", lang, count=sc.bid_count))
                if sc.open_questions:
                    info_md.append(t("ui.dept.open_questions", lang, count=sc.open_questions))
                c1.caption(" · ".join(info_md))
                if c2.button(t("ui.open", lang), key=f"manage_{sc.id}"):
                    state.go("manage", id=sc.id)
