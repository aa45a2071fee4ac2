"""The vendor's own solution offers (``offers``): each offer's form values, version and actions."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from portal.models import Maturity, Offer, OfferStatus
from portal.permissions import Actor
from portal.services import offers
from portal.services.door import may_transition
from portal.views.base import HasActions, actions, allows


class Do(enum.StrEnum):
    CREATE = "create"  # page: the "new offer" form
    EDIT = "edit"  # offer: its edit form
    RETIRE = "retire"  # offer: active -> retired
    REACTIVATE = "reactivate"  # offer: retired -> active


@dataclass(frozen=True)
class OfferCard(HasActions):
    """One of the vendor's offers as the page draws it (``values``: the form's starting values)."""

    id: int
    title: str
    status: str
    maturity: str
    sectors: tuple[str, ...]
    updated_at: datetime
    version: int
    values: dict[str, Any]


@dataclass(frozen=True)
class OffersPage(HasActions):
    """``actions``: ``create``; ``new_values``: the empty form of a new offer."""

    offers: tuple[OfferCard, ...]
    new_values: dict[str, Any]
    maturities: tuple[str, ...] = tuple(str(m) for m in Maturity)


NEW_OFFER: dict[str, Any] = {
    "title": "",
    "description": "",
    "sectors": [],
    "regions": [],
    "reference_cases": [],
    "maturity": Maturity.PILOT,
    "language": "zh",
}


def _card(actor: Actor, o: Offer) -> OfferCard:
    values = {name: getattr(o, name) for name in offers.FIELDS}
    values = {k: list(v) if isinstance(v, list) else v for k, v in values.items()}
    return OfferCard(
        actions=actions(
            **{
                Do.EDIT: allows(offers.check_edit, actor, o),
                Do.RETIRE: may_transition(actor, o, OfferStatus.RETIRED),
                Do.REACTIVATE: may_transition(actor, o, OfferStatus.ACTIVE),
            }
        ),
        id=o.id,  # type: ignore[arg-type]
        title=o.title,
        status=str(o.status),
        maturity=str(o.maturity),
        sectors=tuple(o.sectors),
        updated_at=o.updated_at,
        version=o.version,
        values=values,
    )


def offers_page(actor: Actor, *, session: Session) -> OffersPage:
    """The actor's own offers, most recently changed first (vendors only: refused for others)."""
    mine = offers.list_my_offers(actor, session=session)
    return OffersPage(
        actions=actions(**{Do.CREATE: allows(offers.check_create, actor)}),
        offers=tuple(_card(actor, o) for o in mine),
        new_values=dict(NEW_OFFER),
    )
