"""The administration CLI as a user runs it: subprocesses against a temporary SQLite database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture
def cli(tmp_path):
    env = dict(os.environ)
    env.pop("PORTAL_MODE", None)
    env.update(
        PORTAL_DATABASE_URL=f"sqlite:///{tmp_path / 'portal.db'}",
        PORTAL_VAR_DIR=str(tmp_path / "var"),
        PORTAL_TEST_FAST_HASH="1",
    )

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "portal", *args],
            env=env | extra,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def _clean_failure(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    return result.stderr.strip()


def test_init_db_is_idempotent(cli):
    for _ in range(2):
        result = cli("init-db")
        assert result.returncode == 0, result.stderr
        assert "database ready" in result.stdout


def test_load_demo_twice_creates_nothing_the_second_time(cli):
    assert cli("init-db").returncode == 0
    first = cli("load-demo")
    assert first.returncode == 0, first.stderr
    created = json.loads(first.stdout.splitlines()[0])["created"]
    assert created["scenarios"] >= 80 and created["offers"] >= 150
    assert "demo-2026" in first.stdout
    second = cli("load-demo")
    assert second.returncode == 0
    assert json.loads(second.stdout.splitlines()[0])["created"] == {}
    assert "authority" in _clean_failure(cli("--lang", "en", "check", PORTAL_MODE="production"), 3)
    assert "PORTAL_MODE=production" in _clean_failure(cli("load-demo", PORTAL_MODE="production"))


def test_create_org_and_user(cli):
    assert cli("init-db").returncode == 0
    org = cli("create-org", "--kind", "department", "--name", "贵州省水利厅", "--sector", "smart-water")
    assert org.returncode == 0, org.stderr
    assert "贵州省水利厅" in org.stdout
    user = cli(
        "create-user", "--org", "贵州省水利厅", "--username", "water_admin", "--password", "Shuili-2026-ok"
    )
    assert user.returncode == 0, user.stderr
    assert user.stdout.strip() == "created user 'water_admin' (department) in 贵州省水利厅"
    again = cli(
        "create-user", "--org", "贵州省水利厅", "--username", "water_admin", "--password", "Shuili-2026-ok"
    )
    assert "该用户名已被使用" in _clean_failure(again)


def test_bad_input_gives_a_clean_message_and_exit_code_2(cli):
    assert cli("init-db").returncode == 0
    assert (
        cli(
            "create-org", "--kind", "department", "--name", "贵州省水利厅", "--sector", "smart-water"
        ).returncode
        == 0
    )
    weak = cli(
        "--lang", "en", "create-user", "--org", "贵州省水利厅", "--username", "w1", "--password", "short"
    )
    message = _clean_failure(weak)
    assert "The password needs at least 10 characters" in message
    weak_zh = cli("create-user", "--org", "贵州省水利厅", "--username", "w1", "--password", "short")
    assert "密码至少需要10个字符" in _clean_failure(weak_zh)
    unknown = cli("create-user", "--org", "没有这个单位", "--username", "w2", "--password", "Shuili-2026-ok")
    assert _clean_failure(unknown) == "no organization named '没有这个单位'"
    bad_code = cli(
        "--lang",
        "en",
        "create-org",
        "--kind",
        "vendor",
        "--name",
        "某公司",
        "--sector",
        "ai-models",
        "--uscc",
        "123",
    )
    assert "unified social credit code" in _clean_failure(bad_code)


def test_deactivate_reactivate_and_reset_a_user(cli, tmp_path):
    assert cli("init-db").returncode == 0
    assert (
        cli(
            "create-org", "--kind", "department", "--name", "贵州省水利厅", "--sector", "smart-water"
        ).returncode
        == 0
    )
    assert (
        cli(
            "create-user",
            "--org",
            "贵州省水利厅",
            "--username",
            "water_admin",
            "--password",
            "Shuili-2026-ok",
        ).returncode
        == 0
    )
    from sqlmodel import Session

    from portal.db import make_engine
    from portal.services import accounts, sessions

    engine = make_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    with Session(engine) as s:
        user, _ = accounts.authenticate("water_admin", "Shuili-2026-ok", session=s)
        token = sessions.open_session(user.id, session=s)
        s.commit()
    done = cli("deactivate-user", "water_admin", "--reason", "离职")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "deactivated user 'water_admin' (1 session(s) ended)"
    with Session(engine) as s:
        assert sessions.resume(token, session=s) is None
    assert "已停用" in _clean_failure(cli("deactivate-user", "water_admin"))
    assert "nobody" in _clean_failure(cli("--lang", "en", "deactivate-user", "nobody"))
    assert cli("reactivate-user", "water_admin").stdout.strip() == "reactivated user 'water_admin'"
    weak = cli("--lang", "en", "reset-password", "water_admin", "--password", "password12")
    assert "too easy to guess" in _clean_failure(weak)
    reset = cli("reset-password", "water_admin", PORTAL_NEW_PASSWORD="Lantern-Harbour-77")
    assert reset.stdout.strip() == "password reset for 'water_admin' (0 session(s) ended)"
    engine.dispose()
