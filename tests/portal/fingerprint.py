"""``db_fingerprint``: row count and checksum of every table, to prove that a refusal wrote nothing.

Why: asserting "PermissionDenied was raised" is not enough; a service could have added or changed
rows before refusing. Comparing the fingerprint before and after (read through the same session, so
pending and flushed changes count) catches any write, including audit rows and notifications.
"""

from __future__ import annotations

import hashlib

from sqlmodel import Session, SQLModel, select


def db_fingerprint(session: Session) -> dict[str, tuple[int, str]]:
    """Return ``{table: (row count, sha256 of every row in primary-key order)}`` as the session sees it."""
    session.flush()
    result: dict[str, tuple[int, str]] = {}
    for table in SQLModel.metadata.sorted_tables:
        rows = session.connection().execute(select(table).order_by(*table.primary_key.columns)).all()
        digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
        result[table.name] = (len(rows), digest)
    return result


def changed_tables(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    """Names of the tables whose fingerprint differs (empty when nothing was written)."""
    return sorted(name for name in before if before[name] != after.get(name))
