"""Audit log viewer with filters (time, event, object, acting user)."""

import json

import streamlit as st

from portal.i18n import format_datetime, t
from portal.ui import components as ui
from portal.ui import state
from portal.views.data import AUDIT_OBJECT_TYPES, audit_log_page

actor, lang = state.guard("audit")
st.title(t("ui.audit.title", lang))
c1, c2, c3 = st.columns(3)
since = c1.date_input(t("ui.audit.since", lang), value=None, key="audit_since")
until = c2.date_input(t("ui.audit.until", lang), value=None, key="audit_until")
prefix = c3.text_input(t("ui.audit.event", lang), key="audit_event", placeholder="scenario.")
c4, c5, c6 = st.columns(3)
object_type = c4.selectbox(
    t("ui.audit.object_type", lang),
    AUDIT_OBJECT_TYPES,
    format_func=lambda o: t("ui.all", lang) if not o else t(f"object.{o}", lang),
    key="audit_object_type",
)
object_id = c5.number_input(
    t("ui.audit.object_id", lang), min_value=1, value=None, step=1, key="audit_object_id"
)
actor_id = c6.number_input(
    t("ui.audit.actor_id", lang), min_value=1, value=None, step=1, key="audit_actor_id"
)
view = ui.load(
    audit_log_page,
    actor,
    since=since,
    until=until,
    event_prefix=prefix,
    object_type=object_type,
    object_id=object_id,
    actor_id=actor_id,
    page=st.session_state.get("audit_page", 1),
)
st.caption(t("ui.audit.count", lang, count=view.total))
st.dataframe(
    [
        {
            t("ui.audit.at", lang): format_datetime(r.at, lang),
            t("ui.audit.event", lang): r.event,
            t("ui.audit.actor", lang): r.actor_name,
            t("ui.audit.object_type", lang): r.object_type,
            t("ui.audit.object_id", lang): r.object_id,
            t("ui.audit.payload", lang): json.dumps(r.payload, ensure_ascii=False)[:300],
        }
        for r in view.rows
    ],
    hide_index=True,
    width="stretch",
    key="audit_table",
)
if view.pages > 1:
    st.selectbox(t("ui.page", lang), list(range(1, view.pages + 1)), key="audit_page")
