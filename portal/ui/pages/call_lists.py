"""Published numbered lists (第N批场景清单) of the collection calls, with a printable export."""

import streamlit as st

from portal.i18n import format_date, t
from portal.ui import components as ui
from portal.ui import downloads, state
from portal.views.lists import call_list_page

actor, lang = state.guard("lists")
st.title(t("ui.lists.title", lang))
view = ui.load(call_list_page, actor, st.session_state.get("lists_call"))  # the list picked last run
if view.call_id is None:
    ui.empty(lang, "ui.lists.none")
    st.stop()
by_id = {c.id: c for c in view.calls}
ids = list(by_id)
st.selectbox(
    t("field.call_id", lang),
    ids,
    index=ids.index(view.call_id),
    format_func=lambda i: t(
        "ui.lists.batch", lang, n=by_id[i].batch_number, theme=ui.title_of_call(by_id[i], lang)
    ),
    key="lists_call",
)
st.caption(
    t("ui.lists.period", lang, start=format_date(view.opens_on, lang), end=format_date(view.closes_on, lang))
)
if view.description:
    st.markdown(ui.safe(view.description))
downloads.call_list_downloads(view.call_id, lang, key="lists")
for sc in view.scenarios:
    ui.scenario_card(sc, lang, key="calllist")
