"""Command-line entry points. Each command parses, calls the library, prints a clean message.

Errors from the services (``PortalError``) are printed translated (``--lang``), exit status 2.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable

from sqlmodel import select

from portal.config import load_settings
from portal.db import get_engine, session_scope
from portal.domain.errors import PortalError
from portal.i18n import t


def cmd_init_db(args: argparse.Namespace) -> int:
    """Create or upgrade the database schema through the Alembic history (idempotent).

    Example: ``python -m portal migrate`` → ``database ready at revision 0001_initial: sqlite:///var/portal.db``
    """
    from portal.migrations_runner import current_revision, upgrade_to_head

    engine = get_engine()
    upgrade_to_head(engine)
    print(f"database ready at revision {current_revision(engine)}: {_safe_url(load_settings().database_url)}")
    return 0


def cmd_load_demo(args: argparse.Namespace) -> int:
    """Load the demo data set (idempotent): organizations, accounts, scenarios, offers, bids …"""
    from portal.demo import DEMO_PASSWORD, load_demo

    if load_settings().mode == "production":
        print(t("error.demo_in_production", args.lang), file=sys.stderr)
        return 2
    from portal.migrations_runner import upgrade_to_head

    upgrade_to_head(get_engine())
    with session_scope() as session:
        report = load_demo(session)
        session.commit()
    print(json.dumps({"created": report.created, "skipped": report.skipped}, ensure_ascii=False))
    if report.total:
        print(f"demo accounts use the password {DEMO_PASSWORD!r} (see README)")
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    """Create a login for an existing organization (looked up by exact name or id)."""
    from portal.models import Organization
    from portal.permissions import SYSTEM
    from portal.services.accounts import create_user

    password = args.password or os.environ.get("PORTAL_NEW_PASSWORD") or getpass.getpass("password: ")
    with session_scope() as session:
        q = select(Organization)
        q = (
            q.where(Organization.id == int(args.org))
            if args.org.isdigit()
            else q.where(Organization.name == args.org)
        )
        org = session.exec(q).first()
        if org is None:
            print(f"no organization named {args.org!r}", file=sys.stderr)
            return 2
        user = create_user(
            SYSTEM,
            org_id=org.id,
            username=args.username,
            password=password,
            display_name=args.display_name or args.username,
            language=args.language,
            session=session,
        )
        session.commit()
        print(f"created user {user.username!r} ({user.role}) in {org.name}")
    return 0


def cmd_create_org(args: argparse.Namespace) -> int:
    """Create an organization (department, vendor or authority)."""
    from portal.permissions import SYSTEM
    from portal.services.accounts import create_organization

    data = {"kind": args.kind, "name": args.name, "region": args.region, "sectors": args.sector or []}
    if args.uscc:
        data["uscc"] = args.uscc
    with session_scope() as session:
        org = create_organization(SYSTEM, data, session=session, verified=True)
        session.commit()
        print(f"created organization {org.id}: {org.name}")
    return 0


def cmd_deactivate_user(args: argparse.Namespace) -> int:
    """Deactivate an account and end all its login sessions (an open tab is logged out on its next run).

    Example: ``python -m portal deactivate-user zhang.wei --reason 离职`` →
    ``deactivated user 'zhang.wei' (2 session(s) ended)``
    """
    from portal.permissions import SYSTEM
    from portal.services.accounts import deactivate_user, find_user

    with session_scope() as session:
        user = find_user(SYSTEM, args.username, session=session)
        ended = deactivate_user(SYSTEM, user.id, args.reason or "", session=session)
        session.commit()
        print(f"deactivated user {user.username!r} ({ended} session(s) ended)")
    return 0


def cmd_reactivate_user(args: argparse.Namespace) -> int:
    """Let a deactivated account log in again (its lock is cleared).

    Example: ``python -m portal reactivate-user zhang.wei`` → ``reactivated user 'zhang.wei'``
    """
    from portal.permissions import SYSTEM
    from portal.services.accounts import find_user, reactivate_user

    with session_scope() as session:
        user = find_user(SYSTEM, args.username, session=session)
        reactivate_user(SYSTEM, user.id, session=session)
        session.commit()
        print(f"reactivated user {user.username!r}")
    return 0


def cmd_reset_password(args: argparse.Namespace) -> int:
    """Set a user's password (strength-checked) and end every session of that user.

    Example: ``PORTAL_NEW_PASSWORD=… python -m portal reset-password zhang.wei`` →
    ``password reset for 'zhang.wei' (1 session(s) ended)``
    """
    from portal.permissions import SYSTEM
    from portal.services.accounts import find_user, reset_password

    password = args.password or os.environ.get("PORTAL_NEW_PASSWORD") or getpass.getpass("new password: ")
    with session_scope() as session:
        user = find_user(SYSTEM, args.username, session=session)
        ended = reset_password(SYSTEM, user.id, password, session=session)
        session.commit()
        print(f"password reset for {user.username!r} ({ended} session(s) ended)")
    return 0


def cmd_close_due(args: argparse.Namespace) -> int:
    """Close every published scenario whose closing date has passed (run daily, e.g. from cron)."""
    from portal.permissions import SYSTEM
    from portal.services.scenarios import close_due_scenarios

    with session_scope() as session:
        closed = close_due_scenarios(SYSTEM, session=session)
        session.commit()
    print(f"closed {len(closed)} scenario(s)")
    return 0


def cmd_send_digests(args: argparse.Namespace) -> int:
    """Queue and send today's digests (safe at any frequency: a second run the same day sends nothing).

    Example: ``python -m portal send-digests`` →
    ``{"smtp": true, "digests": {"considered": 81, "sent": 12, "skipped": 69}, "delivery": {"sent": 12, …}}``
    """
    from portal.services import digests, outbox

    report = digests.send_digests(session_scope, rank=not args.no_rank)
    delivery = outbox.deliver_due(session_scope)
    print(json.dumps({"smtp": outbox.enabled(), "digests": report.as_dict(), "delivery": delivery.as_dict()}))
    return 0


def cmd_send_reminders(args: argparse.Namespace) -> int:
    """Deadline reminders (questions and closing in 3 days, closing in 1 day, unsubmitted drafts); never twice."""
    from portal.services import digests, outbox

    report = digests.send_reminders(session_scope)
    delivery = outbox.deliver_due(session_scope)
    print(
        json.dumps({"smtp": outbox.enabled(), "reminders": report.as_dict(), "delivery": delivery.as_dict()})
    )
    return 0


def cmd_send_mail(args: argparse.Namespace) -> int:
    """Deliver queued e-mails that are due (retries with backoff; failures stay in the outbox)."""
    from portal.services import outbox

    delivery = outbox.deliver_due(session_scope, limit=args.limit)
    print(json.dumps({"smtp": outbox.enabled(), "delivery": delivery.as_dict()}))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Refuse production start while demo passwords are active (exit 3).

    Example: ``PORTAL_MODE=production python -m portal check && streamlit run streamlit_app.py``
    """
    from portal.safety import unsafe_reasons

    with session_scope() as session:
        reasons = unsafe_reasons(session)
    if reasons:
        for reason in reasons:
            print(reason.message(args.lang), file=sys.stderr)
        return 3
    print("ok")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Write a consistent copy of the database (SQLite online backup; PostgreSQL ``pg_dump -Fc``).

    Example: ``python -m portal backup --output var/backups/nightly.db``
    """
    from pathlib import Path

    from portal.services.backup import backup_database, default_backup_path

    settings = load_settings()
    dest = Path(args.output) if args.output else default_backup_path(settings.var_dir, settings.database_url)
    report = backup_database(settings.database_url, dest)
    print(f"backup written: {report.path} ({report.size_bytes} bytes, {report.backend})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database content with a backup, then migrate it to the newest schema.

    Example: ``python -m portal restore var/backups/nightly.db --yes`` (stop the portal first)
    """
    from pathlib import Path

    from portal.services.backup import restore_database

    settings = load_settings()
    if not args.yes:
        print(f"restore replaces every row of {_safe_url(settings.database_url)}; add --yes", file=sys.stderr)
        return 2
    report = restore_database(settings.database_url, Path(args.file))
    print(f"restored {report.path} into {_safe_url(settings.database_url)}")
    return 0


def cmd_build_demo_embeddings(args: argparse.Namespace) -> int:
    """Embed the demo data with the configured model and ship the vectors as a seed file.

    Why: embedding the demo set takes minutes on 2 cores; with the seed file a fresh machine (and
    the test suite) starts with every demo vector already computed. The file is derived data: if
    the demo text or the model changes, missing vectors are simply computed at run time.
    """
    import tempfile

    from portal.config import load_settings as _settings
    from portal.demo import load_demo
    from portal.services import match_engine

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PORTAL_VAR_DIR"] = tmp
        os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{tmp}/demo.db"
        os.environ["PORTAL_EMBED_CACHE"] = f"{tmp}/cache.sqlite"
        settings = _settings()
        from portal.migrations_runner import upgrade_to_head

        upgrade_to_head(get_engine(settings))
        with session_scope(get_engine(settings)) as session:
            load_demo(session)
            session.commit()
        portal = match_engine._Portal(settings)
        portal.engine.encoder._seed_paths = []  # recompute everything
        portal.full_sync()
        target = match_engine.demo_seed_path(portal.engine.encoder.model_id)
        count = portal.engine.encoder.export(target)
        portal.close()
    print(f"wrote {count} vectors to {target}")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    """Embed what is missing for ``PORTAL_EMBEDDER`` (stored once in the database), then rebuild the index.

    Progress lines go to stderr; the summary is one JSON line. Serving processes keep answering and
    share the work through the embedding leases. Example: ``python -m portal reindex`` →
    ``{"model": "e5-small-q4-abtt…", "scenarios": 80, "offers": 150, "missing": 0, "embedded": 3, …}``
    """
    from portal.migrations_runner import upgrade_to_head
    from portal.services import match_engine

    upgrade_to_head(get_engine())
    result = match_engine.reindex(
        force=args.force, prune=args.prune, report=lambda line: print(line, file=sys.stderr, flush=True)
    )
    print(json.dumps(result, ensure_ascii=False))
    return 0 if not result["missing"] else 1


def _safe_url(url: str) -> str:
    if "@" in url:
        head, tail = url.split("@", 1)
        return head.split("://")[0] + "://***@" + tail
    return url


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str]] = {
    "init-db": (cmd_init_db, "create or upgrade the database schema"),
    "migrate": (cmd_init_db, "upgrade the database schema to the newest migration (same as init-db)"),
    "load-demo": (cmd_load_demo, "load the demo data set (idempotent)"),
    "create-user": (cmd_create_user, "create a user for an organization"),
    "create-org": (cmd_create_org, "create an organization"),
    "deactivate-user": (cmd_deactivate_user, "deactivate a user and end all their sessions"),
    "reactivate-user": (cmd_reactivate_user, "let a deactivated user log in again"),
    "reset-password": (cmd_reset_password, "set a user's password and end all their sessions"),
    "close-due": (cmd_close_due, "close scenarios whose closing date has passed"),
    "send-digests": (cmd_send_digests, "send today's e-mail digests of new matching scenarios"),
    "send-reminders": (cmd_send_reminders, "send deadline reminders (questions, closing, draft bids)"),
    "send-mail": (cmd_send_mail, "deliver queued e-mails that are due"),
    "check": (cmd_check, "check that the configuration is safe to serve"),
    "build-demo-embeddings": (
        cmd_build_demo_embeddings,
        "precompute the demo data's embeddings (derived file)",
    ),
    "reindex": (cmd_reindex, "embed missing vectors (stored in the database) and rebuild the index"),
    "backup": (cmd_backup, "write a consistent backup of the database"),
    "restore": (cmd_restore, "replace the database content with a backup"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m portal", description="场景通 Scenario Bridge administration"
    )
    parser.add_argument("--lang", default="zh", choices=["zh", "en"], help="language of error messages")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_fn, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        if name == "create-user":
            p.add_argument("--org", required=True, help="organization name or id")
            p.add_argument("--username", required=True)
            p.add_argument("--display-name")
            p.add_argument("--language", default="zh", choices=["zh", "en"])
            p.add_argument("--password", help="(default: $PORTAL_NEW_PASSWORD or prompt)")
        if name == "send-digests":
            p.add_argument("--no-rank", action="store_true", help="newest first, without the matching engine")
        if name == "send-mail":
            p.add_argument("--limit", type=int, default=500)
        if name in ("deactivate-user", "reactivate-user", "reset-password"):
            p.add_argument("username", help="the exact username")
        if name == "deactivate-user":
            p.add_argument("--reason", help="why (kept in the audit log)")
        if name == "reset-password":
            p.add_argument("--password", help="(default: $PORTAL_NEW_PASSWORD or prompt)")
        if name == "backup":
            p.add_argument("--output", help="backup file (default: var/backups/portal-<time>.db|.dump)")
        if name == "reindex":
            p.add_argument("--force", action="store_true", help="embed every record again")
            p.add_argument("--prune", action="store_true", help="delete the vectors of other models")
        if name == "restore":
            p.add_argument("file", help="a file written by the backup command")
            p.add_argument("--yes", action="store_true", help="confirm that the current content is replaced")
        if name == "create-org":
            p.add_argument("--kind", required=True, choices=["department", "vendor", "authority"])
            p.add_argument("--name", required=True)
            p.add_argument("--region", default="province")
            p.add_argument("--sector", action="append")
            p.add_argument("--uscc")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    fn = COMMANDS[args.command][0]
    try:
        return fn(args)
    except PortalError as err:
        print(err.message(args.lang), file=sys.stderr)
        return 2
