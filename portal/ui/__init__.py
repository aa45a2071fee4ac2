"""Streamlit front end: thin pages over ``portal.services`` (see docs/ui.md).

``state`` holds the session helpers (login, language, inactivity expiry, page guards),
``components`` the shared renderers, ``matchmaking`` the guarded bridge to the matching service,
``nav`` builds ``st.navigation`` per role on every run, and ``pages/`` has one file per page.
"""
