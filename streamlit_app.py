"""场景通 Scenario Bridge: Streamlit entry point. Only builds this run's navigation for the session's role."""

import streamlit as st

from portal.db import session_scope
from portal.domain.errors import PortalError
from portal.safety import assert_safe_to_serve
from portal.ui import nav, state

st.set_page_config(page_title="场景通 Scenario Bridge", page_icon=":material/hub:", layout="wide")
try:
    with session_scope() as _session:
        assert_safe_to_serve(_session)  # production mode refuses to serve while demo accounts are active
except PortalError as err:
    st.error(err.message(state.lang()))
    st.stop()
nav.build().run()
