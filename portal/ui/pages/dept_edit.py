"""Create or edit a scenario (draft or sent back for changes), with a live similar-scenario warning."""

import hashlib
from datetime import timedelta

import streamlit as st

from portal import clock
from portal.db import session_scope
from portal.domain.errors import PortalError
from portal.i18n import format_date, label, t
from portal.models import Eligibility, Role, ScenarioStatus
from portal.services import calls, scenarios
from portal.taxonomy import regions, sectors
from portal.ui import components as ui
from portal.ui import matchmaking, state

EDITABLE = (ScenarioStatus.DRAFT, ScenarioStatus.CHANGES_REQUESTED)
actor, lang = state.guard({Role.DEPARTMENT})
scenario_id = state.query_int("id")
sc = None
if scenario_id is not None:
    try:
        with session_scope() as s:
            sc = scenarios.get_scenario(actor, scenario_id, session=s)
    except PortalError as err:
        ui.show_error(err, lang)
        st.stop()
    if sc.org_id != actor.org_id or sc.status not in EDITABLE:
        st.error(t("error.scenario_not_editable", lang, status=f"status.{sc.status}"))
        st.stop()
with session_scope() as s:
    open_calls = calls.open_calls(session=s)

st.title(t("ui.edit.title_edit" if sc else "ui.edit.title_new", lang))
if st.session_state.get("ed_loaded") != (scenario_id or 0) or "ed_title" not in st.session_state:
    today = clock.today()
    src = sc
    st.session_state.update(
        {
            "ed_loaded": scenario_id or 0,
            "ed_title": src.title if src else "",
            "ed_title_en": src.title_en if src else "",
            "ed_summary": src.summary if src else "",
            "ed_description": src.description if src else "",
            "ed_sector": src.sector if src else next(iter(sectors())),
            "ed_region": src.region if src else "province",
            "ed_data_resources": "\n".join(src.data_resources) if src else "",
            "ed_expected_outcomes": src.expected_outcomes if src else "",
            "ed_indicators": ui.indicator_text(src.indicators, ("name", "target")) if src else "",
            "ed_budget_min": src.budget_min / 10_000 if src and src.budget_min is not None else None,
            "ed_budget_max": src.budget_max / 10_000 if src and src.budget_max is not None else None,
            "ed_eligibility": src.eligibility if src else Eligibility.OPEN,
            "ed_question_deadline": src.question_deadline if src else today + timedelta(days=20),
            "ed_closing_date": src.closing_date if src else today + timedelta(days=30),
            "ed_contact_name": src.contact_name if src else "",
            "ed_contact_phone": src.contact_phone if src else "",
            "ed_contact_email": src.contact_email if src else "",
            "ed_call_id": src.call_id if src else None,
        }
    )

title = st.text_input(t("field.title", lang), key="ed_title", max_chars=120)
st.text_input(t("field.title_en", lang), key="ed_title_en", max_chars=200)
summary = st.text_area(t("field.summary", lang), key="ed_summary", max_chars=500, height=80)
description = st.text_area(t("field.description", lang), key="ed_description", height=180)

# Live duplicate warning: recomputed only when the text changes.
draft_text = "\n".join(x for x in (title, summary, description) if x).strip()
if len(draft_text) >= 8:
    digest = hashlib.sha1(draft_text.encode("utf-8")).hexdigest()
    cached = st.session_state.get("ed_similar")
    if not matchmaking.ready():
        st.caption(t("ui.model_loading", lang))
    else:
        if not cached or cached[0] != digest:
            with session_scope() as s:
                hits = (
                    matchmaking.call(
                        "similar_scenarios", actor, draft_text, session=s, exclude_id=scenario_id, k=5
                    )
                    or []
                )
            cached = (digest, [(h.scenario, h.score, matchmaking.explain(h.reasons, lang)) for h in hits])
            st.session_state["ed_similar"] = cached
        if cached[1]:
            with st.container(border=True, key="ed_similar_box"):
                st.warning(
                    t("ui.edit.similar_warning", lang, count=len(cached[1])), icon=":material/content_copy:"
                )
                for hit_sc, score, why in cached[1]:
                    st.markdown(
                        f"- **{ui.safe(ui.title_of(hit_sc, lang))}** · {ui.safe(hit_sc.org_name)} · "
                        f"{label('status', hit_sc.status, lang)}"
                    )
                    if why:
                        ui.match_reasons(why, score, lang)

c1, c2 = st.columns(2)
c1.selectbox(
    t("field.sector", lang), list(sectors()), format_func=lambda c: label("sector", c, lang), key="ed_sector"
)
c2.selectbox(
    t("field.region", lang), list(regions()), format_func=lambda c: label("region", c, lang), key="ed_region"
)
st.text_area(t("field.data_resources", lang), key="ed_data_resources", help=t("ui.one_per_line", lang))
st.text_area(t("field.expected_outcomes", lang), key="ed_expected_outcomes")
st.text_area(t("field.indicators", lang), key="ed_indicators", help=t("ui.edit.indicators_help", lang))
c3, c4, c5 = st.columns(3)
wan = t("ui.unit.wan", lang)
c3.number_input(t("field.budget_min", lang) + wan, min_value=0.0, step=10.0, key="ed_budget_min")
c4.number_input(t("field.budget_max", lang) + wan, min_value=0.0, step=10.0, key="ed_budget_max")
c5.selectbox(
    t("field.eligibility", lang),
    list(Eligibility),
    format_func=lambda e: t(f"eligibility.{e}", lang),
    key="ed_eligibility",
)
c6, c7 = st.columns(2)
c6.date_input(t("field.question_deadline", lang), key="ed_question_deadline")
c7.date_input(t("field.closing_date", lang), key="ed_closing_date")
c8, c9, c10 = st.columns(3)
c8.text_input(t("field.contact_name", lang), key="ed_contact_name")
c9.text_input(t("field.contact_phone", lang), key="ed_contact_phone")
c10.text_input(t("field.contact_email", lang), key="ed_contact_email")
call_titles = {c.id: f"{ui.title_of_call(c, lang)} ({format_date(c.closes_on, lang)})" for c in open_calls}
if sc and sc.call_id and sc.call_id not in call_titles:
    call_titles[sc.call_id] = t("ui.edit.call_closed", lang)
st.selectbox(
    t("field.call_id", lang),
    [None, *call_titles],
    format_func=lambda i: t("ui.none", lang) if i is None else call_titles[i],
    key="ed_call_id",
)


def _data() -> dict:
    ss = st.session_state
    money = {
        k: (int(round(ss[f"ed_{k}"] * 10_000)) if ss[f"ed_{k}"] is not None else None)
        for k in ("budget_min", "budget_max")
    }
    return {
        "title": ss.ed_title,
        "title_en": ss.ed_title_en,
        "summary": ss.ed_summary,
        "description": ss.ed_description,
        "sector": ss.ed_sector,
        "region": ss.ed_region,
        "data_resources": ui.text_list(ss.ed_data_resources),
        "expected_outcomes": ss.ed_expected_outcomes,
        "indicators": ui.indicator_rows(ss.ed_indicators, ("name", "target")),
        **money,
        "eligibility": ss.ed_eligibility,
        "question_deadline": ss.ed_question_deadline,
        "closing_date": ss.ed_closing_date,
        "contact_name": ss.ed_contact_name,
        "contact_phone": ss.ed_contact_phone,
        "contact_email": ss.ed_contact_email,
        "call_id": ss.ed_call_id,
    }


b1, b2, _ = st.columns([1, 1, 3])
save = b1.button(t("ui.edit.save", lang), key="ed_save")
submit = b2.button(t("ui.edit.save_submit", lang), key="ed_submit", type="primary")
if save or submit:
    data = _data()

    def _apply(s):  # type: ignore[no-untyped-def]
        if sc is None:
            saved = scenarios.create_scenario(actor, data, session=s)
        else:
            saved = scenarios.update_scenario(actor, sc.id, data, expected_version=sc.version, session=s)
        if submit:
            scenarios.submit_scenario(actor, saved.id, session=s)
        return saved

    saved = ui.run_action(
        _apply, lang, t("ui.edit.submitted" if submit else "ui.edit.saved", lang), rerun=False
    )
    if saved is not None:
        st.session_state.pop("ed_loaded", None)
        state.go("manage", id=saved.id)
