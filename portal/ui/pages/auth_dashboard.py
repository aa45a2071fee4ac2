"""Dashboard: scenarios by sector, region, status and month; bids per scenario; match share; time to award."""

from collections import Counter

import streamlit as st

from portal.i18n import format_number, label, t
from portal.services import matchmaking
from portal.ui import components as ui
from portal.ui import state
from portal.views.dashboard import Do, dashboard_page, index_panel

actor, lang = state.guard("dashboard")
view = ui.load(dashboard_page, actor)
d = view.figures
st.title(t("ui.dashboard.title", lang))

share = d.good_match.share
c1, c2, c3 = st.columns(3)
c1.metric(t("ui.dashboard.published_now", lang), d.good_match.total)
c2.metric(
    t("ui.dashboard.good_match", lang),
    "—" if share is None else f"{share:.0%}",
    help=t("ui.dashboard.good_match_help", lang, matched=d.good_match.matched, total=d.good_match.total),
)
c3.metric(
    t("ui.dashboard.median_award", lang),
    "—"
    if d.median_days_to_award is None
    else t("ui.days", lang, n=format_number(d.median_days_to_award, lang, 1)),
)
if view.heuristic_match:
    st.caption(t("ui.dashboard.match_heuristic", lang))


def _bar(title_key: str, counts: dict[str, int], kind: str | None) -> None:
    st.subheader(t(title_key, lang))
    if not counts:
        st.caption(t("ui.none", lang))
        return
    rows = {label(kind, k, lang) if kind else k: v for k, v in counts.items()}
    st.bar_chart({t("ui.dashboard.count", lang): rows}, horizontal=True, height=max(200, 28 * len(rows)))


left, right = st.columns(2)
with left:
    _bar("ui.dashboard.by_sector", d.by_sector, "sector")
    _bar("ui.dashboard.by_status", d.by_status, "status")
with right:
    _bar("ui.dashboard.by_region", d.by_region, "region")
    st.subheader(t("ui.dashboard.per_month", lang))
    months = {m.month: m.count for m in d.published_per_month}
    if months:
        st.line_chart({t("ui.dashboard.count", lang): months})
    else:
        st.caption(t("ui.none", lang))
st.subheader(t("ui.dashboard.bids_per_scenario", lang))
hist = Counter(d.bids_per_scenario)  # already {bid count: scenarios}
if hist:
    st.bar_chart(
        {
            t("ui.dashboard.scenarios", lang): {
                t("ui.dashboard.n_bids", lang, n=n): c for n, c in sorted(hist.items())
            }
        },
        sort=False,
    )
else:
    st.caption(t("ui.none", lang))


@st.fragment(run_every=2)
def _index_panel() -> None:
    """The matching index of this server process, refreshed every 2 s while embedding runs.

    Its own read (``views.dashboard.index_panel``): the fragment reruns alone, without the page.
    """
    st.subheader(t("ui.index.title", lang))
    panel = ui.load(index_panel, actor)
    status = panel.status
    if status is None:
        with st.status(t("ui.model_loading", lang), state="running"):
            st.caption(t("ui.model_loading_detail", lang))
        return
    c1, c2, c3 = st.columns(3)
    c1.metric(t("ui.index.scenarios", lang), status.scenarios)
    c2.metric(t("ui.index.offers", lang), status.offers)
    c3.metric(t("ui.index.changes", lang), status.last_change)
    st.caption(ui.tr("ui.index.model", lang, model=status.model_id))
    for kind, (done, total) in status.pending.items():
        if total and done < total:
            text = t(f"ui.index.embedding_{kind}", lang, done=done, total=total)  # md-safe: two counts
            st.progress(done / total, text=text)
    if panel.can(Do.REBUILD_INDEX) and st.button(t("ui.index.rebuild", lang), key="index_rebuild"):
        ui.act(matchmaking.rebuild_index, actor, done=t("ui.index.rebuilt", lang))


_index_panel()
