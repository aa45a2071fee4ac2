"""Published numbered lists (第N批场景清单) of the collection calls, with a printable export."""

import streamlit as st

from portal.db import session_scope
from portal.i18n import format_date, t
from portal.models import CallStatus
from portal.services import calls, scenarios
from portal.ui import components as ui
from portal.ui import downloads, state

actor, lang = state.guard("lists")
st.title(t("ui.lists.title", lang))
with session_scope() as s:
    published = calls.list_calls(session=s, status=CallStatus.PUBLISHED)
if not published:
    ui.empty(lang, "ui.lists.none")
    st.stop()
published.sort(key=lambda c: c.batch_number or 0, reverse=True)
by_id = {c.id: c for c in published}
call_id = st.selectbox(
    t("field.call_id", lang),
    list(by_id),
    format_func=lambda i: t(
        "ui.lists.batch", lang, n=by_id[i].batch_number, theme=ui.title_of_call(by_id[i], lang)
    ),
    key="lists_call",
)
call = by_id[call_id]
st.caption(
    t("ui.lists.period", lang, start=format_date(call.opens_on, lang), end=format_date(call.closes_on, lang))
)
if call.description:
    st.markdown(ui.safe(call.description))
with session_scope() as s:
    rows = scenarios.list_public_scenarios(
        session=s, call_id=call.id, statuses=list(scenarios.PUBLIC_STATUSES)
    )
rows.sort(key=lambda r: (r.list_number or 10_000, r.id))
downloads.call_list_downloads(call.id, lang, key="lists")
for sc in rows:
    ui.scenario_card(sc, lang, key="calllist")
