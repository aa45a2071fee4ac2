"""Download helpers shared by the export pages (MIME types, the call-list downloads)."""

from __future__ import annotations

import streamlit as st

from portal.domain.errors import PortalError
from portal.i18n import t
from portal.services import runner
from portal.services.exports import call_list_export
from portal.ui.components import safe

MIME = {
    "csv": "text/csv",
    "json": "application/json",
    "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def mime_for(filename: str) -> str:
    return MIME.get(filename.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def call_list_downloads(call_id: int, lang: str, *, key: str) -> None:
    """Download buttons of a published call list: printable HTML page and CSV."""
    cols = st.columns(3)
    for col, fmt in zip(cols, ("html", "csv"), strict=False):
        try:
            file = runner.read(call_list_export, call_id, fmt, lang=lang)
        except PortalError as err:
            st.error(safe(err.message(lang)))
            return
        col.download_button(
            t(f"ui.export.{fmt}", lang),
            data=file.content,
            file_name=file.name,
            mime=file.media_type,
            key=f"{key}_dl_{fmt}_{call_id}",
            on_click="ignore",
        )
