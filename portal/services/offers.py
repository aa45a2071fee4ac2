"""Vendor solution offers (解决方案): create, edit, retire, list."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from portal import audit
from portal.audit import EventType
from portal.domain.errors import RuleViolation
from portal.domain.validation import Checker, parse
from portal.models import Offer, OfferCreate, OfferStatus, Organization
from portal.permissions import Action, Actor, require
from portal.services.door import apply_changes, check_version, get_or_404, log_change, transition

FIELDS = tuple(OfferCreate.model_fields)


def _rules(chk: Checker, oc: OfferCreate) -> None:
    """Taxonomy and choice rules; fields that failed validation are ``None`` (skipped)."""
    if oc.sectors is not None:
        chk.sectors("sectors", oc.sectors)
    if oc.regions is not None:
        chk.regions("regions", oc.regions)
    if oc.language is not None and oc.language not in ("zh", "en"):
        chk.fail("language", "validation.invalid_choice")


def validate_offer(data: dict[str, Any]) -> OfferCreate:
    """Validate an offer's fields, reporting every problem at once, each at its field."""
    return parse(OfferCreate, data, _rules)


def check_create(actor: Actor) -> None:
    """May ``actor`` create offers (a vendor)? Raises when not."""
    require(actor, Action.OFFER_CREATE)


def check_edit(actor: Actor, offer: Offer) -> None:
    """May ``actor`` edit, retire or bring back ``offer`` (its own vendor)? Raises when not."""
    require(actor, Action.OFFER_EDIT, offer)


def create_offer(actor: Actor, data: dict[str, Any], *, session: Session) -> Offer:
    check_create(actor)
    oc = validate_offer(data)
    offer = Offer(**oc.model_dump(), vendor_org_id=actor.org_id)
    session.add(offer)
    session.flush()
    audit.record(session, actor, EventType.OFFER_CREATED, "offer", offer.id, title=offer.title)
    log_change(session, "offer", offer.id)
    return offer


def update_offer(
    actor: Actor, offer_id: int, changes: dict[str, Any], *, expected_version: int | None, session: Session
) -> Offer:
    offer = get_or_404(session, Offer, offer_id)
    check_edit(actor, offer)
    check_version(offer, expected_version)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise RuleViolation("error.unknown_fields", fields=", ".join(sorted(unknown)))
    oc = validate_offer({n: getattr(offer, n) for n in FIELDS} | changes)
    diff = apply_changes(offer, oc.model_dump())
    if diff:
        session.add(offer)
        session.flush()
        audit.record(session, actor, EventType.OFFER_UPDATED, "offer", offer.id, fields=sorted(diff))
        log_change(session, "offer", offer.id)
    return offer


def set_offer_active(actor: Actor, offer_id: int, active: bool, *, session: Session) -> Offer:
    """Retire an offer (it stops being matched) or bring it back, through the door.

    The door checks the offer state machine (``lifecycle.OFFER``) and the permission, and writes the
    status history and the audit event ``offer.retired`` / ``offer.active``. Asking for the status
    the offer already has changes nothing (a double click).
    """
    offer = get_or_404(session, Offer, offer_id)
    check_edit(actor, offer)
    target = OfferStatus.ACTIVE if active else OfferStatus.RETIRED
    if offer.status != target:
        transition(session, offer, target, actor=actor)
        log_change(session, "offer", offer.id)  # retired offers leave every process's index
    return offer


def list_my_offers(actor: Actor, *, session: Session) -> list[Offer]:
    check_create(actor)
    q = select(Offer).where(Offer.vendor_org_id == actor.org_id).order_by(col(Offer.updated_at).desc())
    return list(session.exec(q).all())


def get_offer(actor: Actor, offer_id: int, *, session: Session) -> Offer:
    offer = get_or_404(session, Offer, offer_id)
    if not (actor.is_vendor and actor.org_id == offer.vendor_org_id):
        require(actor, Action.OFFER_VIEW, offer)
    return offer


def list_offers(
    actor: Actor, *, session: Session, ids: list[int] | None = None, active_only: bool = True
) -> list[Offer]:
    """Offers for logged-in users (departments and the authority browse the supply side)."""
    require(actor, Action.OFFER_VIEW)
    q = select(Offer)
    if active_only:
        q = q.where(Offer.status == OfferStatus.ACTIVE)
    if ids is not None:
        q = q.where(col(Offer.id).in_(ids))
    return list(session.exec(q.order_by(col(Offer.id))).all())


def vendor_of(session: Session, offer: Offer) -> Organization:
    return get_or_404(session, Organization, offer.vendor_org_id, "vendor")
