"""Notifications inbox of every logged-in user."""

import streamlit as st

from portal.i18n import format_datetime, t
from portal.services import notifications
from portal.ui import components as ui
from portal.ui import state
from portal.views.inbox import Do, inbox_page

actor, lang = state.guard("inbox")
st.title(t("ui.inbox.title", lang))
unread_only = st.toggle(t("ui.inbox.unread_only", lang), key="inbox_unread")
view = ui.load(inbox_page, actor, lang, unread_only=unread_only)
if view.can(Do.MARK_ALL) and st.button(t("ui.inbox.mark_all", lang), key="inbox_mark_all"):
    ui.act(notifications.mark_read, actor, done=t("ui.inbox.marked", lang))
if not view.notes:
    ui.empty(lang, "ui.inbox.none")
for n in view.notes:
    with st.container(border=True, key=f"note_{n.id}"):
        c1, c2 = st.columns([5, 1])
        c1.markdown(("" if n.read else "🔵 ") + ui.safe(n.text))
        c1.caption(format_datetime(n.created_at, lang))
        opened = n.can(Do.OPEN) and n.target and c2.button(t("ui.open", lang), key=f"note_open_{n.id}")
        if opened and ui.act(notifications.mark_read, actor, [n.id], rerun=False) is not None:
            state.go(n.target, id=n.target_id)  # the deep link, read-marked first
        if n.can(Do.MARK) and c2.button(t("ui.inbox.mark", lang), key=f"note_read_{n.id}"):
            ui.act(notifications.mark_read, actor, [n.id])
