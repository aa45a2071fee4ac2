"""A vendor's bids and their status."""

import streamlit as st

from portal.i18n import format_cny, format_date, format_datetime, label, t
from portal.ui import components as ui
from portal.ui import state
from portal.views.mine import my_bids_page

actor, lang = state.guard("my-bids")
view = ui.load(my_bids_page, actor)
st.title(t("ui.my_bids.title", lang))
if not view.bids:
    ui.empty(lang, "ui.my_bids.none")
for b in view.bids:
    with st.container(border=True, key=f"mybid_{b.id}"):
        c1, c2 = st.columns([5, 1])
        c1.markdown(f"**{ui.safe(ui.title_of(b, lang))}**")
        c1.caption(
            " · ".join(
                [
                    label("bid_status", b.status, lang),
                    format_cny(b.price, lang),
                    label("status", b.scenario_status, lang),
                    t("ui.scenario.closing", lang, date=format_date(b.closing_date, lang)),
                    t("ui.my_bids.updated", lang, at=format_datetime(b.updated_at, lang)),
                ]
            )
        )
        if c2.button(t("ui.open", lang), key=f"mybid_open_{b.id}"):
            state.go("scenario", id=b.scenario_id)
