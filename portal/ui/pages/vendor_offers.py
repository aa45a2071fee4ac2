"""A vendor's solution offers (解决方案): create, edit, retire or bring back."""

import streamlit as st

from portal.db import session_scope
from portal.i18n import format_datetime, label, t
from portal.models import Maturity, OfferStatus
from portal.services import offers
from portal.ui import components as ui
from portal.ui import state

actor, lang = state.guard("offers")
st.title(t("ui.offers.title", lang))
with session_scope() as s:
    mine = offers.list_my_offers(actor, session=s)


def offer_form(prefix: str, offer=None) -> dict | None:  # type: ignore[no-untyped-def]
    """Draw the offer form; return the entered data when it was submitted."""
    with st.form(f"{prefix}_form", clear_on_submit=offer is None):
        title = st.text_input(
            t("field.title", lang), value=offer.title if offer else "", key=f"{prefix}_title"
        )
        description = st.text_area(
            t("field.description", lang),
            value=offer.description if offer else "",
            key=f"{prefix}_description",
        )
        c1, c2 = st.columns(2)
        pick = ui.taxonomy_multiselect(
            "sector",
            "sectors",
            lang,
            key=f"{prefix}_sectors",
            default=offer.sectors if offer else [],
            where=c1,
        )
        where = ui.taxonomy_multiselect(
            "region",
            "regions",
            lang,
            key=f"{prefix}_regions",
            default=offer.regions if offer else [],
            where=c2,
        )
        cases = st.text_area(
            t("field.reference_cases", lang),
            value="\n".join(offer.reference_cases) if offer else "",
            help=t("ui.one_per_line", lang),
            key=f"{prefix}_cases",
        )
        c3, c4 = st.columns(2)
        maturity = c3.selectbox(
            t("field.maturity", lang),
            list(Maturity),
            index=list(Maturity).index(offer.maturity) if offer else 1,
            format_func=lambda m: t(f"maturity.{m}", lang),
            key=f"{prefix}_maturity",
        )
        language = c4.selectbox(
            t("field.language", lang),
            ["zh", "en"],
            index=["zh", "en"].index(offer.language) if offer else 0,
            format_func=lambda c: {"zh": "中文", "en": "English"}[c],
            key=f"{prefix}_language",
        )
        if st.form_submit_button(t("ui.save", lang), key=f"{prefix}_save", type="primary"):
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


with st.expander(t("ui.offers.new", lang), expanded=not mine):
    data = offer_form("offer_new")
    if data is not None:
        ui.run_action(lambda s: offers.create_offer(actor, data, session=s), lang, t("ui.saved", lang))

for o in mine:
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
        active = o.status == OfferStatus.ACTIVE
        if c2.button(
            t("ui.offers.retire" if active else "ui.offers.reactivate", lang), key=f"offer_toggle_{o.id}"
        ):
            ui.run_action(
                lambda s, o=o, a=active: offers.set_offer_active(actor, o.id, not a, session=s),
                lang,
                t("ui.saved", lang),
            )
        with st.expander(t("ui.offers.edit", lang)):
            data = offer_form(f"offer_{o.id}", o)
            if data is not None:
                ui.run_action(
                    lambda s, o=o, d=data: offers.update_offer(
                        actor, o.id, d, expected_version=o.version, session=s
                    ),
                    lang,
                    t("ui.saved", lang),
                )
