"""Permissions as named actions behind one ``can`` / ``require`` (datasette style).

Why: authorization lives in the service layer, never in the UI. Every service function calls
``require(actor, Action.X, obj)`` before it touches the database; pages may call ``can`` only to
decide what to draw. This module decides *who* may act on *which object* (role and ownership);
time and status rules (deadlines, sealed bids before closing) live in the services and the state
machines, which raise ``RuleViolation`` / ``InvalidTransition``.
"""

from __future__ import annotations

import contextvars
import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from portal.domain.errors import NotAuthenticated, PermissionDenied
from portal.models import (
    Bid,
    Offer,
    Organization,
    OrgKind,
    Role,
    Scenario,
    ScenarioStatus,
    Showcase,
    ShowcaseStatus,
    Verification,
)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, an anonymous visitor, or the system (scheduled sweeps)."""

    user_id: int | None = None
    org_id: int | None = None
    role: Role | None = None
    verified: bool = False
    language: str = "zh"
    system: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and not self.system

    @property
    def is_authority(self) -> bool:
        return self.role == Role.AUTHORITY

    @property
    def is_department(self) -> bool:
        return self.role == Role.DEPARTMENT

    @property
    def is_vendor(self) -> bool:
        return self.role == Role.VENDOR


ANONYMOUS = Actor()
SYSTEM = Actor(system=True, language="zh")

#: Statuses after the closing date: bids are unsealed for the owning department. (A scenario
#: cancelled while still open keeps its bids sealed.)
UNSEALED_STATUSES = frozenset(
    {
        ScenarioStatus.CLOSED,
        ScenarioStatus.AWARDED,
        ScenarioStatus.IN_IMPLEMENTATION,
        ScenarioStatus.COMPLETED,
        ScenarioStatus.SHOWCASED,
        ScenarioStatus.NONE_SUITABLE,
    }
)
#: Statuses in which a scenario is public: everything that was ever published (cancelled and
#: none-suitable ones stay visible, so bidders and the public can see how they ended).
PUBLIC_STATUSES = UNSEALED_STATUSES | {ScenarioStatus.PUBLISHED, ScenarioStatus.CANCELLED}


class Action(enum.StrEnum):
    """Every permission-checked action. Documented in docs/permissions.md (a test keeps it so)."""

    SCENARIO_CREATE = "scenario.create"
    SCENARIO_VIEW = "scenario.view"
    SCENARIO_VIEW_CONTACT = "scenario.view_contact"
    SCENARIO_EDIT = "scenario.edit"
    SCENARIO_SUBMIT = "scenario.submit"
    SCENARIO_WITHDRAW = "scenario.withdraw"
    SCENARIO_REVIEW = "scenario.review"
    SCENARIO_CLOSE = "scenario.close"
    SCENARIO_CANCEL = "scenario.cancel"
    SCENARIO_DECIDE = "scenario.decide"
    SCENARIO_MANAGE = "scenario.manage"
    SCENARIO_INVITE = "scenario.invite"
    SCENARIO_FOLLOW = "scenario.follow"
    SCENARIO_IMPORT = "scenario.import"
    QUESTION_ASK = "question.ask"
    QUESTION_ANSWER = "question.answer"
    BID_CREATE = "bid.create"
    BID_EDIT = "bid.edit"
    BID_VIEW = "bid.view"
    BID_VIEW_ALL = "bid.view_all"
    OFFER_CREATE = "offer.create"
    OFFER_EDIT = "offer.edit"
    OFFER_VIEW = "offer.view"
    ORG_EDIT = "org.edit"
    ORG_VIEW_PRIVATE = "org.view_private"
    VENDOR_VERIFY = "vendor.verify"
    CALL_MANAGE = "call.manage"
    OUTCOME_RECORD = "outcome.record"
    SHOWCASE_PROPOSE = "showcase.propose"
    SHOWCASE_EDIT = "showcase.edit"
    SHOWCASE_PUBLISH = "showcase.publish"
    SHOWCASE_VIEW = "showcase.view"
    MATCH_VIEW = "match.view"
    MATCH_BOARD = "match.board"
    DASHBOARD_VIEW = "dashboard.view"
    AUDIT_VIEW = "audit.view"
    USER_MANAGE = "user.manage"
    DATA_EXPORT = "data.export"
    INDEX_MANAGE = "index.manage"
    MAIL_SETTINGS = "mail.settings"
    MAIL_MANAGE = "mail.manage"
    ATTACHMENT_UPLOAD = "attachment.upload"
    ATTACHMENT_VIEW = "attachment.view"


def _owns_org(actor: Actor, org_id: int | None) -> bool:
    return actor.org_id is not None and actor.org_id == org_id


def _authority(actor: Actor, _obj: Any) -> bool:
    return actor.is_authority


def _department(actor: Actor, _obj: Any) -> bool:
    return actor.is_department


def _vendor(actor: Actor, _obj: Any) -> bool:
    return actor.is_vendor


def _logged_in(actor: Actor, _obj: Any) -> bool:
    return not actor.is_anonymous and not actor.system


def _own_department_scenario(actor: Actor, obj: Any) -> bool:
    return actor.is_department and isinstance(obj, Scenario) and _owns_org(actor, obj.org_id)


def _own_scenario_or_authority(actor: Actor, obj: Any) -> bool:
    return actor.is_authority or _own_department_scenario(actor, obj)


def _close(actor: Actor, obj: Any) -> bool:
    return actor.system or _own_scenario_or_authority(actor, obj)


def _view_scenario(actor: Actor, obj: Any) -> bool:
    if not isinstance(obj, Scenario):
        return False
    return obj.status in PUBLIC_STATUSES or _own_scenario_or_authority(actor, obj)


def _view_contact(actor: Actor, obj: Any) -> bool:
    return _logged_in(actor, obj) and _view_scenario(actor, obj)


def _own_bid(actor: Actor, obj: Any) -> bool:
    return actor.is_vendor and isinstance(obj, Bid) and _owns_org(actor, obj.vendor_org_id)


def _view_bid(actor: Actor, obj: Any) -> bool:
    # The owning department's view of bids goes through BID_VIEW_ALL on the scenario (sealed rule).
    return actor.is_authority or _own_bid(actor, obj)


def _view_all_bids(actor: Actor, obj: Any) -> bool:
    if actor.is_authority:
        return True
    return _own_department_scenario(actor, obj) and obj.status in UNSEALED_STATUSES


def _own_offer(actor: Actor, obj: Any) -> bool:
    return actor.is_vendor and isinstance(obj, Offer) and _owns_org(actor, obj.vendor_org_id)


def _own_org(actor: Actor, obj: Any) -> bool:
    return isinstance(obj, Organization) and _owns_org(actor, obj.id) and not actor.is_anonymous


def _view_private_org(actor: Actor, obj: Any) -> bool:
    return actor.is_authority or _own_org(actor, obj)


def _verified_vendor(actor: Actor, _obj: Any) -> bool:
    return actor.is_vendor and actor.verified


def _edit_showcase(actor: Actor, obj: Any) -> bool:
    if actor.is_authority:
        return True
    if not isinstance(obj, Showcase):
        return False
    return actor.is_department and obj.status == ShowcaseStatus.DRAFT and _owns_org(actor, obj.org_id)


def _view_showcase(actor: Actor, obj: Any) -> bool:
    if not isinstance(obj, Showcase):
        return False
    if obj.status == ShowcaseStatus.PUBLISHED or actor.is_authority:
        return True
    return actor.is_department and _owns_org(actor, obj.org_id)


def _match_view(actor: Actor, obj: Any) -> bool:
    # Recommendations for a scenario: its department or the authority; for a vendor: that vendor.
    if isinstance(obj, Scenario):
        return _own_scenario_or_authority(actor, obj)
    if isinstance(obj, Organization):
        return actor.is_authority or (_owns_org(actor, obj.id) and obj.kind == OrgKind.VENDOR)
    return actor.is_authority


@dataclass(frozen=True)
class Holder:
    """What an attachment hangs on, as its permission rules need it.

    ``kind`` is ``scenario``, ``bid`` or ``organization``; ``obj`` the row; ``scenario`` the bid's
    scenario (a proposal is sealed exactly as long as its bid is).
    """

    kind: str
    obj: Any
    scenario: Scenario | None = None


def _upload_attachment(actor: Actor, obj: Any) -> bool:
    # Who may add (and remove) files: the owning department (annexes), the bidding vendor
    # (proposal documents), a vendor on its own organisation (licence). Status rules: the service.
    if not isinstance(obj, Holder):
        return False
    if obj.kind == "scenario":
        return _own_department_scenario(actor, obj.obj)
    if obj.kind == "bid":
        return _own_bid(actor, obj.obj)
    if obj.kind == "organization":
        return actor.is_vendor and _own_org(actor, obj.obj)
    return False


def _view_attachment(actor: Actor, obj: Any) -> bool:
    # Annexes: whoever may view the scenario (everyone once published). Proposal documents: sealed
    # more strictly than bids: before closing only the vendor, not even the authority. Licences:
    # the authority (verification) and the organisation itself.
    if not isinstance(obj, Holder):
        return False
    if obj.kind == "scenario":
        return _view_scenario(actor, obj.obj)
    if obj.kind == "bid":
        if _own_bid(actor, obj.obj):
            return True
        sc = obj.scenario
        if not isinstance(sc, Scenario) or sc.status not in UNSEALED_STATUSES:
            return False
        return actor.is_authority or _own_department_scenario(actor, sc)
    if obj.kind == "organization":
        return _view_private_org(actor, obj.obj)
    return False


RULES: dict[Action, Callable[[Actor, Any], bool]] = {
    Action.SCENARIO_CREATE: _department,
    Action.SCENARIO_VIEW: _view_scenario,
    Action.SCENARIO_VIEW_CONTACT: _view_contact,
    Action.SCENARIO_EDIT: _own_department_scenario,
    Action.SCENARIO_SUBMIT: _own_department_scenario,
    Action.SCENARIO_WITHDRAW: _own_department_scenario,
    Action.SCENARIO_REVIEW: _authority,
    Action.SCENARIO_CLOSE: _close,
    Action.SCENARIO_CANCEL: _own_scenario_or_authority,
    Action.SCENARIO_DECIDE: _own_department_scenario,
    Action.SCENARIO_MANAGE: _own_department_scenario,
    Action.SCENARIO_INVITE: _own_scenario_or_authority,
    Action.SCENARIO_FOLLOW: _vendor,
    Action.SCENARIO_IMPORT: _authority,
    Action.QUESTION_ASK: _vendor,
    Action.QUESTION_ANSWER: _own_department_scenario,
    Action.BID_CREATE: _verified_vendor,
    Action.BID_EDIT: _own_bid,
    Action.BID_VIEW: _view_bid,
    Action.BID_VIEW_ALL: _view_all_bids,
    Action.OFFER_CREATE: _vendor,
    Action.OFFER_EDIT: _own_offer,
    Action.OFFER_VIEW: _logged_in,
    Action.ORG_EDIT: _own_org,
    Action.ORG_VIEW_PRIVATE: _view_private_org,
    Action.VENDOR_VERIFY: _authority,
    Action.CALL_MANAGE: _authority,
    Action.OUTCOME_RECORD: _own_department_scenario,
    Action.SHOWCASE_PROPOSE: _own_scenario_or_authority,
    Action.SHOWCASE_EDIT: _edit_showcase,
    Action.SHOWCASE_PUBLISH: _authority,
    Action.SHOWCASE_VIEW: _view_showcase,
    Action.MATCH_VIEW: _match_view,
    Action.MATCH_BOARD: _authority,
    Action.DASHBOARD_VIEW: _authority,
    Action.AUDIT_VIEW: _authority,
    Action.USER_MANAGE: _authority,
    Action.DATA_EXPORT: _authority,
    Action.INDEX_MANAGE: _authority,
    Action.MAIL_SETTINGS: _logged_in,
    Action.MAIL_MANAGE: _authority,
    Action.ATTACHMENT_UPLOAD: _upload_attachment,
    Action.ATTACHMENT_VIEW: _view_attachment,
}

_checks: contextvars.ContextVar[list[tuple[Action, Any]] | None] = contextvars.ContextVar(
    "_checks", default=None
)


def can(actor: Actor, action: Action, obj: Any = None) -> bool:
    """Return whether ``actor`` may perform ``action`` on ``obj`` (no side effects besides recording)."""
    recorded = _checks.get()
    if recorded is not None:
        recorded.append((action, obj))
    return RULES[action](actor, obj)


def require(actor: Actor, action: Action, obj: Any = None) -> None:
    """Raise ``PermissionDenied`` (``NotAuthenticated`` for anonymous visitors) unless allowed."""
    if can(actor, action, obj):
        return
    if actor.is_anonymous:
        raise NotAuthenticated(action=str(action))
    raise PermissionDenied(action=str(action))


@contextmanager
def record_checks() -> Iterator[list[tuple[Action, Any]]]:
    """Collect the ``(action, obj)`` pairs checked inside the block (tests assert on them)."""
    token = _checks.set([])
    try:
        yield _checks.get()  # type: ignore[misc]
    finally:
        _checks.reset(token)


def actor_for(user: Any, org: Organization) -> Actor:
    """Build the actor of a logged-in ``user`` of ``org``."""
    return Actor(
        user_id=user.id,
        org_id=org.id,
        role=Role(user.role),
        verified=org.verification == Verification.VERIFIED,
        language=user.language or "zh",
    )
