"""Shared renderers and the page's two doors to the services: ``load`` (a read model) and ``act``.

Every dynamic string a page shows in a Markdown context goes through one helper: ``safe`` for user
text, ``tr`` for a catalogue message with parameters (each parameter escaped). Hostile input
renders inert (``tests/ui/test_layers.py`` scans the pages for Markdown calls that skip them).
``unsafe_allow_html`` is never used.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from portal.domain.errors import Conflict, PortalError, ValidationFailed
from portal.i18n import format_cny, format_date, format_datetime, label, t
from portal.services import runner
from portal.taxonomy import regions, sectors
from portal.ui import state

R = TypeVar("R")

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def safe(text: object) -> str:
    """Escape Markdown (and thereby links, images, HTML, LaTeX) in user-entered text."""
    return _MD_SPECIAL.sub(r"\\\1", str(text or ""))


def tr(key: str, lang: str, **params: object) -> str:
    """A catalogue message for a Markdown context: every parameter is escaped (the template is trusted).

    Use it for anything with user-supplied parameters (names, titles): ``t`` would pass
    ``[click](http://evil)`` through as a live link.
    """
    return t(key, lang, escape=safe, **params)


#: Key of ``fields`` (see ``show_error``) naming where the list of all problems goes.
SUMMARY = "_summary"


def show_error(err: PortalError, lang: str, *, fields: dict[str, Any] | None = None) -> None:
    """Render a service refusal; validation errors list each field; conflicts show the other change.

    Args:
        fields: placeholders (``st.empty()``) drawn under a form's widgets, by field name: each
            field's problems are also shown right there, at once; ``fields[SUMMARY]`` (optional) is
            where the list of all problems goes instead of the current position.
    """
    if isinstance(err, Conflict):
        show_conflict(err, lang)
        return
    if isinstance(err, ValidationFailed):
        where = (fields or {}).get(SUMMARY, st)
        where.error(
            t(err.key, lang, count=len(err.errors))
            + "\n\n"
            + "\n".join(f"- {safe(e.message(lang))}" for e in err.errors)
        )
        at: dict[str, list[str]] = {}
        for e in err.errors:
            if fields and e.field in fields:
                at.setdefault(e.field, []).append(safe(e.message(lang)))
        for name, messages in at.items():
            fields[name].error("\n\n".join(messages))  # type: ignore[index]  # md-safe: escaped above
    else:
        st.error(safe(err.message(lang)))


def show_conflict(err: Conflict, lang: str, *, form: str | None = None) -> None:
    """A stale save: say who changed what and when, show their values, offer to reload the form."""
    params: dict[str, object] = dict(err.params)
    st.error(tr(err.key, lang, **params), icon=":material/sync_problem:")
    if err.changes:
        st.markdown(
            t("ui.conflict.their_change", lang)
            + "\n\n"
            + "\n".join(
                f"- **{t('field.' + c.field, lang)}**: "
                + (format_cny(c.amount, lang) if c.amount is not None else safe(c.value))
                for c in err.changes
            )
        )
    st.button(
        t("ui.conflict.reload", lang),
        key=f"conflict_reload_{form or 'page'}",
        icon=":material/refresh:",
        on_click=forget_form,
        args=(form,),
    )


def load(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """The page's one read: build the screen's read model, or show the refusal and stop the page."""
    try:
        return runner.read(fn, *args, **kwargs)
    except PortalError as err:
        show_error(err, state.lang())
        st.stop()
        raise  # unreachable: st.stop raises


def act(
    fn: Callable[..., R],
    *args: Any,
    done: str | None = None,
    form: str | None = None,
    rerun: bool = True,
    fields: dict[str, Any] | None = None,
    **kwargs: Any,
) -> R | None:
    """Run one command in its own transaction (``runner.run``); on success queue ``done`` and rerun.

    Args:
        fn: a service use case taking the actor first and ``session`` by keyword.
        done: the (already translated, already escaped) message shown after the rerun.
        form: the form this save came from; its rendered version and widget state are forgotten after
            a success, so the next render shows the saved values and their new version.
        fields: per-field placeholders of the form: validation problems are shown at their fields
            (see ``show_error``).

    A refusal is rendered in place (nothing was committed) and None is returned.
    """
    lang = state.lang()
    try:
        result = runner.run(fn, *args, **kwargs)
    except Conflict as err:
        show_conflict(err, lang, form=form)
        return None
    except PortalError as err:
        show_error(err, lang, fields=fields)
        return None
    if form:
        forget_form(form)
    if done:
        state.flash(done)  # md-safe: the callers' done= is checked (tests/test_layers.py)
    if rerun:
        st.rerun()
    return result


def run_action(fn: Callable[..., Any], lang: str, success: str | None = None, *, rerun: bool = True) -> Any:
    """Legacy door of pages not yet on read models: ``fn(session)`` in one transaction (see ``act``)."""
    del lang
    return act(lambda *, session: fn(session), done=success, rerun=rerun)  # md-safe: legacy callers


_FORMS = "_forms"  # form name -> (rendered version, rendered values, run number it was last drawn in)


def form_snapshot(form: str, version: int, values: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The version and values a form was first rendered from; the page saves with that version.

    Why: re-reading the row in the run that saves would make the optimistic lock always pass (a stale
    tab would silently overwrite a newer save). The snapshot is kept as long as the form is drawn on
    every run, exactly like its widgets' values (which start from these values, so the widgets keep
    their identity too); a form not drawn in the previous run, or forgotten after a save or a
    conflict's "reload", starts afresh from the current row.
    """
    forms: dict[str, tuple[int, dict[str, Any], int]] = st.session_state.setdefault(_FORMS, {})
    run = state.run_number()
    kept = forms.get(form)
    if kept is not None and kept[2] >= run - 1:
        version, values = kept[0], kept[1]
    forms[form] = (version, values, run)
    return version, values


def forget_form(form: str | None) -> None:
    """Drop a form's rendered version and its widgets' values (``<form>__*`` keys): reload it fresh."""
    if not form:
        return
    st.session_state.setdefault(_FORMS, {}).pop(form, None)
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(form + "__")]:
        del st.session_state[key]


def wkey(form: str, name: str) -> str:
    """Widget key of field ``name`` in ``form`` (so ``forget_form`` finds it)."""
    return f"{form}__{name}"


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


def history(items: Any, lang: str) -> None:
    """Status history lines (reasons are user text, escaped)."""
    for h in items:
        st.markdown(
            f"- {format_datetime(h.at, lang)} · {label('status', h.status, lang)}"
            + (" · " + safe(h.reason) if h.reason else "")
        )


def scenario_card(
    sc: Any, lang: str, *, key: str, reasons: list[str] | None = None, score: float | None = None
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
    head_md = t("ui.match.why", lang)
    if score is not None:
        head_md += " " + t("ui.match.score", lang, score=f"{score:.2f}")
    st.caption(head_md + "\n\n" + "\n".join(f"- {safe(r)}" for r in reasons))


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


def personal_data_checks(form: str, slots: dict[str, Any], notes: Any, lang: str) -> dict[str, str]:
    """Under each field whose text looks like personal data: the warning and a confirm checkbox.

    ``slots`` maps field names to the ``st.empty()`` drawn right under each field; ``notes`` are the
    read model's ``PersonalDataNote``s. Returns ``{field: fingerprint}`` of the ticked boxes, which the
    save sends as ``pii_confirmed``. The checkbox key carries the fingerprint: a changed number
    draws a fresh, unticked box.
    """
    confirmed: dict[str, str] = {}
    sep = t("pii.ui.kinds_separator", lang)
    for note in notes:
        slot = slots.get(note.field)
        if slot is None:
            continue
        with slot.container(key=f"pii_note_{note.field}"):
            if note.confirmed:
                st.caption(t("pii.ui.confirmed", lang))
                continue
            kinds = sep.join(t(f"pii.kind.{k}", lang) for k in note.kinds)
            st.warning(tr("pii.ui.field_warning", lang, kinds=kinds), icon=":material/privacy_tip:")
            if st.checkbox(t("pii.ui.confirm", lang), key=wkey(form, f"pii_{note.field}_{note.fingerprint}")):
                confirmed[note.field] = note.fingerprint
    return confirmed
