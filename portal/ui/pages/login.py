"""Login page (also linked from every page that needs a logged-in user)."""

import streamlit as st

from portal.db import session_scope
from portal.domain.errors import PortalError
from portal.i18n import t
from portal.services import accounts
from portal.ui import components as ui
from portal.ui import state

actor, lang = state.guard()
st.title(t("ui.login.title", lang))
if not actor.is_anonymous:
    st.info(t("ui.login.already", lang))
    st.stop()
with st.form("login_form"):
    username = st.text_input(t("field.username", lang), key="login_username")
    password = st.text_input(t("field.password", lang), type="password", key="login_password")
    submitted = st.form_submit_button(t("ui.login.submit", lang), key="login_submit", type="primary")
if submitted:
    try:
        with session_scope() as s:
            user, who = accounts.authenticate(username, password, session=s)
            s.commit()
    except PortalError as err:
        ui.show_error(err, lang)
    else:
        state.login(user, who)
        state.flash(t("ui.login.welcome", state.lang(), name=user.display_name))
        st.rerun()
st.caption(t("ui.login.register_hint", lang))
st.page_link(state.page("register"), label=t("ui.nav.register", lang), icon=":material/person_add:")
