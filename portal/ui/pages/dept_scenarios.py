"""An industry department's scenarios, grouped by status, with their open questions."""

import streamlit as st

from portal.db import session_scope
from portal.i18n import format_date, label, t
from portal.models import ScenarioStatus
from portal.services import bids, questions, scenarios
from portal.ui import components as ui
from portal.ui import state

S = ScenarioStatus
GROUPS = {
    "ui.dept.group.drafts": (S.DRAFT, S.CHANGES_REQUESTED, S.SUBMITTED),
    "ui.dept.group.open": (S.PUBLISHED,),
    "ui.dept.group.decide": (S.CLOSED,),
    "ui.dept.group.delivery": (S.AWARDED, S.IN_IMPLEMENTATION, S.COMPLETED, S.SHOWCASED),
    "ui.dept.group.ended": (S.WITHDRAWN, S.CANCELLED, S.NONE_SUITABLE),
}

actor, lang = state.guard("my-scenarios")
st.title(t("ui.dept.title", lang))
if st.button(t("ui.nav.new_scenario", lang), key="dept_new", type="primary", icon=":material/add:"):
    st.session_state.pop("edit_id", None)
    state.go("edit-scenario")
with session_scope() as s:
    mine = scenarios.list_my_scenarios(actor, session=s)
    open_questions = questions.unanswered_for_department(actor, session=s)
    counts = {sc.id: bids.visible_bid_count(actor, sc, session=s) for sc in mine}
waiting: dict[int, int] = {}
for q in open_questions:
    waiting[q.scenario_id] = waiting.get(q.scenario_id, 0) + 1
if waiting:
    st.warning(t("ui.dept.questions_waiting", lang, count=len(open_questions)))

tabs = st.tabs([f"{t(key, lang)} ({sum(sc.status in sts for sc in mine)})" for key, sts in GROUPS.items()])
for tab, statuses in zip(tabs, GROUPS.values(), strict=True):
    with tab:
        rows = [sc for sc in mine if sc.status in statuses]
        if not rows:
            st.caption(t("ui.none", lang))
        for sc in rows:
            with st.container(border=True, key=f"mine_{sc.id}"):
                c1, c2 = st.columns([5, 1])
                c1.markdown(f"**{ui.safe(sc.title)}**")
                info = [
                    label("status", sc.status, lang),
                    t("ui.scenario.closing", lang, date=format_date(sc.closing_date, lang)),
                ]
                if counts.get(sc.id) is not None:
                    info.append(t("ui.dept.bid_count", lang, count=counts[sc.id]))
                if waiting.get(sc.id):
                    info.append(t("ui.dept.open_questions", lang, count=waiting[sc.id]))
                c1.caption(" · ".join(info))
                if c2.button(t("ui.open", lang), key=f"manage_{sc.id}"):
                    state.go("manage", id=sc.id)
