"""Who hears about what, and how: delivery choices per kind of notification, subscriptions, unsubscribe.

Why here: the digest and reminder jobs, ``door.notify`` and the settings page all ask the same
questions (which channel does this user want for this kind? what does this user follow?), so the
answers live in one module. A missing ``MailSettings`` row means the defaults below.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from portal import audit, clock
from portal.domain.errors import FieldError, NotFound, RuleViolation, ValidationFailed
from portal.models import Channel, MailSettings, Organization, PortalSecret, Role, Subscription, User
from portal.permissions import Action, Actor, require
from portal.services.door import add_once
from portal.taxonomy import is_region, is_sector

#: Every kind of notification a user can route, with its default channel. Time-critical kinds
#: (a decision on your bid, an invitation, a deadline) go out at once; news waits for the digest.
DEFAULT_CHANNELS: dict[str, Channel] = {
    "bid_status": Channel.IMMEDIATE,
    "invited": Channel.IMMEDIATE,
    "question_answered": Channel.IMMEDIATE,
    "question_asked": Channel.IMMEDIATE,
    "changes_requested": Channel.IMMEDIATE,
    "vendor_verified": Channel.IMMEDIATE,
    "vendor_rejected": Channel.IMMEDIATE,
    "reminder": Channel.IMMEDIATE,
    "scenario_published": Channel.DIGEST,
    "scenario_submitted": Channel.DIGEST,
    "scenario_closed": Channel.DIGEST,
    "scenario_cancelled": Channel.DIGEST,
    "recommended": Channel.DIGEST,
    "showcase_published": Channel.DIGEST,
    "vendor_registered": Channel.DIGEST,
    "new_scenarios": Channel.DIGEST,  # the daily list of new scenarios matching one's subscriptions
}
SUB_KINDS = ("sector", "region", "search")
MAX_SUBSCRIPTIONS = 50
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def route_kind(kind: str) -> str:
    """The routable kind of a notification kind (all reminders share one choice)."""
    return "reminder" if kind.startswith("reminder") else kind


@dataclass(frozen=True)
class SubscriptionItem:
    id: int
    kind: str
    value: str
    filters: dict[str, Any]


@dataclass(frozen=True)
class Prefs:
    """One user's delivery settings as the settings page shows them."""

    email: str
    channels: dict[str, str]  # every routable kind -> channel (defaults filled in)
    profile_sectors: bool
    profile_sector_codes: tuple[str, ...]  # what ``profile_sectors`` means for this user (vendors)
    paused: bool
    subscriptions: tuple[SubscriptionItem, ...]


def check_email(value: str) -> str:
    """A deliverable-looking address, trimmed; empty means "no e-mail" (raises ``ValidationFailed``)."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > 254 or not _EMAIL.match(value) or ".." in value:
        raise ValidationFailed([FieldError("email", "error.email_invalid", {})])
    return value


def _settings_row(session: Session, user_id: int) -> MailSettings | None:
    return session.get(MailSettings, user_id)


def _settings_for_update(session: Session, user_id: int) -> MailSettings:
    row = session.get(MailSettings, user_id)
    if row is None:
        row = MailSettings(user_id=user_id)
        session.add(row)
    return row


def channel_for(session: Session, user_id: int, kind: str) -> Channel:
    """How notifications of ``kind`` reach ``user_id`` now (paused users get no e-mail at all)."""
    kind = route_kind(kind)
    row = _settings_row(session, user_id)
    if row is not None and row.paused:
        return Channel.IN_APP
    chosen = (row.channels if row else {}).get(kind)
    if chosen in set(Channel):
        return Channel(chosen)
    return DEFAULT_CHANNELS.get(kind, Channel.IN_APP)


def _user(session: Session, actor: Actor) -> User:
    require(actor, Action.MAIL_SETTINGS)
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound(what="object.user")
    return user


def _profile_codes(session: Session, user: User) -> tuple[str, ...]:
    if user.role != Role.VENDOR:
        return ()
    org = session.get(Organization, user.org_id)
    return tuple(org.sectors) if org else ()


def get_prefs(actor: Actor, *, session: Session) -> Prefs:
    """The acting user's settings, defaults filled in."""
    user = _user(session, actor)
    row = _settings_row(session, user.id)  # type: ignore[arg-type]
    chosen = row.channels if row else {}
    channels = {k: str(chosen.get(k) or v) for k, v in DEFAULT_CHANNELS.items()}
    subs = session.exec(
        select(Subscription).where(Subscription.user_id == user.id).order_by(col(Subscription.id))
    ).all()
    return Prefs(
        email=user.email,
        channels=channels,
        profile_sectors=row.profile_sectors if row else True,
        profile_sector_codes=_profile_codes(session, user),
        paused=row.paused if row else False,
        subscriptions=tuple(SubscriptionItem(s.id, s.kind, s.value, dict(s.filters)) for s in subs if s.id),
    )


def save_prefs(
    actor: Actor,
    *,
    email: str,
    channels: dict[str, str],
    profile_sectors: bool,
    paused: bool = False,
    session: Session,
) -> Prefs:
    """Save the e-mail address and the channel per kind; every problem is reported at once."""
    user = _user(session, actor)
    errors: list[FieldError] = []
    try:
        email = check_email(email)
    except ValidationFailed as err:
        errors += err.errors
    for kind, value in channels.items():
        if kind not in DEFAULT_CHANNELS or value not in set(Channel):
            errors.append(FieldError(f"channel.{kind}", "error.channel_invalid", {}))
    if errors:
        raise ValidationFailed(errors)
    row = _settings_for_update(session, user.id)  # type: ignore[arg-type]
    before = {"email": user.email, "channels": dict(row.channels or {}), "paused": row.paused}
    user.email = email
    session.add(user)
    row.channels = {k: str(v) for k, v in channels.items() if str(v) != DEFAULT_CHANNELS[k]}
    row.profile_sectors = bool(profile_sectors)
    row.paused = bool(paused)
    row.updated_at = clock.now()
    session.add(row)
    audit.record(
        session,
        actor,
        audit.EventType.MAIL_SETTINGS_SAVED,
        "user",
        user.id,
        email_changed=before["email"] != email,
        channels=row.channels,
        profile_sectors=row.profile_sectors,
        paused=row.paused,
    )
    session.flush()
    return get_prefs(actor, session=session)


def _check_subscription(kind: str, value: str, filters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    value = (value or "").strip()
    if kind == "sector" and not is_sector(value):
        raise ValidationFailed([FieldError("sector", "error.subscription_invalid", {})])
    if kind == "region" and not is_region(value):
        raise ValidationFailed([FieldError("region", "error.subscription_invalid", {})])
    clean: dict[str, Any] = {}
    if kind == "search":
        if not value and not filters.get("sectors") and not filters.get("regions"):
            raise ValidationFailed([FieldError("query", "error.search_empty", {})])
        if len(value) > 200:
            raise ValidationFailed([FieldError("query", "error.too_long", {"max": 200})])
        sectors = [s for s in filters.get("sectors", []) if isinstance(s, str) and is_sector(s)]
        regions = [r for r in filters.get("regions", []) if isinstance(r, str) and is_region(r)]
        clean = {"sectors": sectors[:20], "regions": regions[:20]}
    elif kind not in SUB_KINDS:
        raise ValidationFailed([FieldError("kind", "error.subscription_invalid", {})])
    return value, clean


def check_room(count: int) -> None:
    """Refuse a new subscription when the user already has ``MAX_SUBSCRIPTIONS`` (pure: the page probes it)."""
    if count >= MAX_SUBSCRIPTIONS:
        raise RuleViolation("error.too_many_subscriptions", max=MAX_SUBSCRIPTIONS)


def set_profile_sectors(actor: Actor, follow: bool, *, session: Session) -> Prefs:
    """Follow (or stop following) the sectors of one's own organisation profile; audited.

    A vendor follows them from the start (no ``MailSettings`` row means ``profile_sectors=True``), so
    a newly verified vendor hears about new scenarios in its sectors without doing anything; this is
    the opt-out (and the way back). Other settings stay as they are.
    """
    user = _user(session, actor)
    row = _settings_for_update(session, user.id)  # type: ignore[arg-type]
    row.profile_sectors = bool(follow)
    row.updated_at = clock.now()
    session.add(row)
    audit.record(
        session,
        actor,
        audit.EventType.MAIL_SETTINGS_SAVED,
        "user",
        user.id,
        email_changed=False,
        channels=dict(row.channels or {}),
        profile_sectors=row.profile_sectors,
        paused=row.paused,
    )
    session.flush()
    return get_prefs(actor, session=session)


def subscribe(
    actor: Actor, kind: str, value: str, filters: dict[str, Any] | None = None, *, session: Session
) -> SubscriptionItem:
    """Follow a sector, a region or a saved search (a free-text query plus filters); idempotent."""
    user = _user(session, actor)
    value, clean = _check_subscription(kind, value, dict(filters or {}))
    existing = session.exec(select(Subscription).where(Subscription.user_id == user.id)).all()
    for s in existing:
        if s.kind == kind and s.value == value and dict(s.filters) == clean and s.id:
            return SubscriptionItem(s.id, s.kind, s.value, dict(s.filters))
    check_room(len(existing))
    row = Subscription(user_id=user.id, kind=kind, value=value, filters=clean)  # type: ignore[arg-type]
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        audit.EventType.SUBSCRIBED,
        "subscription",
        row.id,
        kind=kind,
        value=value,
        filters=clean,
    )
    return SubscriptionItem(row.id, kind, value, clean)  # type: ignore[arg-type]


def save_search(
    actor: Actor, query: str, filters: dict[str, Any] | None = None, *, session: Session
) -> SubscriptionItem:
    """The scenario list's "save this search": new matching scenarios arrive in the digest."""
    return subscribe(actor, "search", query, filters, session=session)


def check_save_search(actor: Actor, query: str, filters: dict[str, Any] | None = None) -> None:
    """What ``save_search`` checks before it writes (the list's read model probes it).

    Raises:
        PermissionDenied: an anonymous visitor.
        ValidationFailed: neither a query nor a sector/region filter, or a query over 200 characters.
    """
    require(actor, Action.MAIL_SETTINGS)
    _check_subscription("search", query, dict(filters or {}))


def has_saved_search(
    actor: Actor, query: str, filters: dict[str, Any] | None = None, *, session: Session
) -> bool:
    """Whether the acting user follows exactly this search already (after the same cleaning)."""
    require(actor, Action.MAIL_SETTINGS)
    value, clean = _check_subscription("search", query, dict(filters or {}))
    return any(
        s.kind == "search" and s.value == value and dict(s.filters) == clean
        for s in subscriptions_of(session, actor.user_id)  # type: ignore[arg-type]
    )


def remove_subscription(actor: Actor, subscription_id: int, *, session: Session) -> None:
    """Stop following one subscription of one's own (another user's id is "not found")."""
    user = _user(session, actor)
    row = session.get(Subscription, subscription_id) if isinstance(subscription_id, int) else None
    if row is None or row.user_id != user.id:
        raise NotFound(what="object.subscription")
    audit.record(
        session, actor, audit.EventType.UNSUBSCRIBED, "subscription", row.id, kind=row.kind, value=row.value
    )
    session.delete(row)
    session.flush()


def subscriptions_of(session: Session, user_id: int) -> list[Subscription]:
    """A user's explicit subscriptions (the digest job reads them)."""
    return list(session.exec(select(Subscription).where(Subscription.user_id == user_id)).all())


def follows_profile_sectors(session: Session, user_id: int) -> bool:
    row = _settings_row(session, user_id)
    return True if row is None else row.profile_sectors


# ---------------------------------------------------------------------------- signed tokens

_SECRET = "unsubscribe"


def _secret(session: Session) -> bytes:
    """The shared signing key, created by whichever process needs it first (the database holds it)."""
    row = session.get(PortalSecret, _SECRET)
    if row is None:
        add_once(session, PortalSecret(name=_SECRET, value=secrets.token_hex(32)))  # or theirs, if first
        row = session.get(PortalSecret, _SECRET)
    assert row is not None
    return bytes.fromhex(row.value)


def _sign(session: Session, user_id: int) -> str:
    mac = hmac.new(_secret(session), f"unsubscribe:{user_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode().rstrip("=")


def unsubscribe_token(session: Session, user_id: int) -> str:
    """``<user id>.<signature>``: what the unsubscribe link and ``List-Unsubscribe`` carry."""
    return f"{user_id}.{_sign(session, user_id)}"


def _token_user(session: Session, token: str) -> User:
    head, _, sig = (token or "").partition(".")
    if not head.isdigit() or len(head) > 12 or not sig:
        raise RuleViolation("error.unsubscribe_invalid")
    user_id = int(head)
    if not hmac.compare_digest(sig, _sign(session, user_id)):
        raise RuleViolation("error.unsubscribe_invalid")
    user = session.get(User, user_id)
    if user is None:
        raise RuleViolation("error.unsubscribe_invalid")
    return user


def apply_unsubscribe(token: str, *, session: Session, resume: bool = False) -> str:
    """One-click unsubscribe (no login: the signed token is the authorisation); returns the address.

    ``resume=True`` undoes it (the page offers that right away, in case the click was a mistake).
    """
    user = _token_user(session, token)
    row = _settings_for_update(session, user.id)  # type: ignore[arg-type]
    row.paused = not resume
    row.updated_at = clock.now()
    session.add(row)
    audit.record(
        session,
        Actor(user_id=user.id, org_id=user.org_id, role=user.role),
        audit.EventType.MAIL_RESUMED if resume else audit.EventType.MAIL_PAUSED,
        "user",
        user.id,
        via="link",
    )
    session.flush()
    return user.email


@dataclass(frozen=True)
class UnsubscribeTarget:
    """What an unsubscribe link stands for: whose mail (the address, partly hidden) and its state now."""

    email_hint: str
    paused: bool
    language: str  # the owner's UI language (the e-mail was written in it)


def _hint(email: str) -> str:
    name, _, domain = email.partition("@")
    if not domain:
        return ""
    return (name[:2] if len(name) > 2 else name[:1]) + "***@" + domain


def unsubscribe_target(token: str, *, session: Session) -> UnsubscribeTarget:
    """Check an unsubscribe token and say what it applies to (changes nothing).

    Raises:
        RuleViolation: ``error.unsubscribe_invalid`` for a missing, damaged or forged token.
    """
    user = _token_user(session, token)
    row = _settings_row(session, user.id)  # type: ignore[arg-type]
    return UnsubscribeTarget(
        email_hint=_hint(user.email), paused=bool(row and row.paused), language=user.language or "zh"
    )
