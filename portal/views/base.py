"""Shared parts of the read models: the ``allows`` probe and the actions mix-in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from portal.domain.errors import PortalError


def allows(check: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Whether a service's own check passes now (the check raises ``PortalError`` when refused).

    Checks are pure (they read, never write), so probing them for the screen changes nothing.
    """
    try:
        check(*args, **kwargs)
    except PortalError:
        return False
    return True


def refusal(check: Callable[..., Any], *args: Any, **kwargs: Any) -> PortalError | None:
    """Like ``allows``, but keeps the refusal (its translated message tells the user why not)."""
    try:
        check(*args, **kwargs)
    except PortalError as err:
        return err
    return None


@dataclass(frozen=True)
class HasActions:
    """A view whose ``actions`` name what the actor may do now (the buttons the page draws)."""

    actions: frozenset[str]

    def can(self, action: str) -> bool:
        return str(action) in self.actions


@dataclass(frozen=True)
class HistoryItem:
    """One status change as the actor may see it."""

    at: datetime
    status: str
    reason: str


def actions(**flags: bool) -> frozenset[str]:
    """``actions(ask=True, bid=False)`` → ``frozenset({"ask"})``."""
    return frozenset(name for name, on in flags.items() if on)
