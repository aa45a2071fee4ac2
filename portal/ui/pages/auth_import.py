"""Bulk import of scenarios from Excel or CSV: preview with row-level errors, then all-or-nothing commit."""

import streamlit as st

from portal.db import session_scope
from portal.domain.errors import PortalError
from portal.i18n import t
from portal.services.imports import commit_import, import_template, preview_import
from portal.ui import components as ui
from portal.ui import downloads, state

actor, lang = state.guard("import")
st.title(t("ui.import.title", lang))
st.caption(t("ui.import.intro", lang))
st.download_button(
    t("ui.import.template", lang),
    data=import_template(lang),
    file_name=t("ui.import.template_name", lang),
    mime=downloads.MIME["xlsx"],
    key="imp_template",
    on_click="ignore",
)
upload = st.file_uploader(t("field.file", lang), type=["xlsx", "csv"], key="imp_file")
as_submitted = st.toggle(t("ui.import.as_submitted", lang), key="imp_as_submitted")
if upload is None:
    st.stop()
content = upload.getvalue()
try:
    with st.status(t("ui.import.checking", lang), expanded=False) as box, session_scope() as s:
        preview = preview_import(actor, upload.name, content, session=s, submit=as_submitted)
        box.update(label=t("ui.import.checked", lang, rows=len(preview.rows)), state="complete")
except PortalError as err:
    ui.show_error(err, lang)
    st.stop()
c1, c2 = st.columns(2)
c1.metric(t("ui.import.rows", lang), len(preview.rows))
c2.metric(t("ui.import.valid", lang), preview.valid_count)
st.dataframe(
    [
        {
            t("ui.import.row", lang): r.row,
            t("ui.import.department", lang): r.department,
            t("field.title", lang): str(r.data.get("title", "")),
            t("ui.import.problems", lang): "; ".join(e.message(lang) for e in r.errors),
        }
        for r in preview.rows
    ],
    hide_index=True,
    width="stretch",
    key="imp_preview",
)
if not preview.ok:
    st.error(t("ui.import.fix_first", lang, count=len(preview.errors)))
    st.markdown("\n".join(f"- {ui.safe(e.message(lang))}" for e in preview.errors[:50]))
    st.stop()
if st.button(t("ui.import.commit", lang, count=len(preview.rows)), key="imp_commit", type="primary"):
    progress = st.progress(0.1, text=t("ui.import.writing", lang))
    result = ui.run_action(
        lambda s: commit_import(actor, upload.name, content, session=s, submit=as_submitted),
        lang,
        rerun=False,
    )
    progress.progress(1.0, text=t("ui.import.writing", lang))
    if result is not None:
        st.success(t("ui.import.done", lang, count=result.count))
