"""Bulk import of scenarios from Excel or CSV: preview with row-level errors, then all-or-nothing commit."""

import streamlit as st

from portal.i18n import t
from portal.services import imports
from portal.ui import components as ui
from portal.ui import downloads, state
from portal.views.data import Do, import_page

actor, lang = state.guard("import")
st.title(t("ui.import.title", lang))
st.caption(t("ui.import.intro", lang))
template_slot = st.container()  # the template button sits above the uploader; it comes with the view
upload = st.file_uploader(t("field.file", lang), type=["xlsx", "csv"], key="imp_file")
as_submitted = st.toggle(t("ui.import.as_submitted", lang), key="imp_as_submitted")
content = upload.getvalue() if upload is not None else None
if upload is None or content is None:
    view = ui.load(import_page, actor, lang)
else:
    with st.status(t("ui.import.checking", lang), expanded=False) as box:
        view = ui.load(import_page, actor, lang, upload.name, content, submit=as_submitted)
        if view.preview is not None:
            box.update(label=t("ui.import.checked", lang, rows=len(view.preview.rows)), state="complete")
        else:
            box.update(state="error")
template_slot.download_button(
    t("ui.import.template", lang),
    data=view.template,
    file_name=t("ui.import.template_name", lang),
    mime=downloads.MIME["xlsx"],
    key="imp_template",
    on_click="ignore",
)
if view.refused is not None:
    ui.show_error(view.refused, lang)
    st.stop()
preview = view.preview
if upload is None or content is None or preview is None:
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
if not view.can(Do.COMMIT):
    st.error(t("ui.import.fix_first", lang, count=len(preview.errors)))
    st.markdown("\n".join(f"- {ui.safe(e.message(lang))}" for e in preview.errors[:50]))
    st.stop()
if st.button(t("ui.import.commit", lang, count=len(preview.rows)), key="imp_commit", type="primary"):
    progress = st.progress(0.1, text=t("ui.import.writing", lang))
    result = ui.act(imports.commit_import, actor, upload.name, content, submit=as_submitted, rerun=False)
    progress.progress(1.0, text=t("ui.import.writing", lang))
    if result is not None:
        st.success(t("ui.import.done", lang, count=result.count))
