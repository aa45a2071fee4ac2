"""Renderers of matching results (recommended offers with reasons, one-click invite)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from portal.i18n import label, t
from portal.permissions import Actor
from portal.services import scenarios
from portal.ui import components as ui
from portal.ui import matchmaking


def loading_note(lang: str) -> bool:
    """Show why recommendations are missing; True when they can be computed now."""
    if not matchmaking.ready():
        with st.status(t("ui.model_loading", lang), state="running"):
            st.caption(t("ui.model_loading_detail", lang))
        return False
    return True


def offer_matches(items: Any, lang: str, *, actor: Actor, scenario_id: int, key: str) -> None:
    """Recommended offers from a read model (``views.manage.OfferMatch``): reasons and invite buttons."""
    if not items:
        st.caption(t("ui.match.none", lang))
        return
    for m in items:
        with st.container(border=True, key=f"hit_{key}_{scenario_id}_{m.offer_id}"):
            c1, c2 = st.columns([5, 1])
            c1.markdown(f"**{ui.safe(m.vendor_name)}** · {ui.safe(m.offer_title)}")
            c1.caption(
                " · ".join(
                    [t(f"verification.{m.verification}", lang), t(f"maturity.{m.maturity}", lang)]
                    + [label("sector", c, lang) for c in m.sectors[:3]]
                )
            )
            with c1:
                ui.match_reasons(matchmaking.explain(m.reasons, lang), m.score, lang)
            if m.invited:
                c2.caption(t("ui.match.invited", lang))
            elif m.can("invite") and c2.button(
                t("ui.match.invite", lang), key=f"invite_{key}_{scenario_id}_{m.vendor_id}"
            ):
                ui.act(
                    scenarios.invite_vendor,
                    actor,
                    scenario_id,
                    m.vendor_id,
                    done=ui.tr("ui.match.invite_sent", lang, name=m.vendor_name),
                )
