"""Vendor offers: validated, edited with an optimistic lock, retired out of the supply list."""

from __future__ import annotations

import pytest

from portal.domain.errors import Conflict, ValidationFailed
from portal.models import OfferStatus
from portal.services import offers

OFFER = {
    "title": "城市运行一网统管平台",
    "description": "融合物联感知、视频分析与事件工单的城市运行管理平台，支持多部门协同处置。",
    "sectors": ["city-ops"],
    "regions": ["guiyang", "zunyi"],
    "language": "zh",
}


def test_offer_validation_names_each_field(session, world):
    bad = dict(
        OFFER, sectors=[], regions=["mars"], language="fr", reference_cases=[f"案例{i}" for i in range(11)]
    )
    with pytest.raises(ValidationFailed) as info:
        offers.create_offer(world.vendor_x.actor, bad, session=session)
    assert {(e.field, e.key) for e in info.value.errors} == {
        ("sectors", "validation.required"),
        ("regions", "validation.unknown_region"),
        ("language", "validation.invalid_choice"),
        ("reference_cases", "validation.too_many"),
    }
    assert "服务地区中的地区“mars”不存在" in info.value.message("zh")


def test_edit_with_a_stale_version_is_a_conflict(session, world):
    offer = offers.create_offer(world.vendor_x.actor, OFFER, session=session)
    seen = offer.version
    offers.update_offer(
        world.vendor_x.actor, offer.id, {"title": "一网统管平台V2"}, expected_version=seen, session=session
    )
    with pytest.raises(Conflict):
        offers.update_offer(
            world.vendor_x.actor,
            offer.id,
            {"title": "一网统管平台V3"},
            expected_version=seen,
            session=session,
        )
    assert offer.title == "一网统管平台V2"


def test_retired_offers_leave_the_supply_list_and_can_come_back(session, world):
    offer = offers.create_offer(
        world.vendor_x.actor, dict(OFFER, language="en", title="City operations hub"), session=session
    )
    offers.set_offer_active(world.vendor_x.actor, offer.id, False, session=session)
    assert offer.status == OfferStatus.RETIRED
    assert offers.list_offers(world.dept_a.actor, session=session) == []
    assert [o.id for o in offers.list_offers(world.dept_a.actor, session=session, active_only=False)] == [
        offer.id
    ]
    offers.set_offer_active(world.vendor_x.actor, offer.id, True, session=session)
    assert [o.id for o in offers.list_my_offers(world.vendor_x.actor, session=session)] == [offer.id]
    assert offers.vendor_of(session, offer).id == world.vendor_x.org.id


def test_retiring_goes_through_the_door_with_history_and_audit(session, world):
    """Offers change status only through ``door.transition``: status history, ``offer.<status>``
    audit events carrying the new version, and the state machine's refusal for another vendor."""
    from sqlmodel import col, select

    from portal.domain.errors import PermissionDenied
    from portal.models import AuditEvent, StatusChange

    vendor = world.vendor_x.actor
    offer = offers.create_offer(vendor, OFFER, session=session)
    offers.set_offer_active(vendor, offer.id, False, session=session)
    offers.set_offer_active(vendor, offer.id, False, session=session)  # a double click changes nothing
    offers.set_offer_active(vendor, offer.id, True, session=session)
    history = session.exec(
        select(StatusChange.from_status, StatusChange.to_status)
        .where(StatusChange.object_type == "offer", StatusChange.object_id == offer.id)
        .order_by(col(StatusChange.id))
    ).all()
    assert [tuple(h) for h in history] == [("active", "retired"), ("retired", "active")]
    events = session.exec(
        select(AuditEvent).where(AuditEvent.object_type == "offer").order_by(col(AuditEvent.id))
    ).all()
    assert [e.event for e in events] == ["offer.created", "offer.retired", "offer.active"]
    assert events[1].payload["from_status"] == "active" and events[1].actor_id == vendor.user_id
    with pytest.raises(PermissionDenied):
        offers.set_offer_active(world.vendor_y.actor, offer.id, False, session=session)
    assert offer.status == OfferStatus.ACTIVE
