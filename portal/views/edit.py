"""The department's scenario form (``edit-scenario?id=``): the values to start from and their version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from matching import Reasons
from portal import clock
from portal.models import Eligibility
from portal.permissions import Action, Actor, require
from portal.services import calls, matchmaking, scenarios
from portal.taxonomy import sectors
from portal.views.files import FilePanel, file_panel


@dataclass(frozen=True)
class CallChoice:
    id: int
    theme: str
    theme_en: str
    closes_on: Any
    open: bool


@dataclass(frozen=True)
class ScenarioForm:
    """What the form is drawn from. ``scenario_id`` None: a new draft (``version`` 0)."""

    scenario_id: int | None
    version: int
    values: dict[str, Any]  # field -> value, in the services' own shapes (lists, indicator rows)
    calls: tuple[CallChoice, ...]
    annexes: FilePanel | None = None  # None for a new draft (files come after the first save)


@dataclass(frozen=True)
class PersonalDataNote:
    """A field whose text looks like personal data, as the form shows it under that field."""

    field: str
    kinds: tuple[str, ...]  # ``portal.domain.pii.KINDS`` found there
    fingerprint: str  # what the confirm checkbox sends back (``pii_confirmed={field: fingerprint}``)
    confirmed: bool  # confirmed at an earlier save: nothing to ask


def personal_data_notes(
    actor: Actor, scenario_id: int | None, values: dict[str, Any], *, session: Session
) -> tuple[PersonalDataNote, ...]:
    """Per field of the form's current text: what looks like personal data, and whether it was confirmed.

    The same rule the save enforces (``scenarios.check_personal_data``), so the page warns before
    the save is refused.
    """
    require(actor, Action.SCENARIO_CREATE)
    if scenario_id is not None:
        scenarios.check_edit(actor, scenarios.get_scenario(actor, scenario_id, session=session))
    before = scenarios.confirmed_personal_data(session, scenario_id)
    return tuple(
        PersonalDataNote(field, kinds, fp, fp in before.get(field, set()))
        for field, (kinds, fp) in scenarios.personal_data(values).items()
    )


@dataclass(frozen=True)
class SimilarItem:
    id: int
    title: str
    title_en: str
    org_name: str
    status: str
    score: float
    reasons: Reasons


def scenario_form(actor: Actor, scenario_id: int | None, *, session: Session) -> ScenarioForm:
    """The form for a new draft, or for the actor's own editable scenario (refused otherwise)."""
    require(actor, Action.SCENARIO_CREATE)
    open_calls = [
        CallChoice(c.id, c.theme, c.theme_en, c.closes_on, True) for c in calls.open_calls(session=session)
    ]
    if scenario_id is None:
        today = clock.today()
        values: dict[str, Any] = {name: "" for name in scenarios.FIELDS} | {
            "sector": next(iter(sectors())),
            "region": "province",
            "data_resources": [],
            "indicators": [],
            "budget_min": None,
            "budget_max": None,
            "eligibility": Eligibility.OPEN,
            "question_deadline": today + timedelta(days=20),
            "closing_date": today + timedelta(days=30),
            "call_id": None,
        }
        return ScenarioForm(None, 0, values, tuple(open_calls))
    sc = scenarios.get_scenario(actor, scenario_id, session=session)
    scenarios.check_edit(actor, sc)
    if sc.call_id is not None and all(c.id != sc.call_id for c in open_calls):
        open_calls.append(CallChoice(sc.call_id, "", "", None, False))
    values = {name: getattr(sc, name) for name in scenarios.FIELDS}
    annexes = file_panel(actor, "scenario", sc.id, "annex", session=session)
    return ScenarioForm(sc.id, sc.version, values, tuple(open_calls), annexes)


def similar_scenarios(
    actor: Actor, text: str, exclude_id: int | None, *, session: Session, k: int = 5
) -> tuple[SimilarItem, ...] | None:
    """Existing scenarios similar to a draft's text (None while the matching model is loading)."""
    if not matchmaking.is_ready():
        return None
    hits = matchmaking.similar_scenarios(actor, text, session=session, exclude_id=exclude_id, k=k)
    return tuple(
        SimilarItem(
            h.scenario.id,
            h.scenario.title,
            h.scenario.title_en,
            h.scenario.org_name,
            str(h.scenario.status),
            h.score,
            h.reasons,
        )
        for h in hits
    )
