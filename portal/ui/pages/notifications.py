"""Notifications inbox of every logged-in user."""

import streamlit as st

from portal.db import session_scope
from portal.i18n import format_datetime, t
from portal.services import notifications
from portal.ui import components as ui
from portal.ui import state

actor, lang = state.guard("inbox")
st.title(t("ui.inbox.title", lang))
unread_only = st.toggle(t("ui.inbox.unread_only", lang), key="inbox_unread")
with session_scope() as s:
    rows = notifications.list_notifications(actor, session=s, unread_only=unread_only)
    texts = {n.id: notifications.render(n, lang) for n in rows}
if any(n.read_at is None for n in rows) and st.button(t("ui.inbox.mark_all", lang), key="inbox_mark_all"):
    ui.run_action(lambda s: notifications.mark_read(actor, session=s), lang, t("ui.inbox.marked", lang))
if not rows:
    ui.empty(lang, "ui.inbox.none")
for n in rows:
    with st.container(border=True, key=f"note_{n.id}"):
        c1, c2 = st.columns([5, 1])
        prefix = "" if n.read_at else "🔵 "
        c1.markdown(prefix + ui.safe(texts[n.id]))
        c1.caption(format_datetime(n.created_at, lang))
        if (
            n.object_type == "scenario"
            and n.object_id
            and c2.button(t("ui.open", lang), key=f"note_open_{n.id}")
        ):
            with session_scope() as s:
                notifications.mark_read(actor, [n.id], session=s)
                s.commit()
            target = "manage" if actor.is_department else "scenario"
            state.go(target, id=n.object_id)
        if n.read_at is None and c2.button(t("ui.inbox.mark", lang), key=f"note_read_{n.id}"):
            ui.run_action(lambda s, nid=n.id: notifications.mark_read(actor, [nid], session=s), lang)
