"""Open-data export of published scenarios and outcomes (CSV or JSON, personal data removed)."""

import streamlit as st

from portal.i18n import t
from portal.services import exports
from portal.ui import components as ui
from portal.ui import downloads, state
from portal.views.data import Do, export_page

actor, lang = state.guard("export")
view = ui.load(export_page, actor)
st.title(t("ui.export.title", lang))
st.caption(t("ui.export.intro", lang))
if not view.can(Do.EXPORT):
    st.stop()
fmt = (
    st.segmented_control(t("ui.export.format", lang), view.formats, default=view.formats[0], key="exp_fmt")
    or view.formats[0]
)
if st.button(t("ui.export.go", lang), key="exp_go", type="primary"):
    with st.spinner(t("ui.export.working", lang)):
        files = ui.act(exports.export_open_data, actor, fmt, rerun=False)  # audited: its own transaction
    if files is not None:
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
