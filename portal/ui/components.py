"""Shared renderers: scenario cards, match reasons, error display, the action runner.

User-entered text is always shown through ``safe`` (Markdown escaped) or as plain text: hostile
input renders inert. ``unsafe_allow_html`` is never used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import streamlit as st
from sqlmodel import Session

from portal.db import session_scope
from portal.domain.errors import PortalError, ValidationFailed
from portal.i18n import format_cny, format_date, label, t
from portal.models import ScenarioPublic
from portal.taxonomy import regions, sectors
from portal.ui import state

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def safe(text: object) -> str:
    """Escape Markdown (and thereby links, images, HTML, LaTeX) in user-entered text."""
    return _MD_SPECIAL.sub(r"\\\1", str(text or ""))


def show_error(err: PortalError, lang: str) -> None:
    """Render a service refusal; validation errors list each field."""
    if isinstance(err, ValidationFailed):
        st.error(
            t(err.key, lang, count=len(err.errors))
            + "\n\n"
            + "\n".join(f"- {safe(e.message(lang))}" for e in err.errors)
        )
    else:
        st.error(safe(err.message(lang)))


def run_action(
    fn: Callable[[Session], Any], lang: str, success: str | None = None, *, rerun: bool = True
) -> Any:
    """Run one use case in its own transaction: commit, queue ``success``, rerun the page.

    A ``PortalError`` is rendered in place (nothing is committed) and None is returned.
    """
    try:
        with session_scope() as s:
            result = fn(s)
            s.commit()
    except PortalError as err:
        show_error(err, lang)
        return None
    if success:
        state.flash(success)
    if rerun:
        st.rerun()
    return result


def budget(lo: int | None, hi: int | None, lang: str) -> str:
    if lo is None and hi is None:
        return t("ui.budget.none", lang)
    if lo is not None and hi is not None:
        return f"{format_cny(lo, lang)} – {format_cny(hi, lang)}"
    return format_cny(lo if lo is not None else hi, lang)


def title_of(obj: Any, lang: str) -> str:
    """The English title in English when there is one, else the Chinese title."""
    if lang == "en" and getattr(obj, "title_en", ""):
        return obj.title_en
    return obj.title


def status_badge(kind: str, code: str, lang: str) -> None:
    colors = {"published": "green", "awarded": "violet", "showcased": "orange", "draft": "gray"}
    st.badge(label(kind, code, lang), color=colors.get(str(code), "blue"))  # type: ignore[arg-type]


def scenario_meta(sc: Any, lang: str) -> str:
    parts = [
        label("sector", sc.sector, lang),
        label("region", sc.region, lang),
        t("ui.scenario.budget", lang, value=budget(sc.budget_min, sc.budget_max, lang)),
        t("ui.scenario.closing", lang, date=format_date(sc.closing_date, lang)),
    ]
    return " · ".join(safe(p) for p in parts)


def scenario_card(
    sc: ScenarioPublic, lang: str, *, key: str, reasons: list[str] | None = None, score: float | None = None
) -> None:
    """One scenario in a list: title, status, metadata, summary, match reasons, an open button."""
    with st.container(border=True, key=f"card_{key}_{sc.id}"):
        head, side = st.columns([5, 1])
        with head:
            number = f"#{sc.list_number} " if sc.list_number else ""
            st.markdown(f"**{safe(number + title_of(sc, lang))}**")
            st.caption((safe(sc.org_name) + " · " if sc.org_name else "") + scenario_meta(sc, lang))
            st.markdown(safe(sc.summary))
            if reasons:
                match_reasons(reasons, score, lang)
        with side:
            status_badge("status", sc.status, lang)
            if st.button(t("ui.open", lang), key=f"open_{key}_{sc.id}"):
                state.go("scenario", id=sc.id)


def match_reasons(reasons: list[str], score: float | None, lang: str) -> None:
    head = t("ui.match.why", lang)
    if score is not None:
        head += " " + t("ui.match.score", lang, score=f"{score:.2f}")
    st.caption(head + "\n\n" + "\n".join(f"- {safe(r)}" for r in reasons))


def indicators(rows: list[dict[str, str]], lang: str, columns: tuple[str, ...]) -> None:
    """A small table of indicator rows (name/target/achieved/value), user text kept as data."""
    if not rows:
        st.caption(t("ui.none", lang))
        return
    data = [{t(f"ui.indicator.{c}", lang): str(r.get(c, "")) for c in columns} for r in rows]
    st.dataframe(data, hide_index=True, width="stretch")


def text_list(raw: str) -> list[str]:
    """One item per non-empty line of a text area."""
    return [line.strip() for line in (raw or "").splitlines() if line.strip()]


def indicator_rows(raw: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Parse ``name | target | achieved`` lines into indicator dicts (missing cells are empty)."""
    rows = []
    for line in text_list(raw):
        cells = [c.strip() for c in line.split("|")]
        rows.append({c: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns)})
    return rows


def indicator_text(rows: list[dict[str, str]], columns: tuple[str, ...]) -> str:
    return "\n".join(" | ".join(str(r.get(c, "")) for c in columns) for r in rows or [])


def empty(lang: str, key: str = "ui.none") -> None:
    st.info(t(key, lang))


def title_of_call(call: Any, lang: str) -> str:
    if lang == "en" and getattr(call, "theme_en", ""):
        return call.theme_en
    return call.theme


def taxonomy_multiselect(
    kind: str, field: str, lang: str, *, key: str, default: list[str] | None = None, where: Any = st
) -> list[str]:
    """Multi-select of sector or region codes, labelled in the page's language (``kind``: sector|region)."""
    codes = list(sectors() if kind == "sector" else regions())
    return where.multiselect(
        t(f"field.{field}", lang),
        codes,
        default=[c for c in (default or []) if c in codes],
        format_func=lambda c: label(kind, c, lang),
        key=key,
        placeholder=t("ui.choose", lang),
    )
