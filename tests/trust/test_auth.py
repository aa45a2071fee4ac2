"""Authentication proofs: argon2id hashes, lockout with a growing delay, password rules, no user
enumeration, production mode refusing demo accounts, and no secret committed to the repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from portal import clock
from portal.domain.errors import AuthError, ValidationFailed
from portal.models import AuditEvent, User
from portal.permissions import SYSTEM
from portal.safety import UnsafeToServe, assert_safe_to_serve
from portal.services import accounts
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _login(session, username: str, password: str):
    return accounts.authenticate(username, password, session=session)


def _refusal(session, username: str, password: str) -> AuthError:
    with pytest.raises(AuthError) as info:
        _login(session, username, password)
    session.rollback()
    return info.value


# ------------------------------------------------------------------------------------ hashing


def test_stored_hash_is_argon2id_and_never_the_password(session, world):
    user = session.get(User, world.vendor_x.user.id)
    assert user.password_hash.startswith("$argon2id$v=19$")
    assert PASSWORD not in user.password_hash
    assert accounts.verify_password(user.password_hash, PASSWORD)
    assert not accounts.verify_password(user.password_hash, PASSWORD + "x")
    assert not accounts.verify_password("not-a-hash", PASSWORD)


def test_production_hash_uses_strong_argon2id_parameters():
    """The test-only fast hash is ignored in production mode: memory ≥ 64 MiB, ≥ 3 passes."""
    code = "from portal.services.accounts import hash_password; print(hash_password('x-secret-42'))"
    env = dict(os.environ, PORTAL_MODE="production", PORTAL_TEST_FAST_HASH="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    params = dict(kv.split("=") for kv in out.stdout.strip().split("$")[3].split(","))
    assert out.stdout.startswith("$argon2id$")
    assert int(params["m"]) >= 65536 and int(params["t"]) >= 3


# ------------------------------------------------------------------------------------ lockout


def test_five_failures_lock_the_account_with_a_growing_delay(session, world):
    name = world.vendor_x.user.username
    start = clock.now()
    with clock.frozen(start) as box:
        for attempt in range(1, 5):
            err = _refusal(session, name, f"wrong-{attempt}")
            assert err.key == "error.login_failed"
        err = _refusal(session, name, "wrong-5")
        assert err.key == "error.account_locked" and err.params == {"minutes": 1}
        assert "1" in err.message("zh") and "minute" in err.message("en")
        # Locked: even the right password is refused, and the refusal does not extend the lock.
        err = _refusal(session, name, PASSWORD)
        assert err.key == "error.account_locked" and err.params == {"minutes": 1}
        # The lock ends after its delay; every further failure doubles it (1, 2, 4, … ≤ 60 minutes).
        expected = [2, 4, 8, 16, 32, 60, 60]
        for minutes in expected:
            box[0] += timedelta(hours=1, seconds=1)
            err = _refusal(session, name, "still-wrong-1")
            assert err.key == "error.account_locked" and err.params == {"minutes": minutes}
            box[0] += timedelta(minutes=minutes) - timedelta(seconds=1)
            assert _refusal(session, name, PASSWORD).key == "error.account_locked"
        box[0] += timedelta(seconds=2)
        user, actor = _login(session, name, PASSWORD)
        session.commit()
    assert actor.user_id == user.id
    session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None
    events = [e.event for e in session.exec(select(AuditEvent).where(AuditEvent.object_id == user.id))]
    assert events.count("user.login_failed") == 5 + len(expected)
    assert events.count("user.locked") == 1 + len(expected)
    assert events[-1] == "user.login"


def test_lock_is_per_account_and_success_resets_the_count(session, world):
    x, y = world.vendor_x.user.username, world.vendor_y.user.username
    for _ in range(4):
        _refusal(session, x, "wrong-password-1")
    _login(session, x, PASSWORD)
    session.commit()
    for _ in range(4):  # the count restarted: four more failures do not lock
        assert _refusal(session, x, "wrong-password-1").key == "error.login_failed"
    for _ in range(5):
        _refusal(session, y, "wrong-password-1")
    assert _refusal(session, y, PASSWORD).key == "error.account_locked"
    _login(session, x, PASSWORD)  # x is unaffected by y's lock


def test_unknown_user_and_wrong_password_look_the_same(session, world, monkeypatch):
    """Same message and the same (argon2) work: a visitor cannot tell which usernames exist."""
    calls: list[str] = []
    real = accounts.verify_password
    monkeypatch.setattr(accounts, "verify_password", lambda h, p: calls.append(p) or real(h, p))
    unknown = _refusal(session, "no-such-user", "whatever-123")
    n_unknown = len(calls)
    wrong = _refusal(session, world.dept_a.user.username, "whatever-123")
    assert n_unknown == 1 and len(calls) - n_unknown == 1
    for lang in ("zh", "en"):
        assert unknown.message(lang) == wrong.message(lang)
    assert unknown.key == wrong.key == "error.login_failed"


def test_hostile_usernames_do_not_crash_login(session, world):
    for name in ("", " ", "' OR '1'='1", "admin'--", "\x00", "a" * 10_000, "用户\u202e名", None):
        assert _refusal(session, name, "x").key == "error.login_failed"


# ------------------------------------------------------------------------------ password rules


@pytest.mark.parametrize(
    ("password", "keys"),
    [
        ("short1", {"validation.password_short", "validation.password_weak", "validation.pw_add_words"}),
        # Long enough and mixing letters and digits, but weak: judged by strength (zxcvbn), with why.
        ("password12", {"validation.password_weak", "validation.pw_common", "validation.pw_add_words"}),
        (
            "aaaaaaaaa1",
            {
                "validation.password_weak",
                "validation.pw_repeat_char",
                "validation.pw_add_words",
                "validation.pw_avoid_repeats",
            },
        ),
        (
            "1234567890123",
            {"validation.password_weak", "validation.pw_similar_common", "validation.pw_add_words"},
        ),
        ("newclerk-2026-x", {"validation.password_username"}),
        ("", {"validation.password_short"}),
    ],
)
def test_password_rules(session, world, password, keys):
    with pytest.raises(ValidationFailed) as info:
        accounts.create_user(
            SYSTEM,
            org_id=world.dept_a.org.id,
            username="newclerk",
            password=password,
            display_name="新同事",
            session=session,
        )
    assert {e.key for e in info.value.errors} == keys
    for lang in ("zh", "en"):  # every reason translated, none shown as a raw key
        assert all(e.message(lang) and "validation." not in e.message(lang) for e in info.value.errors)
    assert {e.field for e in info.value.errors} == {"password"}
    session.rollback()
    assert session.exec(select(User).where(User.username == "newclerk")).first() is None


def test_change_password_applies_the_rules_and_clears_the_demo_flag(session, world):
    user = accounts.create_user(
        SYSTEM,
        org_id=world.dept_a.org.id,
        username="demo_clerk",
        password="demo-2026",
        display_name="演示",
        is_demo=True,
        session=session,
    )
    session.commit()
    _, actor = _login(session, "demo_clerk", "demo-2026")
    with pytest.raises(ValidationFailed):
        accounts.change_password(actor, "demo-2026", "weak", session=session)
    with pytest.raises(AuthError):
        accounts.change_password(actor, "not-the-old-one", "Much-Better-2027", session=session)
    accounts.change_password(actor, "demo-2026", "Much-Better-2027", session=session)
    session.commit()
    session.refresh(user)
    assert not user.is_demo
    assert _refusal(session, "demo_clerk", "demo-2026").key == "error.login_failed"


# ------------------------------------------------------------------------ demo vs production


def _demo_user(session, world, username: str = "demo_user") -> User:
    user = accounts.create_user(
        SYSTEM,
        org_id=world.vendor_x.org.id,
        username=username,
        password="demo-2026",
        display_name="演示账号",
        is_demo=True,
        session=session,
    )
    session.commit()
    return user


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "portal", *args],
        env=dict(os.environ, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_serve_while_a_demo_account_is_active(session, world, monkeypatch):
    monkeypatch.setenv("PORTAL_MODE", "production")
    assert_safe_to_serve(session)  # no demo account yet
    user = _demo_user(session, world)
    with pytest.raises(UnsafeToServe) as info:
        assert_safe_to_serve(session)
    assert "demo_user" in info.value.message("en") and "demo_user" in info.value.message("zh")
    monkeypatch.setenv("PORTAL_MODE", "demo")
    assert_safe_to_serve(session)
    monkeypatch.setenv("PORTAL_MODE", "production")
    user.is_active = False
    session.add(user)
    session.commit()
    assert_safe_to_serve(session)


def test_cli_check_exit_codes(session, world):
    assert _cli("check", PORTAL_MODE="production").returncode == 0
    _demo_user(session, world)
    done = _cli("--lang", "en", "check", PORTAL_MODE="production")
    assert done.returncode == 3 and "demo account" in done.stderr
    done = _cli("check", PORTAL_MODE="production")
    assert done.returncode == 3 and "演示账号" in done.stderr
    assert _cli("check", PORTAL_MODE="demo").returncode == 0


def test_load_demo_is_refused_in_production(session, world):
    before = session.exec(select(User)).all()
    done = _cli("--lang", "en", "load-demo", PORTAL_MODE="production")
    assert done.returncode == 2 and "production" in done.stderr
    session.expire_all()
    assert session.exec(select(User)).all() == before
    assert not any(u.is_demo for u in before)


# ------------------------------------------------------------------------------ repository scan

_SECRET_PATTERNS = {
    "private key": re.compile("-----BEGIN [A-Z ]*" + "PRIVATE KEY-----"),
    "AWS access key": re.compile("AKIA" + "[0-9A-Z]{16}"),
    "GitHub token": re.compile("gh[pousr]_" + "[A-Za-z0-9]{36}"),
    "Slack token": re.compile("xox[baprs]-" + "[A-Za-z0-9-]{10,}"),
    "OpenAI-style key": re.compile(r"\bsk-" + "[A-Za-z0-9]{32,}"),
    "password in a URL": re.compile(r"[a-z+]+://[^/\s:@'\"]+:" + r"[^@\s'\"{}$<>]{3,}@"),
    "assigned secret": re.compile(
        r"(?i)\b(secret|api_key|apikey|client_secret|token)\b\s*[:=]\s*['\"][^'\"\s]{12,}['\"]"
    ),
}
_SECRET_FILES = re.compile(r"(^|/)(\.env(\..*)?|secrets\.toml|id_rsa|id_ed25519|.*\.pem|.*\.key|.*\.p12)$")
_ALLOWED_SECRET_FILES = {".env.example"}


def _repo_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in out.stdout.splitlines() if line]


def test_no_secrets_in_the_repository():
    files = _repo_files()
    assert len(files) > 50
    findings = []
    for name in files:
        if _SECRET_FILES.search(name) and Path(name).name not in _ALLOWED_SECRET_FILES:
            findings.append(f"{name}: secret-looking file name")
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for label, pattern in _SECRET_PATTERNS.items():
            for match in pattern.finditer(content):
                findings.append(f"{name}: {label}: {match.group(0)[:40]!r}")
    assert findings == []


def test_the_scan_would_catch_a_committed_key(tmp_path):
    """The patterns above are not vacuous: each flags a planted example."""
    planted = {
        "private key": "-----BEGIN RSA " + "PRIVATE KEY-----",
        "AWS access key": "AKIA" + "ABCDEFGHIJKLMNOP",
        "password in a URL": "postgresql://portal:" + "hunter2hunter2@db.example/portal",
        "assigned secret": "client_secret = '" + "0123456789abcdef0123'",
    }
    for label, text in planted.items():
        assert _SECRET_PATTERNS[label].search(text), label
    assert _SECRET_FILES.search(".streamlit/secrets.toml") and _SECRET_FILES.search("deploy/.env")


# ------------------------------------------------------------------------------ session expiry


def _session_app() -> None:
    import streamlit as st

    from portal.ui import state

    actor = state.begin_run()
    st.text(f"user={actor.user_id}")
    state.show_flash()


def test_ui_session_expires_after_inactivity(session, world):
    """Activity keeps a session alive; 30 idle minutes log it out with a notice."""
    from streamlit.testing.v1 import AppTest

    uid = world.dept_a.user.id
    start = clock.now()
    at = AppTest.from_function(_session_app, default_timeout=30)
    at.session_state["user_id"] = uid
    at.session_state["last_active"] = start
    with clock.frozen(start + timedelta(minutes=29)):
        at.run()
    assert at.text[0].value == f"user={uid}"
    with clock.frozen(start + timedelta(minutes=29 + 29)):  # 29 idle minutes since the last run
        at.run()
    assert at.text[0].value == f"user={uid}"
    with clock.frozen(start + timedelta(minutes=58 + 31)):
        at.run()
    assert at.text[0].value == "user=None"
    assert at.warning and at.warning[0].value  # the translated "session expired" notice
    assert "user_id" not in at.session_state
