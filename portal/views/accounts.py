"""Account screens: registration, one's profile, the authority's vendor review and user list."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from portal.domain.errors import NotAuthenticated, PermissionDenied
from portal.models import Organization, OrganizationUpdate, Verification
from portal.permissions import Action, Actor, can, require
from portal.services import accounts, attachments
from portal.views.base import HasActions, actions, allows
from portal.views.files import FileItem, FilePanel, file_items, file_panel


class Do(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    EDIT_ORG = "edit_org"
    DEACTIVATE = "deactivate"
    REACTIVATE = "reactivate"
    REGISTER = "register"


# ------------------------------------------------------------------------------ registration


@dataclass(frozen=True)
class RegisterPage(HasActions):
    """The self-registration form (anonymous visitors only; the form starts empty)."""


def register_page(actor: Actor, *, session: Session) -> RegisterPage:
    del session
    return RegisterPage(actions=actions(register=actor.is_anonymous))


# ---------------------------------------------------------------------------------- profile


@dataclass(frozen=True)
class ProfilePage(HasActions):
    org_id: int
    org_name: str
    role: str
    verification: str
    is_vendor: bool
    version: int  # the organisation's version the form is drawn from
    values: dict[str, Any]  # OrganizationUpdate fields as stored
    rename_reviews: bool  # a verified vendor: changing the name sends it back to review
    licence: FilePanel | None = None  # a vendor's business-licence scans (seen by it and the authority)


def profile_page(actor: Actor, *, session: Session) -> ProfilePage:
    """One's own account and organisation (any logged-in user)."""
    if actor.is_anonymous or actor.org_id is None:
        raise NotAuthenticated()
    org = session.get(Organization, actor.org_id)
    if org is None:
        raise PermissionDenied()
    require(actor, Action.ORG_VIEW_PRIVATE, org)
    values = {name: getattr(org, name) for name in OrganizationUpdate.model_fields}
    values = {k: list(v) if isinstance(v, list) else v for k, v in values.items()}
    return ProfilePage(
        actions=actions(edit_org=can(actor, Action.ORG_EDIT, org) and not actor.is_authority),
        org_id=org.id,
        org_name=org.name,
        role=str(actor.role),
        verification=str(org.verification),
        is_vendor=actor.is_vendor,
        version=org.version,
        values=values,
        rename_reviews=actor.is_vendor and org.verification == Verification.VERIFIED,
        licence=file_panel(actor, "organization", org.id, "licence", session=session)
        if actor.is_vendor
        else None,
    )


# --------------------------------------------------------------------------- vendor review


@dataclass(frozen=True)
class VendorItem(HasActions):
    id: int
    name: str
    name_en: str
    uscc: str
    region: str
    sectors: tuple[str, ...]
    description: str
    contact: str
    verification: str
    registered_at: datetime
    licence: tuple[FileItem, ...] = ()  # business-licence scans to check before verifying


@dataclass(frozen=True)
class VendorsPage:
    verification: str  # the state listed ("" for all)
    vendors: tuple[VendorItem, ...]


def vendors_page(actor: Actor, verification: str = "pending", *, session: Session) -> VendorsPage:
    """Vendors in one verification state with the moves the authority may make on each."""
    state = verification if verification in {str(v) for v in Verification} else ""
    rows = accounts.list_vendors(actor, state or None, session=session)
    items = tuple(
        VendorItem(
            actions=actions(
                approve=allows(accounts.check_verify, actor, org, True),
                reject=allows(accounts.check_verify, actor, org, False),
            ),
            id=org.id,
            name=org.name,
            name_en=org.name_en,
            uscc=org.uscc or "",
            region=org.region,
            sectors=tuple(org.sectors or ()),
            description=org.description,
            contact=" · ".join(x for x in (org.contact_name, org.contact_phone, org.contact_email) if x),
            verification=str(org.verification),
            registered_at=org.created_at,
            licence=file_items(attachments.list_for(actor, "organization", org.id, session=session)),
        )
        for org in rows
        if org.id is not None
    )
    return VendorsPage(state, items)


# ------------------------------------------------------------------------------------- users


@dataclass(frozen=True)
class UserItem(HasActions):
    id: int
    username: str
    display_name: str
    org_name: str
    role: str
    is_active: bool
    is_demo: bool
    locked_until: datetime | None
    last_login_at: datetime | None


@dataclass(frozen=True)
class UsersPage:
    search: str
    users: tuple[UserItem, ...]
    limit: int  # at most this many are listed (narrow the search for more)


def users_page(actor: Actor, search: str = "", *, session: Session, limit: int = 200) -> UsersPage:
    """The authority's list of accounts (searchable) with deactivate / reactivate where allowed."""
    rows = accounts.list_users(actor, search=search, session=session, limit=limit)
    items = tuple(
        UserItem(
            actions=actions(
                deactivate=allows(accounts.check_deactivate, actor, user),
                reactivate=allows(accounts.check_reactivate, actor, user),
            ),
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            org_name=org.name,
            role=str(user.role),
            is_active=user.is_active,
            is_demo=user.is_demo,
            locked_until=user.locked_until,
            last_login_at=user.last_login_at,
        )
        for user, org in rows
        if user.id is not None
    )
    return UsersPage(search, items, limit)
