"""Rendering a ``views.files.FilePanel``: the list with downloads, remove buttons, the uploader.

A file is never rendered: no ``st.markdown``/``st.image``/HTML of its content. It is offered by
``st.download_button`` with ``application/octet-stream`` (Streamlit serves it with
``Content-Disposition: attachment``), and its bytes are fetched only when the button is pressed
(a deferred download: ``attachments.download`` runs then, re-checks the permission and writes the
``attachment.downloaded`` audit row for that one download).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from portal.i18n import format_date, t
from portal.permissions import Actor
from portal.services import attachments, runner
from portal.ui import components as ui

#: What the browser is told: bytes to save, never something to display.
DOWNLOAD_MIME = "application/octet-stream"


def fetcher(actor: Actor, attachment_id: int) -> Callable[[], bytes]:
    """The deferred download: run when the button is pressed (its own transaction, audited)."""

    def fetch() -> bytes:
        return runner.run(attachments.download, actor, attachment_id).data

    return fetch


def file_list(items: Any, actor: Actor, lang: str, *, key: str, remove: bool = True) -> None:
    """One line per file: name, size, date, download (and remove where the item allows it)."""
    if not items:
        st.caption(t("ui.files.none", lang))
        return
    for item in items:
        name_col, dl_col, rm_col = st.columns([5, 2, 1], vertical_alignment="center")
        name_col.markdown(
            ":material/attach_file: "
            + ui.safe(item.filename)
            + " · "
            + ui.safe(item.size_text)
            + " · "
            + format_date(item.uploaded_at, lang)
        )
        if item.can("download"):
            dl_col.download_button(
                t("ui.files.download", lang),
                data=fetcher(actor, item.id),
                file_name=item.filename,
                mime=DOWNLOAD_MIME,
                on_click="ignore",
                key=f"{key}_dl_{item.id}",
                icon=":material/download:",
            )
        if (
            remove
            and item.can("remove")
            and rm_col.button(t("ui.files.remove", lang), key=f"{key}_rm_{item.id}", icon=":material/delete:")
        ):
            ui.act(attachments.remove, actor, item.id, done=t("ui.files.removed", lang))


def file_panel(panel: Any, actor: Actor, lang: str, *, key: str) -> None:
    """The whole panel: the list, and the uploader when ``panel.can("upload")``."""
    file_list(panel.items, actor, lang, key=key)
    if not panel.can("upload"):
        return
    turn = st.session_state.get(f"{key}_turn", 0)  # a new uploader after each success (empty again)
    chosen = st.file_uploader(
        t("ui.files.choose", lang),
        accept_multiple_files=True,
        key=f"{key}_up_{turn}",
    )
    st.caption(t("ui.files.help", lang, size=panel.max_file, count=panel.max_files))
    if st.button(t("ui.files.upload", lang), key=f"{key}_send", icon=":material/upload:"):
        files = [(f.name, f.getvalue()) for f in chosen or []]
        done = ui.act(
            attachments.upload_files,
            actor,
            panel.object_type,
            panel.object_id,
            panel.kind,
            files,
            done=t("ui.files.uploaded", lang, count=len(files)),
            rerun=False,
        )
        if done is not None:
            st.session_state[f"{key}_turn"] = turn + 1
            st.rerun()
