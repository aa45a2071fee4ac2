"""Open-data export of published scenarios and outcomes (CSV or JSON, personal data removed)."""

import streamlit as st

from portal.db import session_scope
from portal.domain.errors import PortalError
from portal.i18n import t
from portal.services.exports import export_open_data
from portal.ui import components as ui
from portal.ui import downloads, state

actor, lang = state.guard("export")
st.title(t("ui.export.title", lang))
st.caption(t("ui.export.intro", lang))
fmt = (
    st.segmented_control(t("ui.export.format", lang), ["csv", "json"], default="csv", key="exp_fmt") or "csv"
)
if st.button(t("ui.export.go", lang), key="exp_go", type="primary"):
    try:
        with st.spinner(t("ui.export.working", lang)), session_scope() as s:
            files = export_open_data(actor, fmt, session=s)
            s.commit()  # the export itself is audited
    except PortalError as err:
        ui.show_error(err, lang)
    else:
        st.session_state["exp_files"] = files
files = st.session_state.get("exp_files") or {}
for i, (name, data) in enumerate(files.items()):
    st.download_button(
        t("ui.export.download", lang, name=name),
        data=data,
        file_name=name,
        mime=downloads.mime_for(name),
        key=f"exp_dl_{i}",
        on_click="ignore",
    )
