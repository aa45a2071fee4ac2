"""Guarded access to the import / export / report services, which may not be installed yet.

Pages call ``optional("exports", "export_open_data")``; a missing module or function gives None and
the page shows an information message instead of failing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import streamlit as st

from portal.db import session_scope
from portal.domain.errors import PortalError
from portal.i18n import t

MIME = {
    "csv": "text/csv",
    "json": "application/json",
    "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def optional(module: str, name: str) -> Callable[..., Any] | None:
    """``portal.services.<module>.<name>`` or None while it does not exist."""
    try:
        mod = importlib.import_module(f"portal.services.{module}")
    except ImportError:
        return None
    return getattr(mod, name, None)


def unavailable(lang: str) -> None:
    st.info(t("ui.not_available", lang), icon=":material/construction:")


def mime_for(filename: str) -> str:
    return MIME.get(filename.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def call_list_downloads(call_id: int, lang: str, *, key: str) -> None:
    """Download buttons of a published call list: printable HTML page and CSV."""
    fn = optional("exports", "call_list_export")
    if fn is None:
        return
    cols = st.columns(3)
    for col, fmt in zip(cols, ("html", "csv"), strict=False):
        try:
            with session_scope() as s:
                file = fn(call_id, fmt, session=s, lang=lang)
        except PortalError as err:
            st.error(err.message(lang))
            return
        col.download_button(
            t(f"ui.export.{fmt}", lang),
            data=file.content,
            file_name=file.name,
            mime=file.media_type,
            key=f"{key}_dl_{fmt}_{call_id}",
            on_click="ignore",
        )
