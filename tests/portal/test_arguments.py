"""Arguments of the services: lone surrogates, huge integers, huge lists, weighted minimum lengths and
every problem reported at once (``portal/domain/arguments.py``, ``docs/validation.md``).

Each test names the defect it guards against; each failed before the fix (a crash with
``UnicodeEncodeError``/``OverflowError``, an accepted oversized list, a refused "6个月", or errors
shown a few at a time).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal import clock
from portal.domain.arguments import weighted_len
from portal.domain.errors import AuthError, PortalError, ValidationFailed
from portal.models import Offer, Scenario, ScenarioStatus
from portal.services import accounts, bids, imports, matchmaking, offers, reports, scenarios
from tests.factories import PASSWORD, bid_data, scenario_data, scenario_in

S = ScenarioStatus
SURROGATE = "\ud800"
OFFER = {
    "title": "远程影像云平台",
    "description": "基于云原生架构的远程影像诊断平台，支持AI辅助阅片与分级诊疗协同。",
    "sectors": ["smart-health"],
    "regions": ["province"],
}


def fields(err: ValidationFailed) -> dict[str, str]:
    return {e.field: e.key for e in err.errors}


def translated(err: PortalError) -> None:
    zh, en = err.message("zh"), err.message("en")
    assert zh != en and "validation." not in zh + en and "field." not in zh + en, (zh, en)


# ------------------------------------------------------------------------------ 1. lone surrogates


def test_lone_surrogates_in_search_and_list_filters_match_nothing_instead_of_crashing(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    session.commit()
    # Dropped from a search text: the rest still searches.
    found = scenarios.list_public_scenarios(session=session, text=f"远程{SURROGATE}影像")
    assert [r.id for r in found] == [sc.id]
    for bad in ([SURROGATE], [f"smart-health{SURROGATE}x"], SURROGATE):
        assert scenarios.list_public_scenarios(session=session, sectors=bad, regions=bad) == []
    assert [r.id for r in scenarios.list_public_scenarios(session=session, statuses=[SURROGATE])] == [sc.id]
    hits = matchmaking.search_scenarios(world.vendor_x.actor, SURROGATE, session=session, sectors=[SURROGATE])
    assert hits == []
    with pytest.raises(ValidationFailed) as info:  # a filter typed into a form: refused, translated
        reports.audit_log(world.authority.actor, object_type=SURROGATE, session=session)
    assert fields(info.value) == {"object_type": "validation.bad_characters"}
    translated(info.value)


def test_a_lone_surrogate_in_a_password_is_refused_with_a_translated_message(session, world):
    with pytest.raises(AuthError) as info:  # the login form: a wrong password, never a crash
        accounts.authenticate("vendor_x", f"pass{SURROGATE}word1", session=session)
    assert info.value.key == "error.login_failed"
    with pytest.raises(ValidationFailed) as info:
        accounts.change_password(
            world.vendor_x.actor, PASSWORD, f"Strong-{SURROGATE}-pass-2026", session=session
        )
    assert fields(info.value) == {"password": "validation.bad_characters"}
    translated(info.value)
    assert "无法保存的字符" in info.value.message("zh")


# ----------------------------------------------------------------------------- 2. huge integers


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"object_id": 10**30}, "object_id"),
        ({"actor_id": -(10**30)}, "actor_id"),
        ({"page": 10**30}, "page"),
        ({"object_id": True}, "object_id"),
    ],
)
def test_audit_log_refuses_out_of_range_numbers_with_a_translated_message(session, world, kwargs, field):
    with pytest.raises(ValidationFailed) as info:
        reports.audit_log(world.authority.actor, session=session, **kwargs)
    assert list(fields(info.value)) == [field]
    translated(info.value)


def test_audit_log_dates_at_the_ends_of_the_calendar_are_no_bound(session, world):
    page = reports.audit_log(world.authority.actor, since=date.min, until=date.max, session=session)
    assert page.total > 0


def test_list_filters_refuse_huge_numbers_and_ignore_ids_that_name_no_row(session, world):
    for kwargs, field in (
        ({"budget_min": 10**30}, "budget_min"),
        ({"budget_max": -1}, "budget_max"),
        ({"call_id": 2**63}, "call_id"),
    ):
        with pytest.raises(ValidationFailed) as info:
            scenarios.list_public_scenarios(session=session, **kwargs)
        assert list(fields(info.value)) == [field]
        translated(info.value)
    assert scenarios.list_public_scenarios(session=session, ids=[10**30, -5]) == []


def test_huge_ids_are_not_found(session, world):
    with pytest.raises(PortalError) as info:
        scenarios.get_scenario(world.dept_a.actor, 10**30, session=session)
    assert info.value.key == "error.not_found"
    with pytest.raises(ValidationFailed) as info:
        bids.save_bid(world.vendor_x.actor, scenario_in(session, world, S.PUBLISHED).id,
                      bid_data(offer_id=10**30, price=10**30), session=session)  # fmt: skip
    assert fields(info.value) == {"offer_id": "validation.too_large", "price": "validation.too_large"}


# ---------------------------------------------------------------------------- 3. list size limits


def test_500_indicators_of_10000_characters_are_refused_naming_the_field(session, world):
    dept = world.dept_a.actor
    huge = [{"name": "指" * 10_000, "target": "1"}] * 500
    with pytest.raises(ValidationFailed) as info:
        scenarios.create_scenario(dept, scenario_data(indicators=huge), session=session)
    assert fields(info.value) == {"indicators": "validation.too_many"}
    assert "指标最多30项" in info.value.message("zh")
    with pytest.raises(ValidationFailed) as info:
        scenarios.create_scenario(
            dept,
            scenario_data(indicators=[{"name": "指" * 201}], data_resources=["数" * 201]),
            session=session,
        )
    assert fields(info.value) == {
        "indicators": "validation.item_too_long",
        "data_resources": "validation.item_too_long",
    }
    assert "每一项最多200个字符" in info.value.message("zh")
    with pytest.raises(ValidationFailed) as info:
        scenarios.create_scenario(
            dept, scenario_data(data_resources=[f"资源{i}" for i in range(51)]), session=session
        )
    assert fields(info.value) == {"data_resources": "validation.too_many"}
    assert session.exec(select(Scenario)).all() == []
    # At the limits everything is kept.
    ok = scenario_data(
        indicators=[{"name": "指" * 200, "target": "1"}] * 30, data_resources=["数" * 200] * 50
    )
    assert len(scenarios.create_scenario(dept, ok, session=session).indicators) == 30


def test_offer_lists_are_bounded(session, world):
    vendor = world.vendor_x.actor
    with pytest.raises(ValidationFailed) as info:
        offers.create_offer(
            vendor,
            OFFER
            | {"sectors": ["smart-health"] * 31, "reference_cases": ["案" * 501], "regions": ["x" * 41]},
            session=session,
        )
    assert fields(info.value) == {
        "sectors": "validation.too_many",
        "reference_cases": "validation.item_too_long",
        "regions": "validation.item_too_long",
    }
    assert session.exec(select(Offer)).all() == []


def _csv(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    names = [c.field for c in imports.COLUMNS]
    writer.writerow(imports.header_names("zh"))
    for r in rows:
        writer.writerow([r.get(f, "") for f in names])
    return buf.getvalue().encode("utf-8")


def _import_row(**overrides: str) -> dict[str, str]:
    today = clock.today()
    base = {
        "title": "县域医共体检查检验结果互认平台",
        "summary": "推动县域医共体内检查检验结果互认共享，减少群众重复检查。",
        "description": "县域医共体内各成员单位检查检验结果互不相认，群众转诊时常需重复检查。需建设结果互认平台。",
        "sector": "智慧医疗",
        "region": "遵义市",
        "question_deadline": (today + timedelta(days=20)).isoformat(),
        "closing_date": (today + timedelta(days=40)).isoformat(),
        "department": "贵州省卫生健康委员会",
    }
    return base | overrides


def test_import_rows_report_list_limits_and_every_problem_at_once(session, world):
    bad = _import_row(
        title="短",
        data_resources="；".join(f"资源{i}" for i in range(60)),
        contact_email="not-an-email",
        budget_min="200万",
        budget_max="100万",
    )
    preview = imports.preview_import(
        world.authority.actor, "a.csv", _csv([_import_row(), bad]), session=session
    )
    assert {(e.row, e.field, e.key) for e in preview.errors} == {
        (3, "title", "validation.too_short_weighted"),
        (3, "data_resources", "validation.too_many"),
        (3, "contact_email", "validation.email"),
        (3, "budget_max", "validation.budget_order"),
    }


# --------------------------------------------------------------------- 4. weighted minimum lengths


def test_weighted_length_counts_a_cjk_character_as_two():
    assert weighted_len("6个月") == 5 and weighted_len("6月") == 3 and weighted_len("abcd") == 4
    assert weighted_len("ｆｕｌｌ") == 8 and weighted_len("é") == 1


def test_a_chinese_timeline_of_three_characters_is_long_enough(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    bid = bids.save_bid(
        world.vendor_x.actor, sc.id, bid_data(timeline="6个月", team="王工团队"), session=session
    )
    assert (bid.timeline, bid.team) == ("6个月", "王工团队")
    with pytest.raises(ValidationFailed) as info:
        bids.save_bid(world.vendor_y.actor, sc.id, bid_data(timeline="6月"), session=session)
    assert fields(info.value) == {"timeline": "validation.too_short_weighted"}
    assert "实施周期过短（至少4个字符，一个汉字计为2个字符）" in info.value.message("zh")
    # Maximums stay in characters: 120 Chinese characters fit a title of at most 120.
    made = scenarios.create_scenario(world.dept_a.actor, scenario_data(title="场" * 120), session=session)
    assert len(made.title) == 120
    with pytest.raises(ValidationFailed) as info:
        scenarios.create_scenario(world.dept_a.actor, scenario_data(title="场" * 121), session=session)
    assert fields(info.value) == {"title": "validation.too_long"}


def test_blank_required_text_is_required_not_too_short(session, world):
    with pytest.raises(ValidationFailed) as info:
        scenarios.create_scenario(
            world.dept_a.actor, scenario_data(title="   ", summary="\u200b"), session=session
        )
    assert fields(info.value) == {"title": "validation.required", "summary": "validation.required"}


# ------------------------------------------------------------------- 5. every problem at once


def test_save_and_submit_reports_submission_rules_with_the_field_problems(session, world):
    today = clock.today()
    data = scenario_data(title="短", closing_date=today, question_deadline=today, contact_phone="电话")
    with pytest.raises(ValidationFailed) as info:
        scenarios.save_scenario(world.dept_a.actor, None, data, submit=True, session=session)
    assert fields(info.value) == {
        "title": "validation.too_short_weighted",
        "closing_date": "validation.date_in_past",
        "contact_phone": "validation.phone",
    }
    assert session.exec(select(Scenario)).all() == []
    # The same for an existing draft.
    draft = scenarios.create_scenario(world.dept_a.actor, scenario_data(), session=session)
    with pytest.raises(ValidationFailed) as info:
        scenarios.save_scenario(
            world.dept_a.actor, draft.id, data, expected_version=draft.version, submit=True, session=session
        )
    assert set(fields(info.value)) == {"title", "closing_date", "contact_phone"}


def test_offer_save_reports_shape_and_taxonomy_problems_together(session, world):
    with pytest.raises(ValidationFailed) as info:
        offers.create_offer(
            world.vendor_x.actor,
            OFFER | {"title": "短", "sectors": ["no-such-sector"], "regions": [], "maturity": "x"},
            session=session,
        )
    assert fields(info.value) == {
        "title": "validation.too_short_weighted",
        "sectors": "validation.unknown_sector",
        "regions": "validation.required",
        "maturity": "validation.invalid_choice",
    }


def test_bid_save_reports_the_offer_rule_with_the_field_problems(session, world):
    sc = scenario_in(session, world, S.PUBLISHED)
    theirs = offers.create_offer(world.vendor_y.actor, OFFER, session=session)
    with pytest.raises(ValidationFailed) as info:
        bids.save_bid(
            world.vendor_x.actor, sc.id, bid_data(offer_id=theirs.id, timeline="1", price=-1), session=session
        )
    assert fields(info.value) == {
        "offer_id": "error.offer_not_yours",
        "timeline": "validation.too_short_weighted",
        "price": "validation.too_small",
    }
