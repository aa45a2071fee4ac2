"""One-click unsubscribe (退订): the e-mail's link (``?t=<signed token>``) works without logging in.

Opening the link is the one click: it stops all e-mail at once (``apply_unsubscribe``); the page
says for which address and offers to turn e-mail back on. A damaged or forged token changes nothing.
"""

import streamlit as st

from portal.i18n import t
from portal.services import subscriptions
from portal.ui import components as ui
from portal.ui import state
from portal.views.reach import Do, unsubscribe_page

actor, lang = state.guard("unsubscribe")
st.title(t("ui.nav.unsubscribe", lang))
token = str(st.query_params.get("t", "") or "")
applied: set[str] = st.session_state.setdefault("_unsubscribe_applied", set())
if token and token not in applied:  # once per visit: a later "resubscribe" is not undone by a rerun
    if ui.act(subscriptions.apply_unsubscribe, token, rerun=False) is None:
        st.stop()  # the refusal (invalid link) is shown; nothing was changed
    applied.add(token)
view = ui.load(unsubscribe_page, token)
if actor.is_anonymous and not state.lang_chosen() and view.language != lang:
    state.set_lang(view.language)  # the e-mail was in the owner's language: so is its link's page
    st.rerun()
if view.paused:
    st.success(ui.tr("ui.unsubscribe.done", lang, email=view.email_hint), icon=":material/unsubscribe:")
    st.caption(t("ui.unsubscribe.in_app", lang))
else:
    st.info(ui.tr("ui.unsubscribe.resumed", lang, email=view.email_hint), icon=":material/mail:")
if view.can(Do.RESUBSCRIBE) and st.button(t("ui.unsubscribe.resubscribe", lang), key="unsubscribe_resume"):
    ui.act(subscriptions.apply_unsubscribe, token, resume=True, done=t("ui.unsubscribe.resubscribed", lang))
if view.can(Do.UNSUBSCRIBE) and st.button(t("ui.unsubscribe.again", lang), key="unsubscribe_again"):
    ui.act(subscriptions.apply_unsubscribe, token, done=t("ui.unsubscribe.unsubscribed", lang))
settings = state.page("subscriptions")
if settings is not None and not actor.is_anonymous:
    st.page_link(settings, label=t("ui.nav.subscriptions", lang), icon=":material/mail:")
else:
    st.caption(t("ui.unsubscribe.settings_hint", lang))
