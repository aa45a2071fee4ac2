"""The vendor's offers page on the seam: a stale tab gets the conflict, every problem of a refused save
is listed at once, the buttons follow the offer state machine, and only the vendor's own offers show."""

from __future__ import annotations

import pytest

from portal.domain.errors import PermissionDenied
from portal.models import Offer, OfferStatus
from portal.services import offers
from portal.views.offers import Do, offers_page
from tests.ui.conftest import no_errors, texts

OFFER = {
    "title": "智慧停车诱导系统",
    "description": "基于地磁与视频的车位感知和停车诱导，支持错峰共享停车。",
    "sectors": ["smart-transport"],
    "regions": ["zunyi"],
}


def test_stale_offer_tab_gets_the_conflict_and_the_newer_save_is_kept(app, session, world):
    offer = offers.create_offer(world.vendor_x.actor, OFFER, session=session)
    session.commit()
    form = f"offer_{offer.id}"
    tab_a = app(world.vendor_x, "offers")
    tab_b = app(world.vendor_x, "offers")
    tab_a.text_input(key=f"{form}__title").input("智慧停车诱导与共享系统")
    tab_a.button(key=f"{form}__save").click().run()
    no_errors(tab_a)
    tab_b.text_area(key=f"{form}__description").input(
        "只改描述：基于地磁与视频的车位感知，支持错峰共享停车与诱导。"
    )
    tab_b.button(key=f"{form}__save").click().run()
    assert not tab_b.exception
    message = "\n".join(e.value for e in tab_b.error)
    assert "已被" in message and "未保存" in message, message
    assert "智慧停车诱导与共享系统" in texts(tab_b)  # the other tab's change is shown
    session.refresh(offer)
    assert offer.title == "智慧停车诱导与共享系统" and offer.description == OFFER["description"]


def test_a_refused_offer_lists_every_problem_at_once(app, session, world):
    at = app(world.vendor_y, "offers")
    at.text_input(key="offer_new__title").input("短")
    at.text_area(key="offer_new__description").input("太短")
    at.button(key="offer_new__save").click().run()
    assert not at.exception
    message = "\n".join(e.value for e in at.error)
    for expected in ("标题过短", "详细描述过短", "领域为必填项", "服务地区为必填项"):
        assert expected in message, message
    assert session.query(Offer).count() == 0


def test_buttons_follow_the_state_machine_and_only_own_offers_are_listed(app, session, world):
    mine = offers.create_offer(world.vendor_x.actor, OFFER, session=session)
    theirs = offers.create_offer(world.vendor_y.actor, OFFER | {"title": "别家的停车系统"}, session=session)
    session.commit()
    at = app(world.vendor_x, "offers")
    assert "别家的停车系统" not in texts(at)
    assert at.button(key=f"offer_toggle_{mine.id}").label == "下架"
    assert not any(b.key == f"offer_toggle_{theirs.id}" for b in at.button)
    at.button(key=f"offer_toggle_{mine.id}").click().run()
    no_errors(at)
    session.refresh(mine)
    assert mine.status == OfferStatus.RETIRED
    assert at.button(key=f"offer_toggle_{mine.id}").label != "下架"  # now "bring back"
    at.button(key=f"offer_toggle_{mine.id}").click().run()
    no_errors(at)
    session.refresh(mine)
    assert mine.status == OfferStatus.ACTIVE


def test_the_offers_read_model_is_refused_to_departments_and_lists_permitted_actions(session, world):
    with pytest.raises(PermissionDenied):
        offers_page(world.dept_a.actor, session=session)
    offer = offers.create_offer(world.vendor_x.actor, OFFER, session=session)
    view = offers_page(world.vendor_x.actor, session=session)
    assert view.can(Do.CREATE) and [c.id for c in view.offers] == [offer.id]
    assert view.offers[0].actions == {Do.EDIT, Do.RETIRE}
    offers.set_offer_active(world.vendor_x.actor, offer.id, False, session=session)
    assert offers_page(world.vendor_x.actor, session=session).offers[0].actions == {Do.EDIT, Do.REACTIVATE}
