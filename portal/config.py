"""Settings read from the environment, once, into a typed object.

Why: the same code runs as a laptop demo (SQLite file, bundled model) and as a multi-process
deployment on PostgreSQL; everything that differs is an environment variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"


def _default_var_dir() -> Path:
    return Path(os.environ.get("PORTAL_VAR_DIR", ROOT / "var"))


@dataclass(frozen=True)
class Settings:
    """Runtime configuration.

    Attributes:
        database_url: SQLAlchemy URL (``PORTAL_DATABASE_URL``); default a SQLite file in ``var/``.
        embedder: matching encoder name (``PORTAL_EMBEDDER``); default the bundled multilingual model.
        var_dir: writable directory for the SQLite file, vector indexes and backups (``PORTAL_VAR_DIR``).
        mode: ``demo`` (demo accounts allowed) or ``production`` (``PORTAL_MODE``).
        session_timeout_minutes: inactivity limit for a logged-in UI session.
    """

    database_url: str
    embedder: str
    var_dir: Path
    mode: str = "demo"
    session_timeout_minutes: int = 30
    import_max_bytes: int = 5 * 1024 * 1024
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def index_dir(self) -> Path:
        return self.var_dir / "index"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings() -> Settings:
    """Read settings from the environment (called per use, so tests can change the environment)."""
    var_dir = _default_var_dir()
    url = os.environ.get("PORTAL_DATABASE_URL") or f"sqlite:///{var_dir / 'portal.db'}"
    return Settings(
        database_url=url,
        embedder=os.environ.get("PORTAL_EMBEDDER", "default"),
        var_dir=var_dir,
        mode=os.environ.get("PORTAL_MODE", "demo"),
        session_timeout_minutes=int(os.environ.get("PORTAL_SESSION_TIMEOUT_MINUTES", "30")),
    )
