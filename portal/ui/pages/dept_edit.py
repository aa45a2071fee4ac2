"""Create or edit a scenario (draft or sent back for changes), with a live similar-scenario warning."""

import hashlib

import streamlit as st

from portal.i18n import format_date, label, t
from portal.services import scenarios
from portal.taxonomy import regions, sectors
from portal.ui import components as ui
from portal.ui import files, matchmaking, state
from portal.views.edit import personal_data_notes, scenario_form, similar_scenarios

actor, lang = state.guard("edit-scenario")
scenario_id = state.query_int("id")
view = ui.load(scenario_form, actor, scenario_id)
form = f"ed{scenario_id or 0}"
version, v = ui.form_snapshot(form, view.version, view.values)  # what this form was rendered from
k = lambda name: ui.wkey(form, name)  # noqa: E731
pii_slots: dict = {}  # field -> the place under it for its personal-data warning

st.title(t("ui.edit.title_edit" if view.scenario_id else "ui.edit.title_new", lang))
title = st.text_input(t("field.title", lang), value=v["title"], key=k("title"), max_chars=120)
pii_slots["title"] = st.empty()
title_en = st.text_input(t("field.title_en", lang), value=v["title_en"], key=k("title_en"), max_chars=200)
pii_slots["title_en"] = st.empty()
summary = st.text_area(
    t("field.summary", lang), value=v["summary"], key=k("summary"), max_chars=500, height=80
)
pii_slots["summary"] = st.empty()
description = st.text_area(
    t("field.description", lang), value=v["description"], key=k("description"), height=180
)
pii_slots["description"] = st.empty()

# Live duplicate warning: recomputed only when the text changes.
draft_text = "\n".join(x for x in (title, summary, description) if x).strip()
if len(draft_text) >= 8:
    digest = hashlib.sha1(draft_text.encode("utf-8")).hexdigest()
    cached = st.session_state.get("ed_similar")
    if not cached or cached[0] != digest:
        found = ui.load(similar_scenarios, actor, draft_text, view.scenario_id)
        cached = (digest, found) if found is not None else None
        if cached is not None:
            st.session_state["ed_similar"] = cached
    if cached is None:
        st.caption(t("ui.model_loading", lang))
    elif cached[1]:
        with st.container(border=True, key="ed_similar_box"):
            st.warning(
                t("ui.edit.similar_warning", lang, count=len(cached[1])), icon=":material/content_copy:"
            )
            for hit in cached[1]:
                st.markdown(
                    f"- **{ui.safe(ui.title_of(hit, lang))}** · {ui.safe(hit.org_name)} · "
                    f"{label('status', hit.status, lang)}"
                )
                why = matchmaking.explain(hit.reasons, lang)
                if why:
                    ui.match_reasons(why, hit.score, lang)

c1, c2 = st.columns(2)
codes_s, codes_r = list(sectors()), list(regions())
sector = c1.selectbox(
    t("field.sector", lang),
    codes_s,
    index=codes_s.index(v["sector"]) if v["sector"] in codes_s else 0,
    format_func=lambda c: label("sector", c, lang),
    key=k("sector"),
)
region = c2.selectbox(
    t("field.region", lang),
    codes_r,
    index=codes_r.index(v["region"]) if v["region"] in codes_r else 0,
    format_func=lambda c: label("region", c, lang),
    key=k("region"),
)
data_resources = st.text_area(
    t("field.data_resources", lang),
    value="\n".join(v["data_resources"]),
    key=k("data_resources"),
    help=t("ui.one_per_line", lang),
)
pii_slots["data_resources"] = st.empty()
expected = st.text_area(
    t("field.expected_outcomes", lang), value=v["expected_outcomes"], key=k("expected_outcomes")
)
pii_slots["expected_outcomes"] = st.empty()
indicators = st.text_area(
    t("field.indicators", lang),
    value=ui.indicator_text(v["indicators"], ("name", "target")),
    key=k("indicators"),
    help=t("ui.edit.indicators_help", lang),
)
pii_slots["indicators"] = st.empty()
c3, c4, c5 = st.columns(3)
wan = t("ui.unit.wan", lang)
to_wan = lambda amount: amount / 10_000 if amount is not None else None  # noqa: E731
budget_min = c3.number_input(
    t("field.budget_min", lang) + wan,
    min_value=0.0,
    step=10.0,
    value=to_wan(v["budget_min"]),
    key=k("budget_min"),
)
budget_max = c4.number_input(
    t("field.budget_max", lang) + wan,
    min_value=0.0,
    step=10.0,
    value=to_wan(v["budget_max"]),
    key=k("budget_max"),
)
eligibility_options = ["open", "invited"]
eligibility = c5.selectbox(
    t("field.eligibility", lang),
    eligibility_options,
    index=eligibility_options.index(str(v["eligibility"]))
    if str(v["eligibility"]) in eligibility_options
    else 0,
    format_func=lambda e: t(f"eligibility.{e}", lang),
    key=k("eligibility"),
)
c6, c7 = st.columns(2)
question_deadline = c6.date_input(
    t("field.question_deadline", lang), value=v["question_deadline"], key=k("question_deadline")
)
closing_date = c7.date_input(t("field.closing_date", lang), value=v["closing_date"], key=k("closing_date"))
c8, c9, c10 = st.columns(3)
contact_name = c8.text_input(t("field.contact_name", lang), value=v["contact_name"], key=k("contact_name"))
contact_phone = c9.text_input(
    t("field.contact_phone", lang), value=v["contact_phone"], key=k("contact_phone")
)
contact_email = c10.text_input(
    t("field.contact_email", lang), value=v["contact_email"], key=k("contact_email")
)
call_titles = {
    c.id: (
        f"{ui.title_of_call(c, lang)} ({format_date(c.closes_on, lang)})"
        if c.open
        else t("ui.edit.call_closed", lang)
    )
    for c in view.calls
}
call_options = [None, *call_titles]
call_id = st.selectbox(
    t("field.call_id", lang),
    call_options,
    index=call_options.index(v["call_id"]) if v["call_id"] in call_options else 0,
    format_func=lambda i: t("ui.none", lang) if i is None else call_titles[i],
    key=k("call_id"),
)

# Personal data in the public text: warned at its field; the department may confirm it is not.
public_text = {
    "title": title,
    "title_en": title_en,
    "summary": summary,
    "description": description,
    "data_resources": ui.text_list(data_resources),
    "expected_outcomes": expected,
    "indicators": ui.indicator_rows(indicators, ("name", "target")),
}
notes = ui.load(personal_data_notes, actor, view.scenario_id, public_text)
pii_confirmed = ui.personal_data_checks(form, pii_slots, notes, lang)

# Annexes: their own uploads and removals (each its own transaction), not part of the form's save.
with st.container(border=True, key="ed_files"):
    st.subheader(t("ui.files.annexes", lang))
    if view.annexes is None:
        st.caption(t("ui.files.annexes_after_save", lang))
    else:
        st.caption(t("ui.files.annexes_edit_help", lang))
        files.file_panel(view.annexes, actor, lang, key="ed_annex")

b1, b2, _ = st.columns([1, 1, 3])
save = b1.button(t("ui.edit.save", lang), key="ed_save")
submit = b2.button(t("ui.edit.save_submit", lang), key="ed_submit", type="primary")
if save or submit:
    money = lambda wan_value: int(round(wan_value * 10_000)) if wan_value is not None else None  # noqa: E731
    data = {
        "title": title,
        "title_en": title_en,
        "summary": summary,
        "description": description,
        "sector": sector,
        "region": region,
        "data_resources": ui.text_list(data_resources),
        "expected_outcomes": expected,
        "indicators": ui.indicator_rows(indicators, ("name", "target")),
        "budget_min": money(budget_min),
        "budget_max": money(budget_max),
        "eligibility": eligibility,
        "question_deadline": question_deadline,
        "closing_date": closing_date,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
        "call_id": call_id,
    }
    saved = ui.act(
        scenarios.save_scenario,
        actor,
        view.scenario_id,
        data,
        expected_version=version if view.scenario_id else None,
        submit=submit,
        pii_confirmed=pii_confirmed,
        form=form,
        rerun=False,
    )
    if saved is not None:
        state.flash(t("ui.edit.submitted" if submit else "ui.edit.saved", lang))
        st.session_state.pop("ed_similar", None)
        state.go("manage", id=saved.id)
