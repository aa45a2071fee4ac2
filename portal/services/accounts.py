"""Organizations, users, authentication, vendor registration and verification.

Why here: password hashing (argon2id), the login throttle and the vendor verification rule are
security rules, so they sit in the service layer where every entry point (UI, CLI, tests) meets them.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import unicodedata
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import zxcvbn
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_
from sqlmodel import Session, col, select

from portal import audit, clock
from portal.audit import EventType
from portal.domain import arguments
from portal.domain.errors import AuthError, FieldError, NotAuthenticated, RuleViolation, ValidationFailed
from portal.domain.lifecycle import VERIFICATION
from portal.domain.uscc import is_valid_uscc
from portal.domain.validation import Checker, clean, clean_text, parse
from portal.models import (
    LoginSession,
    LoginThrottle,
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
    transition,
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


#: Lowest zxcvbn score accepted (0–4; 3 = "safely unguessable", about 10^8 guesses or more).
MIN_SCORE = 3
#: zxcvbn refuses longer input (see ``password_problems``).
_ZXCVBN_MAX = 72
#: Longest password accepted (a pass-phrase fits; bounds the strength check's work).
MAX_PASSWORD = 256

# zxcvbn's feedback is English text; each sentence it can give maps to a catalogue key.
_ZXCVBN_WARNINGS = {
    "Straight rows of keys are easy to guess.": "validation.pw_keyboard_row",
    "Short keyboard patterns are easy to guess.": "validation.pw_keyboard_short",
    'Repeats like "aaa" are easy to guess.': "validation.pw_repeat_char",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': "validation.pw_repeat_word",
    'Sequences like "abc" or "6543" are easy to guess.': "validation.pw_sequence",
    "Recent years are easy to guess.": "validation.pw_recent_year",
    "Dates are often easy to guess.": "validation.pw_date",
    "This is a top-10 common password.": "validation.pw_common",
    "This is a top-100 common password.": "validation.pw_common",
    "This is a very common password.": "validation.pw_common",
    "This is similar to a commonly used password.": "validation.pw_similar_common",
    "A word by itself is easy to guess.": "validation.pw_single_word",
    "Names and surnames by themselves are easy to guess.": "validation.pw_name",
    "Common names and surnames are easy to guess.": "validation.pw_name",
}
_ZXCVBN_SUGGESTIONS = {
    "Add another word or two. Uncommon words are better.": "validation.pw_add_words",
    "Use a longer keyboard pattern with more turns.": "validation.pw_longer_pattern",
    "Avoid repeated words and characters.": "validation.pw_avoid_repeats",
    "Avoid sequences.": "validation.pw_avoid_sequences",
    "Avoid recent years.": "validation.pw_avoid_years",
    "Avoid years that are associated with you.": "validation.pw_avoid_years",
    "Avoid dates and years that are associated with you.": "validation.pw_avoid_years",
    "Capitalization doesn't help very much.": "validation.pw_capitals",
    "All-uppercase is almost as easy to guess as all-lowercase.": "validation.pw_capitals",
    "Reversed words aren't much harder to guess.": "validation.pw_reversed",
    "Predictable substitutions like '@' instead of 'a' don't help very much.": "validation.pw_substitutions",
    "Use a few words, avoid common phrases.": "validation.pw_add_words",
    "No need for symbols, digits, or uppercase letters.": "validation.pw_add_words",
}


def password_problems(password: str, username: str = "", *, hints: tuple[str, ...] = ()) -> list[FieldError]:
    """Every reason the password is refused, as ``password`` field errors (empty when acceptable).

    Strength is judged by zxcvbn (dictionary words, keyboard patterns, repeats, sequences, dates,
    the username and ``hints`` such as the display name): a score below ``MIN_SCORE`` is refused
    with the score and zxcvbn's own reasons, each translated (``validation.pw_*``; a sentence the
    catalogue does not know yet is left out, the score still says why).

    Example:
        >>> [e.key for e in password_problems("password12")]
        ['validation.password_weak', 'validation.pw_common', 'validation.pw_add_words']
    """
    problems: list[FieldError] = []
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        problems.append(FieldError("password", "validation.password_short", {"min": MIN_PASSWORD}))
        if not isinstance(password, str):
            return problems
    if username and username.lower() in password.lower():
        problems.append(FieldError("password", "validation.password_username", {}))
    if not password:
        return problems
    if len(password) > MAX_PASSWORD:
        problems.append(FieldError("password", "validation.password_long", {"max": MAX_PASSWORD}))
        return problems
    inputs = [x for x in (username, *hints) if isinstance(x, str) and x]
    # zxcvbn takes at most 72 characters: a longer password is judged by its strongest stretch.
    pieces = [password[i : i + _ZXCVBN_MAX] for i in range(0, len(password), _ZXCVBN_MAX)]
    pieces += [password[-_ZXCVBN_MAX:]] if len(password) > _ZXCVBN_MAX else []
    verdict = max((zxcvbn.zxcvbn(p, user_inputs=inputs) for p in pieces), key=lambda v: v["score"])
    if verdict["score"] < MIN_SCORE:
        problems.append(
            FieldError("password", "validation.password_weak", {"score": verdict["score"], "min": MIN_SCORE})
        )
        feedback = verdict.get("feedback") or {}
        keys = [_ZXCVBN_WARNINGS.get(feedback.get("warning") or "")]
        keys += [_ZXCVBN_SUGGESTIONS.get(text) for text in feedback.get("suggestions") or []]
        seen = {p.key for p in problems}
        for key in keys:
            if key and key not in seen:
                seen.add(key)
                problems.append(FieldError("password", key, {}))
    return problems


def _check_password(chk: Checker, password: str, username: str, hints: tuple[str, ...] = ()) -> None:
    chk.errors.extend(password_problems(password, username, hints=hints))


# ------------------------------------------------------------------------------- organizations


def _org_checker(data: dict[str, Any], kind: OrgKind) -> Checker:
    """Every problem of an organisation's fields at once (types and sizes first, then the rules)."""
    chk = Checker()
    try:
        parse(OrganizationBase, {k: v for k, v in data.items() if k in OrganizationBase.model_fields})
    except ValidationFailed as err:
        chk.errors.extend(err.errors)
    bad = {e.field for e in chk.errors}  # a field already refused for its type or size is not re-judged
    name = data.get("name") if isinstance(data.get("name"), str) else ""
    if "name" not in bad and len(name) < 2:
        chk.fail("name", "validation.too_short", min_length=2)
    if "name" not in bad and len(name) > 120:
        chk.fail("name", "validation.too_long", max_length=120)
    if "region" not in bad:
        chk.region("region", data.get("region") or "")
    if "sectors" not in bad:
        chk.sectors("sectors", data.get("sectors") or [], required=kind != OrgKind.AUTHORITY)
    if "service_regions" not in bad:
        chk.regions("service_regions", data.get("service_regions") or [], required=False)
    if "contact_email" not in bad:
        chk.email("contact_email", data.get("contact_email"))
    if "contact_phone" not in bad:
        chk.phone("contact_phone", data.get("contact_phone"))
    uscc = data.get("uscc")
    if (uscc is not None and not isinstance(uscc, str)) or (
        kind == OrgKind.VENDOR and not is_valid_uscc(uscc or "")
    ):
        chk.fail("uscc", "validation.uscc")
    return chk


def name_key(name: object) -> str:
    """A name as compared for uniqueness: NFKC (full-width → ASCII), case-folded, without whitespace.

    Example:
        >>> name_key("贵州省 大数据发展管理局") == name_key("贵州省大数据发展管理局")
        True
    """
    if not isinstance(name, str):
        return ""
    return "".join(unicodedata.normalize("NFKC", clean_text(name)).casefold().split())


def normalise_uscc(code: object) -> object:
    """A credit code as stored: NFKC (full-width letters and digits), upper case, no whitespace."""
    if not isinstance(code, str):
        return code
    return "".join(unicodedata.normalize("NFKC", code).upper().split()) or None


def _identity_problems(
    session: Session, name: object, name_en: object, uscc: object, own_id: int | None = None
) -> list[FieldError]:
    """Names and credit codes already used by another active organisation (a rejected vendor is not).

    A name is compared with every other active organisation's Chinese and English names, so no one
    can take the authority's, a department's or a verified vendor's name in either language.
    """
    rows = session.exec(
        select(Organization.id, Organization.name, Organization.name_en, Organization.uscc).where(
            Organization.verification != Verification.REJECTED
        )
    ).all()
    taken: set[str] = set()
    codes: set[str] = set()
    for oid, other_name, other_en, other_uscc in rows:
        if oid == own_id:
            continue
        taken |= {name_key(other_name), name_key(other_en)} - {""}
        if other_uscc:
            codes.add(str(other_uscc).upper())
    problems = []
    for field, value in (("name", name), ("name_en", name_en)):
        if name_key(value) and name_key(value) in taken:
            problems.append(FieldError(field, "validation.name_taken", {}))
    if isinstance(uscc, str) and uscc and uscc.upper() in codes:
        problems.append(FieldError("uscc", "validation.uscc_taken", {}))
    return problems


def _org_input(data: dict[str, Any]) -> tuple[OrgKind, dict[str, Any]]:
    data = clean(data)
    kind = OrgKind(data.pop("kind"))
    if "uscc" in data:
        data["uscc"] = normalise_uscc(data["uscc"])
    return kind, data


def create_organization(
    actor: Actor, data: dict[str, Any], *, session: Session, verified: bool | None = None
) -> Organization:
    """Create an organization (authority or system only; vendors self-register via ``register_vendor``).

    Raises:
        ValidationFailed: every problem at once, each at its field, including a name or credit code
            that another active organisation already uses.
    """
    if not actor.system:
        require(actor, Action.USER_MANAGE)
    kind, data = _org_input(data)
    chk = _org_checker(data, kind)
    chk.errors.extend(_identity_problems(session, data.get("name"), data.get("name_en"), data.get("uscc")))
    chk.raise_if_any()
    return _add_organization(session, actor, kind, data, verified=verified)


def _add_organization(
    session: Session, actor: Actor, kind: OrgKind, data: dict[str, Any], *, verified: bool | None
) -> Organization:
    state = Verification.VERIFIED if (verified or kind != OrgKind.VENDOR) else Verification.PENDING
    org = Organization(kind=kind, verification=state, **data)
    session.add(org)
    session.flush()
    audit.record(session, actor, EventType.ORG_CREATED, "organization", org.id, kind=kind, name=org.name)
    return org


#: Fields that say who an organisation is: changing one sends a verified vendor back to review.
IDENTITY_FIELDS = frozenset({"name", "name_en", "uscc"})


def update_organization(
    actor: Actor, org_id: int, changes: dict[str, Any], *, expected_version: int | None, session: Session
) -> Organization:
    """Edit one's own organization profile (name, sectors, regions, contact, description).

    A verified vendor that changes its name or English name goes back to review (``pending``,
    through the door, audited; the vendor and the authority are told), so a badge never outlives
    the identity it was given to. A rejected vendor that corrects its profile is reviewed again too.

    Raises:
        ValidationFailed: every problem at once (a name another active organisation uses included).
    """
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
    chk = _org_checker(merged, org.kind)
    chk.errors.extend(_identity_problems(session, merged.get("name"), merged.get("name_en"), None, org.id))
    chk.raise_if_any()
    merged.pop("uscc")
    diff = apply_changes(org, merged)
    if diff:
        session.add(org)
        session.flush()
        audit.record(session, actor, EventType.ORG_UPDATED, "organization", org.id, fields=sorted(diff))
        _review_again(session, actor, org, set(diff))
        if org.kind == OrgKind.VENDOR:
            log_change(session, "vendor", org.id)
    return org


def _review_again(session: Session, actor: Actor, org: Organization, changed: set[str]) -> None:
    """A renamed verified vendor (or a corrected rejected one) goes back to the authority's review."""
    if org.kind != OrgKind.VENDOR:
        return
    renamed = org.verification == Verification.VERIFIED and changed & IDENTITY_FIELDS
    corrected = org.verification == Verification.REJECTED
    if not (renamed or corrected):
        return
    fields = sorted(changed & IDENTITY_FIELDS) if renamed else sorted(changed)
    transition(session, org, Verification.PENDING, actor=actor, fields=fields)
    notify_org(
        session, org.id, "vendor_review_again", object_type="organization", object_id=org.id, name=org.name
    )
    notify(
        session,
        authority_user_ids(session),
        "vendor_to_review",
        object_type="organization",
        object_id=org.id,
        name=org.name,
    )


def check_verify(actor: Actor, org: Organization, approve: bool) -> None:
    """May ``actor`` verify (``approve``) or reject ``org`` now? Raises when not.

    The vendors page draws its approve and reject buttons exactly when this passes.
    """
    require(actor, Action.VENDOR_VERIFY, org)
    if org.kind != OrgKind.VENDOR:
        raise RuleViolation("error.not_a_vendor")
    to = Verification.VERIFIED if approve else Verification.REJECTED
    if not VERIFICATION.has(org.verification, to):
        VERIFICATION.rule(org.verification, to)  # raises InvalidTransition naming both states


def verify_vendor(
    actor: Actor, org_id: int, approve: bool, reason: str = "", *, session: Session
) -> Organization:
    """Authority verifies (or rejects, with a reason) a vendor's registration, or revokes a verification.

    The change goes through the door (verification state machine, status history, audit row); the
    vendor is told either way. Approving checks again that no other active organisation uses the
    vendor's name or credit code (a rejected vendor's name may have been taken since).
    """
    require(actor, Action.VENDOR_VERIFY)
    org = get_or_404(session, Organization, org_id, "vendor")
    check_verify(actor, org, approve)
    reason = clean_text(reason or "") if isinstance(reason, str) else ""
    if approve:
        problems = _identity_problems(session, org.name, org.name_en, org.uscc, org.id)
        if problems:
            raise ValidationFailed(problems)
    to = Verification.VERIFIED if approve else Verification.REJECTED
    transition(session, org, to, actor=actor, reason=reason)
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
    return list_vendors(actor, Verification.PENDING, session=session)


def list_vendors(
    actor: Actor, verification: Verification | str | None = None, *, session: Session
) -> list[Organization]:
    """Vendors in one verification state (all when None), oldest registration first (authority only)."""
    require(actor, Action.VENDOR_VERIFY)
    q = select(Organization).where(Organization.kind == OrgKind.VENDOR)
    if verification:
        q = q.where(Organization.verification == Verification(verification))
    return list(session.exec(q.order_by(col(Organization.created_at), col(Organization.id))).all())


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
    chk = Checker()
    username, display_name = _user_field_problems(
        chk, session, username, display_name, password, language, check_password=check_password
    )
    chk.raise_if_any()
    return username, display_name


def _user_field_problems(
    chk: Checker,
    session: Session,
    username: Any,
    display_name: Any,
    password: Any,
    language: Any,
    *,
    check_password: bool,
) -> tuple[str, str]:
    """Add every problem of a new login's fields to ``chk`` (a taken username included)."""
    username = clean_text(username) if isinstance(username, str) else ""
    display_name = clean_text(display_name) if isinstance(display_name, str) else ""
    if not _USERNAME.match(username):
        chk.fail("username", "validation.username")
    elif session.exec(select(User.id).where(User.username == username)).first() is not None:
        chk.fail("username", "validation.username_taken")
    if not display_name:
        chk.fail("display_name", "validation.required")
    elif len(display_name) > 60:
        chk.fail("display_name", "validation.too_long", max_length=60)
    if not isinstance(password, str):
        chk.fail("password", "validation.password_short", min=MIN_PASSWORD)
    elif check_password:
        _check_password(chk, password, username, (display_name,))
    if language not in ("zh", "en"):
        chk.fail("language", "validation.invalid_choice")
    return username, display_name


def register_vendor(
    data: dict[str, Any],
    *,
    username: str,
    password: str,
    display_name: str,
    language: str = "zh",
    password_repeat: str | None = None,
    session: Session,
) -> tuple[Organization, User]:
    """Self-registration of a market entity: the organization starts pending verification.

    Raises:
        ValidationFailed: every problem of the form at once, each at its field (organisation fields,
            a name or credit code already in use, the login's fields, the password's strength and,
            when ``password_repeat`` is given, a repeat that differs). Nothing is written.
    """
    kind, org_data = _org_input(dict(data, kind=OrgKind.VENDOR))
    chk = _org_checker(org_data, kind)
    chk.errors.extend(
        _identity_problems(session, org_data.get("name"), org_data.get("name_en"), org_data.get("uscc"))
    )
    _user_field_problems(chk, session, username, display_name, password, language, check_password=True)
    if password_repeat is not None and password_repeat != password:
        chk.fail("password_repeat", "validation.password_repeat")
    chk.raise_if_any()
    org = _add_organization(session, SYSTEM, kind, org_data, verified=False)
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


def _locked_error(locked_until: datetime | None, now: datetime) -> AuthError | None:
    if locked_until is None or locked_until <= now:
        return None
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return AuthError("error.account_locked", minutes=minutes)


def _count_failure(
    session: Session, holder: User | LoginThrottle, actor: Actor, event: str, object_id: int | None
) -> AuthError | None:
    """One more failure for a user (or an unknown username): audit it, lock after ``MAX_FAILED``.

    Returns the lock refusal when this failure locks, else None. The caller commits (the count must
    persist although the attempt is refused).
    """
    now = clock.now()
    if isinstance(holder, User):
        holder.failed_logins += 1
        failed = holder.failed_logins
    else:
        holder.failed += 1
        holder.updated_at = now
        failed = holder.failed
    delay = lock_delay(failed)
    audit.record(session, actor, event, "user", object_id, failed=failed)
    if delay:
        holder.locked_until = now + delay
        audit.record(
            session, actor, EventType.USER_LOCKED, "user", object_id, minutes=delay.total_seconds() / 60
        )
    session.add(holder)
    if delay:
        return AuthError("error.account_locked", minutes=int(delay.total_seconds() // 60))
    return None


def _throttle(session: Session, username: str) -> LoginThrottle:
    """The failure counter of a username that names no account (created on first use)."""
    key = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()
    row = session.exec(select(LoginThrottle).where(LoginThrottle.key_hash == key)).first()
    return row if row is not None else LoginThrottle(key_hash=key)


def authenticate(username: str, password: str, *, session: Session) -> tuple[User, Actor]:
    """Check credentials; after 5 failures the account is locked for a growing time.

    Unknown usernames are counted and locked exactly like real ones (``LoginThrottle``), with the
    same messages and the same argon2 work, so no answer tells which usernames exist.

    Raises:
        AuthError: unknown user or wrong password (same message), locked account or username (same
            message), or inactive account (said only after a correct password, so it reveals
            nothing to a guesser).
    """
    username = clean_text(username) if isinstance(username, str) else ""
    password = password if isinstance(password, str) else ""
    user = session.exec(select(User).where(User.username == username)).first() if username else None
    now = clock.now()
    holder: User | LoginThrottle = user if user is not None else _throttle(session, username)
    locked = _locked_error(holder.locked_until, now)
    if locked is not None:
        raise locked
    if user is None:
        verify_password(_dummy_hash(), password)  # same cost as a real check: no user enumeration
        lock = _count_failure(session, holder, SYSTEM, EventType.USER_LOGIN_FAILED, None)
        session.commit()  # the failure count must persist although the login is refused
        raise lock or AuthError("error.login_failed")
    org = session.get(Organization, user.org_id)
    if not verify_password(user.password_hash, password):
        lock = _count_failure(session, user, actor_for(user, org), EventType.USER_LOGIN_FAILED, user.id)
        session.commit()  # the failure count must persist although the login is refused
        raise lock or AuthError("error.login_failed")
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


def end_sessions(session: Session, user_id: int, *, keep_token: str | None = None) -> int:
    """Revoke every open login session of ``user_id`` except the one of ``keep_token``; returns how many.

    An open tab of that user is logged out at its next server check (``ui.state``: at most a minute)
    and a reload no longer resumes from the cookie.
    """
    keep = hashlib.sha256(keep_token.encode("utf-8")).hexdigest() if isinstance(keep_token, str) else None
    now = clock.now()
    rows = session.exec(
        select(LoginSession).where(LoginSession.user_id == user_id, col(LoginSession.revoked_at).is_(None))
    ).all()
    ended = 0
    for row in rows:
        if row.token_hash == keep:
            continue
        row.revoked_at = now
        session.add(row)
        ended += 1
    session.flush()
    return ended


def change_password(
    actor: Actor,
    old: str,
    new: str,
    *,
    repeat: str | None = None,
    keep_token: str | None = None,
    session: Session,
) -> int:
    """Change one's own password; every other login session of the user ends.

    The current password is checked like a login: a wrong one counts toward the same lockout
    (``user.password_change_failed`` audit event), and a locked account is refused until the lock
    ends, so this form is no password oracle.

    Args:
        repeat: the new password typed again (the form's check; None skips it).
        keep_token: the raw token of the login session making the change (it stays open).

    Returns:
        How many other sessions were ended.
    """
    if actor.user_id is None:
        raise NotAuthenticated()
    user = get_or_404(session, User, actor.user_id)
    locked = _locked_error(user.locked_until, clock.now())
    if locked is not None:
        raise locked
    if not isinstance(old, str) or not verify_password(user.password_hash, old):
        lock = _count_failure(session, user, actor, EventType.USER_PASSWORD_CHANGE_FAILED, user.id)
        session.commit()  # the failure count must persist although the change is refused
        raise lock or AuthError("error.wrong_password")
    chk = Checker()
    _check_password(chk, new, user.username, (user.display_name,))
    if repeat is not None and repeat != new:
        chk.fail("password_repeat", "validation.password_repeat")
    chk.raise_if_any()
    user.password_hash = hash_password(new)
    user.password_changed_at = clock.now()
    user.is_demo = False
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    ended = end_sessions(session, user.id, keep_token=keep_token)
    audit.record(session, actor, EventType.USER_PASSWORD_CHANGED, "user", user.id, sessions_ended=ended)
    session.flush()
    return ended


def reset_password(actor: Actor, user_id: int, new: str, *, session: Session) -> int:
    """Set another user's password (the authority, or the CLI); every session of that user ends.

    Also clears the lock, so a user locked out by guessers can log in with the new password.

    Returns:
        How many sessions were ended.
    """
    if not actor.system:
        require(actor, Action.USER_MANAGE)
    user = get_or_404(session, User, user_id)
    chk = Checker()
    _check_password(chk, new, user.username, (user.display_name,))
    chk.raise_if_any()
    user.password_hash = hash_password(new)
    user.password_changed_at = clock.now()
    user.is_demo = False
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    ended = end_sessions(session, user.id)
    audit.record(session, actor, EventType.USER_PASSWORD_RESET, "user", user.id, sessions_ended=ended)
    notify(session, [user.id], "password_reset", object_type="user", object_id=user.id)
    session.flush()
    return ended


# ------------------------------------------------------------------------ deactivating accounts


def check_deactivate(actor: Actor, user: User) -> None:
    """May ``actor`` deactivate ``user`` now (the authority, an active account, not its own)?"""
    if not actor.system:
        require(actor, Action.USER_MANAGE, user)
    if actor.user_id is not None and actor.user_id == user.id:
        raise RuleViolation("error.deactivate_self")
    if not user.is_active:
        raise RuleViolation("error.user_inactive_already")


def check_reactivate(actor: Actor, user: User) -> None:
    """May ``actor`` reactivate ``user`` now (the authority, a deactivated account)?"""
    if not actor.system:
        require(actor, Action.USER_MANAGE, user)
    if user.is_active:
        raise RuleViolation("error.user_active_already")


def deactivate_user(actor: Actor, user_id: int, reason: str = "", *, session: Session) -> int:
    """Deactivate an account and end all its login sessions.

    The user can no longer log in (told so only after a correct password), an open tab of theirs
    is logged out on its next run, and notifications stop. Audited with the reason.

    Returns:
        How many login sessions were ended.
    """
    user = get_or_404(session, User, user_id)
    check_deactivate(actor, user)
    reason = clean_text(reason) if isinstance(reason, str) else ""
    if len(reason) > 2000:
        raise RuleViolation("error.reason_too_long", limit=2000)
    user.is_active = False
    session.add(user)
    ended = end_sessions(session, user.id)
    audit.record(
        session, actor, EventType.USER_DEACTIVATED, "user", user.id, reason=reason, sessions_ended=ended
    )
    session.flush()
    return ended


def reactivate_user(actor: Actor, user_id: int, *, session: Session) -> User:
    """Let a deactivated account log in again (its failure count and lock are cleared)."""
    user = get_or_404(session, User, user_id)
    check_reactivate(actor, user)
    user.is_active = True
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    audit.record(session, actor, EventType.USER_REACTIVATED, "user", user.id)
    session.flush()
    return user


def find_user(actor: Actor, username: str, *, session: Session) -> User:
    """A user by exact username (authority or system; the CLI names users this way)."""
    if not actor.system:
        require(actor, Action.USER_MANAGE)
    name = clean_text(username) if isinstance(username, str) else ""
    user = session.exec(select(User).where(User.username == name)).first() if name else None
    if user is None:
        raise RuleViolation("error.no_such_user", username=name)
    return user


def list_users(
    actor: Actor, *, session: Session, search: str = "", active: bool | None = None, limit: int = 200
) -> list[tuple[User, Organization]]:
    """Users with their organisations (authority only), by organisation then username.

    Args:
        search: part of a username, display name or organisation name (case-insensitive; ``%`` and
            ``_`` are plain characters).
        active: only active (True) or only deactivated (False) accounts; None for both.
    """
    require(actor, Action.USER_MANAGE)
    q = select(User, Organization).join(Organization, col(Organization.id) == col(User.org_id))
    text = clean_text(search) if isinstance(search, str) else ""
    if text:
        q = q.where(
            or_(
                col(User.username).icontains(text, autoescape=True),
                col(User.display_name).icontains(text, autoescape=True),
                col(Organization.name).icontains(text, autoescape=True),
            )
        )
    if active is not None:
        q = q.where(User.is_active == active)
    q = q.order_by(col(Organization.kind), col(Organization.name), col(User.username)).limit(max(1, limit))
    return [(u, o) for u, o in session.exec(q).all()]


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
