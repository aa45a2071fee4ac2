"""The authority's outbox (邮件发件箱): counts per state, queued and failed e-mails, requeue a failure."""

import streamlit as st

from portal.i18n import format_datetime, t
from portal.services import outbox
from portal.ui import components as ui
from portal.ui import state
from portal.views.reach import Do, outbox_page

actor, lang = state.guard("outbox")
view = ui.load(outbox_page, actor)
st.title(t("ui.outbox.title", lang))
st.caption(t("ui.outbox.intro", lang))
if not view.mail_enabled:
    st.warning(t("ui.outbox.mail_off", lang), icon=":material/mail_lock:")

cols = st.columns(len(view.counts))
for col, (name, n) in zip(cols, view.counts.items(), strict=True):
    col.metric(t(f"ui.outbox.state.{name}", lang), n)

if not view.messages:
    ui.empty(lang, "ui.outbox.empty")
for m in view.messages:
    with st.container(border=True, key=f"outbox_{m.id}"):
        c1, c2 = st.columns([5, 1])
        c1.markdown(f"**{ui.safe(m.subject)}**")
        c1.caption(
            " · ".join(
                [
                    t(f"ui.outbox.state.{m.state}", lang),
                    ui.safe(m.to_addr),
                    t("ui.outbox.attempts", lang, count=m.attempts),
                    format_datetime(m.created_at, lang),
                ]
            )
        )
        if m.last_error:
            c1.markdown(t("ui.outbox.last_error", lang) + " " + ui.safe(m.last_error))
        if m.can(Do.REQUEUE) and c2.button(t("ui.outbox.requeue", lang), key=f"outbox_requeue_{m.id}"):
            ui.act(outbox.requeue, actor, m.id, done=t("ui.outbox.requeued", lang))
