"""Hostile and malformed input against every service entry point that takes user input (hypothesis).

Each generated input, at every entry point, falls in exactly one group (asserted per input):

* **stored inert**: kept as cleaned text (NFC, no control, zero-width or bidi-override character,
  trimmed), read back unchanged from the database, and rendered escaped (``ui.safe`` turns it into
  Markdown without a tag, link or image);
* **refused**: a ``PortalError`` whose catalogue key (and every field error's key and field label)
  exists in Chinese and English, and nothing was written: a fingerprint of every table, read through
  the same session (so flushed but uncommitted rows count), is the same before and after;
* **answered** (read-only entry points: search, list filters, the audit log, login): a result and no
  write, or a refusal as above.

Never a crash. The inputs include lone surrogates, integers far beyond 64 bits, lists of hundreds of
items of thousands of characters, Markdown/HTML/SQL injection, RTL and zero-width characters and NUL
bytes. The groups are counted per entry point; the module prints one line
``hostile inputs: N stored inert, M refused, K entry points`` and writes
``artifacts/trust/hostile-summary-<backend>.json`` (and the per-target counts of
``hostile-<backend>-<worker>.json``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from portal import clock
from portal.db import make_engine
from portal.domain.errors import PortalError, ValidationFailed
from portal.i18n import messages
from portal.migrations_runner import upgrade_to_head
from portal.models import Scenario, ScenarioCreate, ScenarioStatus
from portal.services import accounts, bids, calls, imports, offers, outcomes, questions, reports, scenarios
from tests.factories import PASSWORD, World, bid_data, build_world, scenario_data, scenario_in, uscc
from tests.portal.fingerprint import changed_tables, db_fingerprint
from tests.trust.conftest import BACKEND

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("PORTAL_HOSTILE_EXAMPLES", "60"))
# CI replays the same examples every run (a red build must be reproducible); exploratory runs set
# PORTAL_HOSTILE_RANDOM=1 (and PORTAL_HOSTILE_EXAMPLES=400 …) to draw new ones.
DERANDOMIZE = os.environ.get("PORTAL_HOSTILE_RANDOM") != "1"
HYPO = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
COUNTS: Counter[str] = Counter()
OUTCOMES: Counter[str] = Counter()
GROUPS: dict[str, Counter[str]] = {}  # entry point -> {"stored": n, "refused": m, "answered": k}

# ------------------------------------------------------------------------------------- strategies

PAYLOADS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    "<iframe src=//evil.example></iframe>",
    "javascript:alert(document.cookie)",
    "[点击领取](javascript:alert(1))",
    "![x](https://evil.example/t.png)",
    "**粗体** _斜体_ `code` # 标题 > 引用",
    "'; DROP TABLE scenario; --",
    '" OR "1"="1',
    "1; SELECT pg_sleep(10)--",
    "%_\\%\\_' \"",
    "Robert'); DELETE FROM bid;--",
    "{title} {0} %s %(x)s {{7*7}} ${jndi:ldap://x/a}",
    "\x00NUL\x00",
    "\x1b[31mred\x1b[0m\x07",
    "\u202egnp.exe\u202c",
    "\u2067مرحبا\u2069 \u200fשלום\u200e RTL",
    "名称\x00隐藏\x00NUL",
    "[请点此重新登录](http://evil.example/login)![b](http://evil.example/beacon.png)",
    "<a href='javascript:alert(1)'>点击</a>&lt;b&gt;",
    "\u200b\u200d\ufeff零宽",
    "\r\n\r\n\t",
    "   ",
    "",
    "\ud800孤立代理\udfff",
    "😀👩‍👩‍👧‍👦🇨🇳🏳️‍🌈",
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗͕",
    "贵州 Guizhou Гуйчжоу غويتشو גוויג'ואו 貴州 ꆈꌠ བོད་",
    "𠀀𪚥𰻞 (CJK Ext B–G)",
    "ｆｕｌｌｗｉｄｔｈ　全角空格",
    "e\u0301\u0301\u0301 (combining)",
    "\U0010ffff\uffff\ufffe",
]
SEED_TEXT = "基层医疗机构远程影像诊断服务平台建设需求说明"

payloads = st.sampled_from(PAYLOADS)
any_unicode = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=60)
weird_chars = st.text(
    alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "So", "Mn", "Co"]), max_size=40
)
very_long = st.builds(
    lambda p, n: (p * n)[:20_000],
    st.sampled_from(["长", "a", "😀", "<b>", "'", "é"]),
    st.integers(100, 20_000),
)
mixed = st.builds(
    lambda a, b, c: a + b + c, st.sampled_from(["", SEED_TEXT]), payloads, st.sampled_from(["", SEED_TEXT])
)
hostile_text = st.one_of(payloads, any_unicode, weird_chars, very_long, mixed)
hostile_number = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([-1, 0, 10_000_000_000, 10_000_000_001, 2**31, 2**63, -(2**63) - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1e9", "一百万", "80万", "", " 12 ", "0x10", "NaN", "1,000"]),
    st.booleans(),
)
hostile_date = st.one_of(
    st.dates(),
    st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(1970, 1, 1)]),
    st.integers(-3650, 3650).map(lambda d: clock.today() + timedelta(days=d)),
    st.datetimes(),
    st.sampled_from(["2026-02-30", "", "tomorrow", "2026/13/01", "99999-01-01", "0000-00-00"]),
    st.integers(),
)
huge_list = st.builds(
    lambda n, item: [item] * n,
    st.integers(31, 600),
    st.sampled_from(["长" * 10_000, "smart-health", "x" * 201, "\ud800"]),
)
hostile_list = st.one_of(
    st.lists(hostile_text, max_size=30),
    hostile_text,
    st.lists(st.integers(), max_size=3),
    st.just([None]),
    huge_list,
)
hostile_dicts = st.one_of(
    st.lists(st.dictionaries(hostile_text, hostile_text, max_size=4), max_size=12),
    st.lists(st.one_of(hostile_text, st.integers()), max_size=3),
    hostile_text,
    st.builds(
        lambda n, v: [{"name": v, "target": v}] * n,
        st.integers(1, 500),
        st.sampled_from(["指" * 10_000, "x"]),
    ),
    st.just([{f"k{i}": "v" for i in range(50)}]),
)
anything = st.one_of(hostile_text, hostile_number, hostile_date, st.none(), hostile_list, hostile_dicts)


def value_for(field: str) -> st.SearchStrategy[Any]:
    """A hostile value shaped like the field (mostly), or anything at all (sometimes)."""
    if field in ("budget_min", "budget_max", "price", "call_id", "offer_id", "contract_value"):
        typed = hostile_number
    elif field in ("question_deadline", "closing_date", "opens_on", "closes_on", "start_date", "end_date"):
        typed = hostile_date
    elif field in ("data_resources", "sectors", "regions", "reference_cases", "service_regions"):
        typed = hostile_list
    elif field in ("indicators", "achieved_indicators"):
        typed = hostile_dicts
    else:
        typed = hostile_text
    return st.one_of(typed, typed, typed, anything)


def field_changes(fields: tuple[str, ...], max_fields: int = 3) -> st.SearchStrategy[dict[str, Any]]:
    return st.lists(st.sampled_from(fields), min_size=1, max_size=max_fields, unique=True).flatmap(
        lambda names: st.fixed_dictionaries({n: value_for(n) for n in names})
    )


# ---------------------------------------------------------------------------------------- fixture


@dataclass(repr=False)
class Ctx:
    session: Session
    world: World
    published: int
    draft: int
    completed: int
    offer: int
    question: int

    def __repr__(self) -> str:
        return "Ctx(world of 6 organizations)"


@pytest.fixture(scope="module")
def ctx(tmp_path_factory, pg_engine, request) -> Iterator[Ctx]:
    """One world for the module; every example is rolled back."""
    if pg_engine is not None:
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        with pg_engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine = pg_engine
    else:
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'portal.db'}")
        upgrade_to_head(engine)
    with Session(engine, expire_on_commit=False) as s:
        w = build_world(s)
        published = scenario_in(s, w, ScenarioStatus.PUBLISHED).id
        draft = scenario_in(s, w, ScenarioStatus.DRAFT).id
        completed = scenario_in(s, w, ScenarioStatus.COMPLETED).id
        offer = offers.create_offer(
            w.vendor_x.actor,
            {
                "title": "远程影像云平台",
                "description": "基于云原生架构的远程影像诊断平台，支持AI辅助阅片与分级诊疗协同。",
                "sectors": ["smart-health"],
                "regions": ["province"],
            },
            session=s,
        ).id
        bids.save_bid(w.vendor_x.actor, published, bid_data(), session=s)
        question = questions.ask_question(w.vendor_x.actor, published, "数据接口采用什么标准？", session=s).id
        s.commit()
        yield Ctx(s, w, published, draft, completed, offer, question)
    if pg_engine is None:
        engine.dispose()
    line = _write_counts()
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print(f"\n{line}")
    else:
        print(line)


def _write_counts() -> str:
    """Write the per-target counts and the summary; return the summary line."""
    out = ROOT / "artifacts" / "trust"
    out.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    report = {"backend": BACKEND, "total": sum(COUNTS.values()), "per_target": dict(COUNTS), **OUTCOMES}
    (out / f"hostile-{BACKEND}-{worker}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    stored, refused, answered = (OUTCOMES[g] for g in ("stored", "refused", "answered"))
    line = (
        f"hostile inputs: {stored} stored inert, {refused} refused, {len(GROUPS)} entry points"
        f" ({answered} read-only queries answered without a write; backend {BACKEND})"
    )
    summary = {
        "backend": BACKEND,
        "stored_inert": stored,
        "refused": refused,
        "answered_read_only": answered,
        "entry_points": len(GROUPS),
        "per_entry_point": {name: dict(groups) for name, groups in sorted(GROUPS.items())},
        "examples_per_test": EXAMPLES,
        "derandomized": DERANDOMIZE,
        "line": line,
    }
    name = (
        f"hostile-summary-{BACKEND}.json" if worker == "main" else f"hostile-summary-{BACKEND}-{worker}.json"
    )
    (out / name).write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return line


# ---------------------------------------------------------------------------------------- checks

_FORBIDDEN = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
CATALOGUE = messages()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def assert_clean(obj: Any, names: list[str]) -> None:
    for name in names:
        for s in _strings(getattr(obj, name)):
            assert not _FORBIDDEN.search(s), (name, s[:80])
            assert s == unicodedata.normalize("NFC", s), name
            assert_renders_inert(s)


def assert_renders_inert(value: str) -> None:
    """What a page shows of stored text (``ui.safe`` then Markdown) has no tag, link or image."""
    from portal.ui.components import safe

    html = _MD.render(safe(value))
    leftover = _ALLOWED_TAGS.sub("", html)
    assert "<" not in leftover.replace("&lt;", ""), (value[:80], html[:200])


def count(target: str, outcome: str) -> str:
    COUNTS[target] += 1
    OUTCOMES[outcome] += 1
    GROUPS.setdefault(target, Counter())[outcome] += 1
    return outcome


#: What a refused sign-in or password change writes by design: the failed attempt is counted toward
#: the lockout (``login_throttle`` for unknown names, ``user_account`` for real ones) and audited.
ATTEMPT_BOOKKEEPING = frozenset({"audit_event", "login_throttle", "user_account"})


def query(c: Ctx, target: str, call: Callable[[], Any], bookkeeping: frozenset[str] = frozenset()) -> str:
    """Run one hostile read-only call: answered without a write, or refused translated; never a crash.

    ``bookkeeping``: tables a refusal may write by design (and nothing else).
    """
    s = c.session
    before = db_fingerprint(s)
    try:
        try:
            call()
        except PortalError as err:
            _assert_translated(err)
            outcome = "refused"
        else:
            outcome = "answered"
        wrote = set(changed_tables(before, db_fingerprint(s)))
        assert not wrote - (bookkeeping if outcome == "refused" else set()), f"{target}: a read wrote {wrote}"
    finally:
        s.rollback()
    return count(target, outcome)


def attempt(
    c: Ctx, target: str, call: Callable[[], Any], fields: list[str], bookkeeping: frozenset[str] = frozenset()
) -> str:
    """Run one hostile call; check the stored-or-refused contract; always roll back.

    ``bookkeeping``: tables a refusal may write by design (and nothing else).
    """
    s = c.session
    before = db_fingerprint(s)
    try:
        try:
            obj = call()
        except PortalError as err:
            _assert_translated(err)
            after = db_fingerprint(s)
            assert not set(changed_tables(before, after)) - bookkeeping, (
                f"{target}: refused but wrote {changed_tables(before, after)}"
            )
            outcome = "refused"
        else:
            s.flush()
            assert_clean(obj, fields)
            if fields:
                stored = {n: getattr(obj, n) for n in fields}
                s.expire(obj)
                s.refresh(obj)  # read back from the database (4-byte characters, JSON, long text)
                assert {n: getattr(obj, n) for n in fields} == stored
            outcome = "stored"
    finally:
        s.rollback()
    return count(target, outcome)


def _assert_translated(err: PortalError) -> None:
    keys = [err.key] + [e.key for e in getattr(err, "errors", [])]
    keys += [f"field.{e.field}" for e in getattr(err, "errors", [])]
    for key in keys:
        assert key in CATALOGUE, key
    for lang in ("zh", "en"):
        msg = err.message(lang)
        assert msg.strip()
        assert not any(k in msg for k in keys if k != "error.generic"), msg  # no raw catalogue key
    assert err.message("zh") != err.message("en")
    if isinstance(err, ValidationFailed):
        assert err.errors


# ----------------------------------------------------------------------------------------- tests

SCENARIO_FIELDS = tuple(ScenarioCreate.model_fields)
SCENARIO_TEXT = [
    "title",
    "title_en",
    "summary",
    "description",
    "expected_outcomes",
    "contact_name",
    "data_resources",
    "indicators",
]
OFFER_FIELDS = ("title", "description", "sectors", "regions", "reference_cases", "maturity", "language")
BID_FIELDS = ("approach", "timeline", "price", "team", "offer_id")
ORG_FIELDS = (
    "name",
    "name_en",
    "region",
    "sectors",
    "description",
    "contact_name",
    "contact_phone",
    "contact_email",
    "service_regions",
)


@HYPO
@given(changes=field_changes(SCENARIO_FIELDS))
def test_create_scenario(ctx, changes):
    dept = ctx.world.dept_a.actor
    attempt(
        ctx,
        "create_scenario",
        lambda: scenarios.create_scenario(dept, scenario_data(**changes), session=ctx.session),
        SCENARIO_TEXT,
    )


@HYPO
@given(
    values=st.fixed_dictionaries(
        {n: hostile_text for n in ("title", "summary", "description", "expected_outcomes")}
    )
)
def test_create_scenario_all_text_hostile(ctx, values):
    dept = ctx.world.dept_a.actor
    attempt(
        ctx,
        "create_scenario",
        lambda: scenarios.create_scenario(dept, scenario_data(**values), session=ctx.session),
        SCENARIO_TEXT,
    )


@HYPO
@given(changes=field_changes(SCENARIO_FIELDS))
def test_update_scenario(ctx, changes):
    dept, s = ctx.world.dept_a.actor, ctx.session
    version = scenarios.get_scenario(dept, ctx.draft, session=s).version
    attempt(
        ctx,
        "update_scenario",
        lambda: scenarios.update_scenario(dept, ctx.draft, changes, expected_version=version, session=s),
        SCENARIO_TEXT,
    )


@HYPO
@given(days=st.integers(-4000, 0))
def test_submit_with_closing_date_in_the_past_is_refused(ctx, days):
    """A draft may carry any date; submitting one whose closing date is not ahead is refused."""
    dept, s = ctx.world.dept_a.actor, ctx.session
    closing = clock.today() + timedelta(days=days)
    draft = scenarios.create_scenario(
        dept, scenario_data(closing_date=closing, question_deadline=closing), session=s
    )
    call = lambda: scenarios.submit_scenario(dept, draft.id, session=s)  # noqa: E731
    assert attempt(ctx, "submit_past_closing", call, []) == "refused"


@HYPO
@given(changes=field_changes(OFFER_FIELDS))
def test_create_offer(ctx, changes):
    base = {
        "title": "远程影像云平台",
        "description": "基于云原生架构的远程影像诊断平台，支持AI辅助阅片与分级诊疗协同。",
        "sectors": ["smart-health"],
        "regions": ["province"],
    }
    vendor = ctx.world.vendor_x.actor
    attempt(
        ctx,
        "create_offer",
        lambda: offers.create_offer(vendor, base | changes, session=ctx.session),
        ["title", "description", "sectors", "regions", "reference_cases"],
    )


@HYPO
@given(changes=field_changes(OFFER_FIELDS))
def test_update_offer(ctx, changes):
    vendor, s = ctx.world.vendor_x.actor, ctx.session
    version = offers.get_offer(vendor, ctx.offer, session=s).version
    attempt(
        ctx,
        "update_offer",
        lambda: offers.update_offer(vendor, ctx.offer, changes, expected_version=version, session=s),
        ["title", "description", "sectors", "regions", "reference_cases"],
    )


@HYPO
@given(changes=field_changes(BID_FIELDS), existing=st.booleans())
def test_save_bid(ctx, changes, existing):
    """A new bid (vendor Y) or an edit of an existing draft (vendor X) with hostile fields."""
    party = ctx.world.vendor_x if existing else ctx.world.vendor_y
    s = ctx.session

    def call():
        current = bids.my_bid(party.actor, ctx.published, session=s)
        data = changes if current else bid_data(**changes)
        version = current.version if current else None
        return bids.save_bid(party.actor, ctx.published, data, expected_version=version, session=s)

    attempt(ctx, "save_bid", call, ["approach", "timeline", "team"])


hostile_bytes = st.one_of(
    st.binary(max_size=300),
    st.sampled_from(
        [
            b"",
            b"MZ\x90\x00" + b"\x00" * 60,  # a Windows program
            b"\x7fELF\x02\x01\x01" + b"\x00" * 60,  # a Linux program
            b"#!/bin/sh\nrm -rf /\n",
            b"<html><script>alert(1)</script></html>",
            b"PK\x03\x04" + b"\xff" * 40,  # a broken zip
        ]
    ),
    st.builds(lambda tail: b"%PDF-1.7\n" + tail, st.binary(max_size=200)),  # acceptable content
)


@HYPO
@given(
    filename=st.one_of(hostile_text, st.sampled_from(["../../etc/passwd", "a\u202efdp.exe"])),
    data=hostile_bytes,
)
def test_upload_attachment(ctx, filename, data):
    """A file with a hostile name and content: stored under a cleaned name, or refused translated."""
    from portal.models import Attachment
    from portal.services import attachments

    def call():
        info = attachments.upload(
            ctx.world.dept_a.actor, "scenario", ctx.draft, "annex", filename, data, session=ctx.session
        )
        assert len(info.filename) <= attachments.MAX_NAME_CHARS and "/" not in info.filename
        return ctx.session.get(Attachment, info.id)  # read back from the database by ``attempt``

    attempt(ctx, "upload_attachment", call, ["filename"])


@HYPO
@given(question=hostile_text, answer=hostile_text)
def test_questions_and_answers(ctx, question, answer):
    s = ctx.session
    vendor, dept = ctx.world.vendor_y.actor, ctx.world.dept_a.actor
    attempt(
        ctx,
        "ask_question",
        lambda: questions.ask_question(vendor, ctx.published, question, session=s),
        ["text"],
    )
    attempt(
        ctx,
        "answer_question",
        lambda: questions.answer_question(dept, ctx.question, answer, session=s),
        ["answer"],
    )


@HYPO
@given(changes=field_changes(ORG_FIELDS))
def test_update_profile(ctx, changes):
    vendor, s = ctx.world.vendor_x.actor, ctx.session
    from portal.models import Organization

    version = s.get(Organization, vendor.org_id).version
    attempt(
        ctx,
        "update_organization",
        lambda: accounts.update_organization(
            vendor, vendor.org_id, changes, expected_version=version, session=s
        ),
        list(ORG_FIELDS),
    )


@HYPO
@given(
    changes=field_changes(ORG_FIELDS + ("uscc",)),
    username=st.one_of(st.just("newvendor_01"), hostile_text),
    password=st.one_of(st.just("Strong-pass-2026"), hostile_text),
    display_name=st.one_of(st.just("张经理"), hostile_text),
)
def test_register_vendor(ctx, changes, username, password, display_name):
    data = {
        "name": "贵阳新锐数据科技有限公司",
        "region": "guiyang",
        "sectors": ["smart-health"],
        "uscc": uscc(77),
    }
    data |= changes

    def call():
        org, _user = accounts.register_vendor(
            data, username=username, password=password, display_name=display_name, session=ctx.session
        )
        return org

    attempt(ctx, "register_vendor", call, list(ORG_FIELDS))


@HYPO
@given(changes=field_changes(("theme", "theme_en", "description", "sectors", "opens_on", "closes_on")))
def test_create_call(ctx, changes):
    data = {
        "theme": "2027年度数字政府应用场景征集",
        "opens_on": clock.today(),
        "closes_on": clock.today() + timedelta(days=60),
    }
    authority = ctx.world.authority.actor
    attempt(
        ctx,
        "create_call",
        lambda: calls.create_call(authority, data | changes, session=ctx.session),
        ["theme", "theme_en", "description", "sectors"],
    )


@HYPO
@given(changes=field_changes(("title", "title_en", "story", "indicators")))
def test_propose_showcase(ctx, changes):
    data = {
        "title": "基层远程影像诊断示范",
        "story": "平台覆盖88个乡镇卫生院，报告出具时间缩短至1.2小时。",
    } | changes
    dept = ctx.world.dept_a.actor
    attempt(
        ctx,
        "propose_showcase",
        lambda: outcomes.propose_showcase(dept, ctx.completed, data, session=ctx.session),
        ["title", "title_en", "story", "indicators"],
    )


hostile_codes = st.one_of(
    st.none(), hostile_list, st.just(["\ud800"]), st.lists(st.just("smart-health"), max_size=200)
)


@HYPO
@given(
    text_=hostile_text,
    budget=st.one_of(st.none(), hostile_number),
    codes=hostile_codes,
    call_id=st.one_of(st.none(), hostile_number),
)
def test_public_search_filters(ctx, text_, budget, codes, call_id):
    """Free text (LIKE metacharacters, quotes, surrogates), list filters and extreme numbers."""

    def call():
        rows = scenarios.list_public_scenarios(
            session=ctx.session,
            text=text_,
            budget_min=budget,
            budget_max=budget,
            sectors=codes,
            regions=codes,
            statuses=codes,
            call_id=call_id,
        )
        assert all(r.status == ScenarioStatus.PUBLISHED for r in rows)

    query(ctx, "list_public_scenarios", call)


@HYPO
@given(
    numbers=st.fixed_dictionaries(
        {n: st.one_of(st.none(), hostile_number) for n in ("object_id", "actor_id", "page")}
    ),
    texts_=st.fixed_dictionaries(
        {n: st.one_of(st.none(), hostile_text) for n in ("object_type", "event_prefix")}
    ),
    since=st.one_of(st.none(), st.sampled_from([date.min, date.max]), st.dates()),
)
def test_audit_log_filters(ctx, numbers, texts_, since):
    authority = ctx.world.authority.actor
    query(
        ctx,
        "audit_log",
        lambda: reports.audit_log(
            authority, session=ctx.session, since=since, until=since, **numbers, **texts_
        ),
    )


@HYPO
@given(username=st.one_of(hostile_text, st.just("nobody_here")), password=hostile_text)
def test_login_with_hostile_credentials(ctx, username, password):
    """Unknown users only (a wrong password of a real one is committed as a failure, by design)."""
    if username in ("vendor_x", "vendor_y", "vendor_p", "dept_a", "dept_b", "authority"):
        username = "nobody_here"
    outcome = query(
        ctx,
        "authenticate",
        lambda: accounts.authenticate(username, password, session=ctx.session),
        ATTEMPT_BOOKKEEPING,
    )
    assert outcome == "refused"


@HYPO
@given(
    old=st.one_of(st.just(PASSWORD), hostile_text), new=st.one_of(hostile_text, st.just("Strong-pass-2026"))
)
def test_change_password(ctx, old, new):
    """A hostile new password is stored as typed (a login with it works) or refused, translated."""
    from portal.models import User

    vendor, s = ctx.world.vendor_x.actor, ctx.session

    class Stored:  # what "read back" means for a password: it verifies, unchanged
        def __init__(self) -> None:
            user = s.get(User, vendor.user_id)
            assert accounts.verify_password(user.password_hash, new)

    def call():
        accounts.change_password(vendor, old, new, session=s)
        return Stored()

    attempt(ctx, "change_password", call, [], ATTEMPT_BOOKKEEPING)


@HYPO
@given(changes=field_changes(tuple(c.field for c in imports.COLUMNS if c.kind != "department"), max_fields=4))
def test_import_rows(ctx, changes):
    """One import row (CSV) with hostile cells: the created scenario is stored inert, or the row refused."""
    row = {
        "title": "县域医共体检查检验结果互认平台",
        "summary": "推动县域医共体内检查检验结果互认共享，减少群众重复检查。",
        "description": "县域医共体内各成员单位检查检验结果互不相认，群众转诊时常需重复检查。需建设结果互认平台。",
        "sector": "smart-health",
        "region": "province",
        "question_deadline": (clock.today() + timedelta(days=20)).isoformat(),
        "closing_date": (clock.today() + timedelta(days=40)).isoformat(),
        "department": ctx.world.dept_a.org.name,
    } | {k: _cell(v) for k, v in changes.items()}
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(imports.header_names("zh"))
    writer.writerow([row.get(c.field, "") for c in imports.COLUMNS])
    content = buf.getvalue().encode("utf-8", "surrogatepass")
    authority = ctx.world.authority.actor

    def call():
        result = imports.commit_import(authority, "hostile.csv", content, session=ctx.session)
        return ctx.session.get(Scenario, result.scenario_ids[0])

    attempt(ctx, "commit_import", call, SCENARIO_TEXT)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    return "" if value is None else str(value)


def test_search_metacharacters_are_literal(ctx):
    """``%`` and ``_`` typed into the public search are characters, not wildcards."""
    s = ctx.session
    assert len(scenarios.list_public_scenarios(session=s)) == 1
    for query in ("%", "_", "%%", "远程%影像", "\\", "' OR 1=1 --"):
        assert scenarios.list_public_scenarios(session=s, text=query) == [], query
    assert len(scenarios.list_public_scenarios(session=s, text="远程影像")) == 1
    s.rollback()


# --------------------------------------------------------------------------- inert rendering (UI)

_MD = MarkdownIt("commonmark", {"html": True})
# Formatting only (an indented line becomes a code block, "===" a heading): never a link, an image or
# raw HTML, which is what an attacker needs.
_ALLOWED_TAGS = re.compile(
    r"</?(p|em|strong|pre|code|h[1-6]|ul|ol|li|blockquote)>|<br />|<hr />|<ol start=\"\d+\">"
)


@settings(max_examples=EXAMPLES * 5, deadline=None, derandomize=DERANDOMIZE)
@given(value=hostile_text)
def test_safe_markdown_renders_user_text_inert(value):
    """What pages pass to ``st.markdown`` (``components.safe``) renders no tag, link or image."""
    from portal.ui.components import safe

    html = _MD.render(safe(value))
    leftover = _ALLOWED_TAGS.sub("", html)
    assert "<" not in leftover.replace("&lt;", ""), (value[:80], html[:200])
    COUNTS["ui.safe"] += 1


def test_ui_never_allows_raw_html():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "portal").rglob("*.py")
        if "unsafe_allow_html=True" in p.read_text(encoding="utf-8")
        or "st.html(" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
