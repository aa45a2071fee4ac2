"""The use-case runner: the one place that opens a session and commits.

Why: a use case (a page's button, a CLI command) is one transaction. Services flush and never
commit; the runner opens the session, calls the service, commits once and closes. A refusal
(``PortalError``) or any other exception rolls everything back, so nothing is half-written. Pages
and the CLI call ``run`` for a change and ``read`` for a read model; they never open sessions.

Example:
    >>> view = read(views.scenario_page, actor, 12)          # doctest: +SKIP
    >>> run(scenarios.submit_scenario, actor, 12)            # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from portal.db import session_scope

P = ParamSpec("P")
R = TypeVar("R")


def run(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Run the use case ``fn(*args, session=s, **kwargs)`` in its own transaction and commit once."""
    with session_scope() as session:
        result = fn(*args, session=session, **kwargs)
        session.commit()
        return result


def read(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Build a read model with ``fn(*args, session=s, **kwargs)``; nothing is committed.

    Read models are frozen values, so nothing from the closed session leaks into a page.
    """
    with session_scope() as session:
        return fn(*args, session=session, **kwargs)
