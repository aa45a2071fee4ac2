"""Login page (every member page also offers the login form at its own url, through the gate)."""

import streamlit as st

from portal.i18n import t
from portal.ui import auth, state

actor, lang = state.guard("login")
st.title(t("ui.login.title", lang))
auth.login_form(lang, then="home")
st.caption(t("ui.login.register_hint", lang))
st.page_link(state.page("register"), label=t("ui.nav.register", lang), icon=":material/person_add:")
