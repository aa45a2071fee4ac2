"""A vendor's solution offers (解决方案): create, edit, retire or bring back."""

from typing import Any

import streamlit as st

from portal.i18n import format_datetime, label, t
from portal.services import offers
from portal.ui import components as ui
from portal.ui import state
from portal.views.offers import Do, offers_page

actor, lang = state.guard("offers")
view = ui.load(offers_page, actor)
st.title(t("ui.offers.title", lang))


def offer_form(form: str, values: dict[str, Any]) -> dict[str, Any] | None:
    """Draw the offer form from ``values``; return the entered data when it was submitted."""
    k = lambda name: ui.wkey(form, name)  # noqa: E731
    with st.form(f"{form}_form"):
        title = st.text_input(t("field.title", lang), value=values["title"], key=k("title"), max_chars=120)
        description = st.text_area(
            t("field.description", lang), value=values["description"], key=k("description"), max_chars=8000
        )
        c1, c2 = st.columns(2)
        pick = ui.taxonomy_multiselect(
            "sector", "sectors", lang, key=k("sectors"), default=values["sectors"], where=c1
        )
        where = ui.taxonomy_multiselect(
            "region", "regions", lang, key=k("regions"), default=values["regions"], where=c2
        )
        cases = st.text_area(
            t("field.reference_cases", lang),
            value="\n".join(values["reference_cases"]),
            help=t("ui.one_per_line", lang),
            key=k("cases"),
        )
        c3, c4 = st.columns(2)
        current = str(values["maturity"])
        maturity = c3.selectbox(
            t("field.maturity", lang),
            list(view.maturities),
            index=view.maturities.index(current) if current in view.maturities else 1,
            format_func=lambda m: t(f"maturity.{m}", lang),
            key=k("maturity"),
        )
        language = c4.selectbox(
            t("field.language", lang),
            ["zh", "en"],
            index=["zh", "en"].index(values["language"]) if values["language"] in ("zh", "en") else 0,
            format_func=lambda c: {"zh": "中文", "en": "English"}[c],
            key=k("language"),
        )
        if st.form_submit_button(t("ui.save", lang), key=k("save"), type="primary"):
            return {
                "title": title,
                "description": description,
                "sectors": pick,
                "regions": where,
                "reference_cases": ui.text_list(cases),
                "maturity": maturity,
                "language": language,
            }
    return None


if view.can(Do.CREATE):
    with st.expander(t("ui.offers.new", lang), expanded=not view.offers):
        _version, start = ui.form_snapshot("offer_new", 0, view.new_values)
        data = offer_form("offer_new", start)
        if data is not None:
            ui.act(offers.create_offer, actor, data, done=t("ui.saved", lang), form="offer_new")

for o in view.offers:
    with st.container(border=True, key=f"offer_{o.id}"):
        c1, c2 = st.columns([5, 1])
        c1.markdown(f"**{ui.safe(o.title)}**")
        c1.caption(
            " · ".join(
                [t(f"offer_status.{o.status}", lang), t(f"maturity.{o.maturity}", lang)]
                + [label("sector", c, lang) for c in o.sectors]
                + [format_datetime(o.updated_at, lang)]
            )
        )
        for action, to_active, text in (
            (Do.RETIRE, False, "ui.offers.retire"),
            (Do.REACTIVATE, True, "ui.offers.reactivate"),
        ):
            if o.can(action) and c2.button(t(text, lang), key=f"offer_toggle_{o.id}"):
                ui.act(offers.set_offer_active, actor, o.id, to_active, done=t("ui.saved", lang))
        if o.can(Do.EDIT):
            with st.expander(t("ui.offers.edit", lang)):
                form = f"offer_{o.id}"
                version, values = ui.form_snapshot(form, o.version, o.values)  # what the form was drawn from
                data = offer_form(form, values)
                if data is not None:
                    ui.act(
                        offers.update_offer,
                        actor,
                        o.id,
                        data,
                        expected_version=version,
                        done=t("ui.saved", lang),
                        form=form,
                    )
