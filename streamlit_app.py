"""场景通 Scenario Bridge: Streamlit entry point. Only builds this run's navigation for the session's role."""

import streamlit as st

from portal.ui import nav

st.set_page_config(page_title="场景通 Scenario Bridge", page_icon=":material/hub:", layout="wide")
nav.build().run()
