"""Read models of the "reach" screens: one's notification settings (``subscriptions``), the one-click
unsubscribe page (``unsubscribe``, no login) and the authority's outbox (``outbox``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from portal.models import Channel, OutboxState
from portal.permissions import Actor
from portal.services import outbox, subscriptions
from portal.views.base import HasActions, actions, allows


class Do(enum.StrEnum):
    SAVE = "save"  # subscriptions: the e-mail address and channel per kind
    SUBSCRIBE = "subscribe"  # subscriptions: add a sector / region / saved search
    REMOVE = "remove"  # a subscription: remove it
    FOLLOW_PROFILE = "follow_profile"  # vendor: follow the profile's sectors again
    UNFOLLOW_PROFILE = "unfollow_profile"  # vendor: stop following the profile's sectors
    UNSUBSCRIBE = "unsubscribe"  # unsubscribe link: stop all e-mail
    RESUBSCRIBE = "resubscribe"  # unsubscribe link: turn e-mail back on
    REQUEUE = "requeue"  # outbox message: failed -> queued


# ------------------------------------------------------------------------------- subscriptions


@dataclass(frozen=True)
class SubscriptionCard(HasActions):
    id: int
    kind: str  # sector | region | search
    value: str  # the code, or the free-text query
    sectors: tuple[str, ...]  # a saved search's filters
    regions: tuple[str, ...]


@dataclass(frozen=True)
class SubscriptionsPage(HasActions):
    """``values``: the delivery form's starting values (``email``, ``paused``, ``channels`` by kind)."""

    values: dict[str, Any]
    kinds: tuple[str, ...]  # every routable notification kind, in a stable order
    channels: tuple[str, ...]  # the choices of each kind
    profile_sectors: bool  # a vendor follows its profile's sectors (the default)
    profile_sector_codes: tuple[str, ...]
    subscriptions: tuple[SubscriptionCard, ...]
    mail_enabled: bool  # this portal sends e-mail at all (``PORTAL_SMTP_URL``); else inbox only


def _mail_enabled() -> bool:
    try:
        return outbox.enabled()
    except ValueError:  # a malformed PORTAL_SMTP_URL: nothing is sent either
        return False


def subscriptions_page(actor: Actor, *, session: Session) -> SubscriptionsPage:
    """The acting user's delivery settings and subscriptions (any logged-in user)."""
    prefs = subscriptions.get_prefs(actor, session=session)
    cards = tuple(
        SubscriptionCard(
            actions=actions(**{Do.REMOVE: True}),  # one's own, listed by get_prefs: always removable
            id=s.id,
            kind=s.kind,
            value=s.value,
            sectors=tuple(s.filters.get("sectors", [])),
            regions=tuple(s.filters.get("regions", [])),
        )
        for s in prefs.subscriptions
    )
    has_codes = bool(prefs.profile_sector_codes)
    return SubscriptionsPage(
        actions=actions(
            **{
                Do.SAVE: True,
                Do.SUBSCRIBE: allows(subscriptions.check_room, len(cards)),
                Do.FOLLOW_PROFILE: has_codes and not prefs.profile_sectors,
                Do.UNFOLLOW_PROFILE: has_codes and prefs.profile_sectors,
            }
        ),
        values={"email": prefs.email, "paused": prefs.paused, "channels": dict(prefs.channels)},
        kinds=tuple(subscriptions.DEFAULT_CHANNELS),
        channels=tuple(str(c) for c in Channel),
        profile_sectors=prefs.profile_sectors,
        profile_sector_codes=prefs.profile_sector_codes,
        subscriptions=cards,
        mail_enabled=_mail_enabled(),
    )


# --------------------------------------------------------------------------------- unsubscribe


@dataclass(frozen=True)
class UnsubscribePage(HasActions):
    email_hint: str  # the address the link stands for, partly hidden (the visitor may not be its owner)
    paused: bool  # all e-mail stopped now
    language: str  # the link owner's language: a visitor who chose none reads the page in it


def unsubscribe_page(token: str, *, session: Session) -> UnsubscribePage:
    """What a signed unsubscribe token applies to (no login: the token is the authorisation).

    Raises:
        RuleViolation: a missing, damaged or forged token (the page shows it and stops).
    """
    target = subscriptions.unsubscribe_target(token, session=session)
    return UnsubscribePage(
        actions=actions(**{Do.UNSUBSCRIBE: not target.paused, Do.RESUBSCRIBE: target.paused}),
        email_hint=target.email_hint,
        paused=target.paused,
        language=target.language,
    )


# -------------------------------------------------------------------------------------- outbox


@dataclass(frozen=True)
class OutboxCard(HasActions):
    id: int
    to_addr: str
    subject: str
    state: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime


@dataclass(frozen=True)
class OutboxPage(HasActions):
    counts: dict[str, int]  # every state -> number of messages
    messages: tuple[OutboxCard, ...]  # failed first, then queued; newest first within each
    mail_enabled: bool


def outbox_page(actor: Actor, *, session: Session, limit: int = 200) -> OutboxPage:
    """The authority's outbox: counts per state and the messages still to deliver or given up on."""
    counts = outbox.outbox_counts(actor, session=session)
    rows = [
        r
        for state in (OutboxState.FAILED, OutboxState.QUEUED)
        for r in outbox.list_outbox(actor, session=session, state=str(state), limit=limit)
    ]
    return OutboxPage(
        actions=frozenset(),
        counts=counts,
        messages=tuple(
            OutboxCard(
                actions=actions(**{Do.REQUEUE: allows(outbox.check_requeue, actor, r.state)}),
                id=r.id,
                to_addr=r.to_addr,
                subject=r.subject,
                state=r.state,
                attempts=r.attempts,
                last_error=r.last_error,
                created_at=r.created_at,
                next_attempt_at=r.next_attempt_at,
            )
            for r in rows
        ),
        mail_enabled=_mail_enabled(),
    )
