"""Renderers of matching results (recommended offers with reasons, one-click invite)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from portal.i18n import label, t
from portal.models import Verification
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


def offer_hits(
    hits: list[Any], lang: str, *, actor: Actor, scenario_id: int, key: str, invite: bool, invited: set[int]
) -> None:
    """Recommended vendors/offers for a scenario, each with its reasons and an invite button."""
    if not hits:
        st.caption(t("ui.match.none", lang))
        return
    buttons: set[int] = set()  # one invite button per vendor, even when several of its offers match
    for hit in hits:
        vendor, offer = hit.vendor, hit.offer
        with st.container(border=True, key=f"hit_{key}_{scenario_id}_{offer.id}"):
            c1, c2 = st.columns([5, 1])
            verified = vendor.verification == Verification.VERIFIED
            c1.markdown(f"**{ui.safe(vendor.name)}** · {ui.safe(offer.title)}")
            c1.caption(
                " · ".join(
                    [t(f"verification.{vendor.verification}", lang), t(f"maturity.{offer.maturity}", lang)]
                    + [label("sector", c, lang) for c in offer.sectors[:3]]
                )
            )
            with c1:
                ui.match_reasons(matchmaking.explain(hit.reasons, lang), hit.score, lang)
            if not invite:
                continue
            if vendor.id in invited:
                c2.caption(t("ui.match.invited", lang))
                continue
            if not verified or vendor.id in buttons:
                continue
            buttons.add(vendor.id)
            if c2.button(t("ui.match.invite", lang), key=f"invite_{key}_{scenario_id}_{vendor.id}"):
                ui.run_action(
                    lambda s, v=vendor.id: scenarios.invite_vendor(actor, scenario_id, v, session=s),
                    lang,
                    t("ui.match.invite_sent", lang, name=vendor.name),
                )


def invited_ids(session: Any, scenario_id: int, hits: list[Any]) -> set[int]:
    """Which of the hits' vendors are already invited to the scenario."""
    return {h.vendor.id for h in hits if scenarios.is_invited(session, scenario_id, h.vendor.id)}
