"""Organizations, users, authentication, vendor registration and verification.

Why here: password hashing (argon2id), the login throttle and the vendor verification rule are
security rules, so they sit in the service layer where every entry point (UI, CLI, tests) meets them.
"""

from __future__ import annotations

import math
import os
import re
from datetime import timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from portal import audit, clock
from portal.audit import EventType
from portal.domain import arguments
from portal.domain.errors import AuthError, RuleViolation, ValidationFailed
from portal.domain.uscc import is_valid_uscc
from portal.domain.validation import Checker, clean, clean_text, parse
from portal.models import (
    Organization,
    OrganizationBase,
    OrganizationUpdate,
    OrgKind,
    Role,
    User,
    Verification,
)
from portal.permissions import SYSTEM, Action, Actor, actor_for, require
from portal.services.door import (
    apply_changes,
    authority_user_ids,
    check_version,
    get_or_404,
    log_change,
    notify,
    notify_org,
)


@cache
def _hasher() -> PasswordHasher:
    """argon2id with the library's current defaults.

    ``PORTAL_TEST_FAST_HASH=1`` (test suites only; ignored when ``PORTAL_MODE=production``) uses the
    minimal argon2 costs, so building test accounts takes milliseconds instead of ~0.1 s each.
    """
    if os.environ.get("PORTAL_TEST_FAST_HASH") == "1" and os.environ.get("PORTAL_MODE") != "production":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


MAX_FAILED = 5
LOCK_BASE = timedelta(minutes=1)
LOCK_MAX = timedelta(hours=1)
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-@]{3,60}$")
ROLE_FOR_KIND = {
    OrgKind.DEPARTMENT: Role.DEPARTMENT,
    OrgKind.VENDOR: Role.VENDOR,
    OrgKind.AUTHORITY: Role.AUTHORITY,
}


def hash_password(password: str) -> str:
    return _hasher().hash(arguments.secret(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, arguments.secret(password))
    except (VerificationError, InvalidHashError, ValidationFailed):  # a lone surrogate matches nothing
        return False


def password_problems(password: str, username: str = "") -> list[str]:
    """Catalogue keys of every rule the password breaks (empty when acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append("validation.password_short")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        problems.append("validation.password_mix")
    if username and username.lower() in password.lower():
        problems.append("validation.password_username")
    return problems


def _check_password(chk: Checker, password: str, username: str) -> None:
    for key in password_problems(password, username):
        chk.fail("password", key, min=MIN_PASSWORD)


# ------------------------------------------------------------------------------- organizations


def _org_checker(data: dict[str, Any], kind: OrgKind) -> Checker:
    # Types and lengths first (a number where text belongs, a value over the column's size); the
    # rules below assume well-typed values.
    parse(OrganizationBase, {k: v for k, v in data.items() if k in OrganizationBase.model_fields})
    chk = Checker()
    name = data.get("name") or ""
    if len(name) < 2:
        chk.fail("name", "validation.too_short", min_length=2)
    if len(name) > 120:
        chk.fail("name", "validation.too_long", max_length=120)
    chk.region("region", data.get("region") or "")
    chk.sectors("sectors", data.get("sectors") or [], required=kind != OrgKind.AUTHORITY)
    chk.regions("service_regions", data.get("service_regions") or [], required=False)
    chk.email("contact_email", data.get("contact_email"))
    chk.phone("contact_phone", data.get("contact_phone"))
    uscc = data.get("uscc")
    if (uscc is not None and not isinstance(uscc, str)) or (
        kind == OrgKind.VENDOR and not is_valid_uscc(uscc or "")
    ):
        chk.fail("uscc", "validation.uscc")
    return chk


def create_organization(
    actor: Actor, data: dict[str, Any], *, session: Session, verified: bool | None = None
) -> Organization:
    """Create an organization (authority or system only; vendors self-register via ``register_vendor``)."""
    if not actor.system:
        require(actor, Action.USER_MANAGE)
    data = clean(data)
    kind = OrgKind(data.pop("kind"))
    if kind == OrgKind.VENDOR and isinstance(data.get("uscc"), str):
        data["uscc"] = data["uscc"].upper()
    _org_checker(data, kind).raise_if_any()
    _unique_uscc(session, data.get("uscc"))
    state = Verification.VERIFIED if (verified or kind != OrgKind.VENDOR) else Verification.PENDING
    org = Organization(kind=kind, verification=state, **data)
    session.add(org)
    session.flush()
    audit.record(session, actor, EventType.ORG_CREATED, "organization", org.id, kind=kind, name=org.name)
    return org


def _unique_uscc(session: Session, uscc: str | None, own_id: int | None = None) -> None:
    if not uscc:
        return
    other = session.exec(select(Organization.id).where(Organization.uscc == uscc)).first()
    if other is not None and other != own_id:
        raise RuleViolation("error.uscc_taken")


def update_organization(
    actor: Actor, org_id: int, changes: dict[str, Any], *, expected_version: int | None, session: Session
) -> Organization:
    """Edit one's own organization profile (name, sectors, regions, contact, description)."""
    org = get_or_404(session, Organization, org_id)
    require(actor, Action.ORG_EDIT, org)
    check_version(org, expected_version)
    allowed = set(OrganizationUpdate.model_fields)
    unknown = set(changes) - allowed
    if unknown:
        raise RuleViolation("error.unknown_fields", fields=", ".join(sorted(unknown)))
    current = {name: getattr(org, name) for name in allowed}
    merged = clean(current | changes)
    merged["uscc"] = org.uscc
    _org_checker(merged, org.kind).raise_if_any()
    merged.pop("uscc")
    diff = apply_changes(org, merged)
    if diff:
        session.add(org)
        session.flush()
        audit.record(session, actor, EventType.ORG_UPDATED, "organization", org.id, fields=sorted(diff))
        if org.kind == OrgKind.VENDOR:
            log_change(session, "vendor", org.id)
    return org


def verify_vendor(
    actor: Actor, org_id: int, approve: bool, reason: str = "", *, session: Session
) -> Organization:
    """Authority verifies (or rejects, with a reason) a vendor's registration."""
    require(actor, Action.VENDOR_VERIFY)
    org = get_or_404(session, Organization, org_id, "vendor")
    if org.kind != OrgKind.VENDOR:
        raise RuleViolation("error.not_a_vendor")
    reason = clean_text(reason or "")
    if not approve and not reason:
        raise RuleViolation("error.reason_required", requested="verification.rejected")
    org.verification = Verification.VERIFIED if approve else Verification.REJECTED
    org.updated_at = clock.now()
    session.add(org)
    session.flush()
    event = EventType.VENDOR_VERIFIED if approve else EventType.VENDOR_REJECTED
    audit.record(session, actor, event, "organization", org.id, reason=reason)
    notify_org(
        session,
        org.id,
        "vendor_verified" if approve else "vendor_rejected",
        object_type="organization",
        object_id=org.id,
        message=reason,
    )
    log_change(session, "vendor", org.id)
    return org


def list_organizations(actor: Actor, *, session: Session, kind: OrgKind | None = None) -> list[Organization]:
    """Organizations with private fields (authority only)."""
    require(actor, Action.USER_MANAGE)
    q = select(Organization)
    if kind:
        q = q.where(Organization.kind == kind)
    return list(session.exec(q.order_by(col(Organization.name))).all())


def pending_vendors(actor: Actor, *, session: Session) -> list[Organization]:
    require(actor, Action.VENDOR_VERIFY)
    q = select(Organization).where(
        Organization.kind == OrgKind.VENDOR, Organization.verification == Verification.PENDING
    )
    return list(session.exec(q.order_by(col(Organization.created_at))).all())


# ----------------------------------------------------------------------------------------- users


def create_user(
    actor: Actor,
    *,
    org_id: int,
    username: str,
    password: str,
    display_name: str,
    language: str = "zh",
    is_demo: bool = False,
    session: Session,
) -> User:
    """Create a login for an organization; the role follows the organization's kind."""
    if not actor.system:
        require(actor, Action.USER_MANAGE)
    org = get_or_404(session, Organization, org_id)
    username, display_name = _check_user_fields(
        session, username, display_name, password, language, check_password=not is_demo
    )
    user = User(
        org_id=org.id,
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=ROLE_FOR_KIND[org.kind],
        language=language,
        is_demo=is_demo,
        password_changed_at=clock.now(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, EventType.USER_CREATED, "user", user.id, username=username, org_id=org.id)
    return user


def _check_user_fields(
    session: Session, username: Any, display_name: Any, password: Any, language: Any, *, check_password: bool
) -> tuple[str, str]:
    """Validate a new login's fields (before anything is written); returns the cleaned names."""
    username = clean_text(username) if isinstance(username, str) else ""
    display_name = clean_text(display_name) if isinstance(display_name, str) else ""
    chk = Checker()
    if not _USERNAME.match(username):
        chk.fail("username", "validation.username")
    if not display_name:
        chk.fail("display_name", "validation.required")
    elif len(display_name) > 60:
        chk.fail("display_name", "validation.too_long", max_length=60)
    if not isinstance(password, str):
        chk.fail("password", "validation.password_short", min=MIN_PASSWORD)
    elif check_password:
        _check_password(chk, password, username)
    if language not in ("zh", "en"):
        chk.fail("language", "validation.invalid_choice")
    chk.raise_if_any()
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise ValidationFailed([_field("username", "validation.username_taken")])
    return username, display_name


def _field(name: str, key: str, **params: Any):  # type: ignore[no-untyped-def]
    from portal.domain.errors import FieldError

    return FieldError(name, key, params)


def register_vendor(
    data: dict[str, Any],
    *,
    username: str,
    password: str,
    display_name: str,
    language: str = "zh",
    session: Session,
) -> tuple[Organization, User]:
    """Self-registration of a market entity: the organization starts pending verification."""
    data = dict(data, kind=OrgKind.VENDOR)
    # Check the login's fields first: a refusal must not leave a flushed organization behind.
    _check_user_fields(session, username, display_name, password, language, check_password=True)
    org = create_organization(SYSTEM, data, session=session, verified=False)
    user = create_user(
        SYSTEM,
        org_id=org.id,
        username=username,
        password=password,
        display_name=display_name,
        language=language,
        session=session,
    )
    notify(
        session,
        authority_user_ids(session),
        "vendor_registered",
        object_type="organization",
        object_id=org.id,
        name=org.name,
    )
    return org, user


def lock_delay(failed: int) -> timedelta:
    """Lock time after ``failed`` consecutive failures: 1, 2, 4 … minutes, at most one hour."""
    if failed < MAX_FAILED:
        return timedelta(0)
    return min(LOCK_BASE * (2 ** (failed - MAX_FAILED)), LOCK_MAX)


def authenticate(username: str, password: str, *, session: Session) -> tuple[User, Actor]:
    """Check credentials; after 5 failures the account is locked for a growing time.

    Raises:
        AuthError: unknown user or wrong password (same message), locked account, or inactive account
            (said only after a correct password, so it reveals nothing to a guesser).
    """
    username = clean_text(username or "")
    user = session.exec(select(User).where(User.username == username)).first()
    now = clock.now()
    if user is None:
        verify_password(_dummy_hash(), password or "")  # same cost as a real check: no user enumeration
        raise AuthError("error.login_failed")
    if user.locked_until and user.locked_until > now:
        minutes = max(1, math.ceil((user.locked_until - now).total_seconds() / 60))
        raise AuthError("error.account_locked", minutes=minutes)
    org = session.get(Organization, user.org_id)
    if not verify_password(user.password_hash, password or ""):
        user.failed_logins += 1
        delay = lock_delay(user.failed_logins)
        actor = actor_for(user, org)
        audit.record(session, actor, EventType.USER_LOGIN_FAILED, "user", user.id, failed=user.failed_logins)
        if delay:
            user.locked_until = now + delay
            audit.record(
                session, actor, EventType.USER_LOCKED, "user", user.id, minutes=delay.total_seconds() / 60
            )
        session.add(user)
        session.commit()  # the failure count must persist although the login is refused
        if delay:
            raise AuthError("error.account_locked", minutes=int(delay.total_seconds() // 60))
        raise AuthError("error.login_failed")
    if not user.is_active:  # told only to whoever knows the password: no account enumeration
        raise AuthError("error.account_inactive")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.add(user)
    actor = actor_for(user, org)
    audit.record(session, actor, EventType.USER_LOGIN, "user", user.id)
    session.flush()
    return user, actor


@cache
def _dummy_hash() -> str:
    return _hasher().hash("dummy-password-for-timing")


def change_password(actor: Actor, old: str, new: str, *, session: Session) -> None:
    user = get_or_404(session, User, actor.user_id)
    if not verify_password(user.password_hash, old):
        raise AuthError("error.wrong_password")
    chk = Checker()
    _check_password(chk, new, user.username)
    chk.raise_if_any()
    user.password_hash = hash_password(new)
    user.password_changed_at = clock.now()
    user.is_demo = False
    session.add(user)
    audit.record(session, actor, EventType.USER_PASSWORD_CHANGED, "user", user.id)
    session.flush()


def set_language(actor: Actor, language: str, *, session: Session) -> None:
    """Remember a user's preferred UI language (not audited: a preference, not a state change)."""
    if actor.user_id is None or language not in ("zh", "en"):
        return
    user = get_or_404(session, User, actor.user_id)
    user.language = language
    session.add(user)
    session.flush()


def actor_from_user_id(user_id: int, *, session: Session) -> Actor | None:
    """Rebuild a fresh actor (role, verification) for a logged-in session on each page run."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return actor_for(user, session.get(Organization, user.org_id))


def active_demo_accounts(session: Session) -> list[str]:
    """Usernames that still use a published demo password (production mode refuses to start)."""
    rows = session.exec(select(User.username).where(User.is_demo == True, User.is_active == True))  # noqa: E712
    return list(rows)
