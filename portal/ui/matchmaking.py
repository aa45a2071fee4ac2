"""Bridge from the pages to ``portal.services.matchmaking`` that never blocks a page.

Why: the first model load takes seconds. ``start()`` runs ``warm_up`` once per process in a
background thread (held by ``st.cache_resource``, so concurrent sessions share it); until
``ready()`` the pages show "模型加载中…" and fall back to the plain substring filter.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import streamlit as st

from portal.config import load_settings
from portal.services import matchmaking as svc

log = logging.getLogger(__name__)


_started: list[_WarmUp] = []


class _WarmUp:
    """One background warm-up per process; records a failure instead of raising it."""

    def __init__(self) -> None:
        self.error: str | None = None
        self.thread = threading.Thread(target=self._run, name="matching-warm-up", daemon=True)
        self.thread.start()
        _started.append(self)

    def _run(self) -> None:
        try:
            svc.warm_up()
        except Exception as exc:  # noqa: BLE001 (shown to the authority, logged, never crashes a page)
            log.exception("matching warm-up failed")
            self.error = repr(exc)


@st.cache_resource(show_spinner=False)
def _start(database_url: str, var_dir: str, embedder: str) -> _WarmUp:
    return _WarmUp()


def start() -> _WarmUp:
    """Start loading the model and syncing the index (once per process and database; never blocks)."""
    settings = load_settings()
    return _start(settings.database_url, str(settings.var_dir), settings.embedder)


def join_warm_ups(timeout: float = 120) -> None:
    """Wait for every warm-up this process started (tests, before they drop the engines)."""
    while _started:
        _started.pop().thread.join(timeout)


def ready() -> bool:
    """True once the model is loaded and the index synced."""
    try:
        return bool(svc.is_ready())
    except Exception:  # noqa: BLE001
        return False


def explain(reasons: Any, lang: str) -> list[str]:
    if reasons is None:
        return []
    try:
        return list(svc.explain(reasons, lang))
    except Exception:  # noqa: BLE001 (an explanation is optional)
        log.exception("explain failed")
        return []


def call(name: str, *args: Any, **kwargs: Any) -> list[Any] | None:
    """Call a matchmaking function; None while the model is still loading."""
    if not ready():
        return None
    return list(getattr(svc, name)(*args, **kwargs))
