"""A vendor's bids and their status."""

import streamlit as st

from portal.db import session_scope
from portal.domain.errors import PortalError
from portal.i18n import format_cny, format_date, format_datetime, label, t
from portal.services import bids, scenarios
from portal.ui import components as ui
from portal.ui import state

actor, lang = state.guard("my-bids")
st.title(t("ui.my_bids.title", lang))
with session_scope() as s:
    rows = bids.list_my_bids(actor, session=s)
    scs = {}
    for b in rows:
        try:
            scs[b.scenario_id] = scenarios.get_scenario(actor, b.scenario_id, session=s)
        except PortalError:  # e.g. cancelled before publishing results: no longer visible
            scs[b.scenario_id] = None
if not rows:
    ui.empty(lang, "ui.my_bids.none")
for b in rows:
    sc = scs[b.scenario_id]
    if sc is None:
        continue
    with st.container(border=True, key=f"mybid_{b.id}"):
        c1, c2 = st.columns([5, 1])
        c1.markdown(f"**{ui.safe(ui.title_of(sc, lang))}**")
        c1.caption(
            " · ".join(
                [
                    label("bid_status", b.status, lang),
                    format_cny(b.price, lang),
                    label("status", sc.status, lang),
                    t("ui.scenario.closing", lang, date=format_date(sc.closing_date, lang)),
                    t("ui.my_bids.updated", lang, at=format_datetime(b.updated_at, lang)),
                ]
            )
        )
        if c2.button(t("ui.open", lang), key=f"mybid_open_{b.id}"):
            state.go("scenario", id=sc.id)
