"""Open-data exports (开放数据) and the printable published call list (第N批场景清单).

Why: the authority publishes what the portal achieved as open data, and every published call list
must be downloadable and printable. Exports carry public facts only: ``ScenarioPublic`` fields,
bilingual sector/region labels, organisation names, contract values and achieved indicators. No
personal contact data leaves the portal: contact fields are never selected, and free text is
scrubbed of ID, phone, bank card numbers and e-mail addresses however they are written
(``portal.domain.pii``: full-width, spaced, Chinese numerals, obfuscated) and of the names of known
contact persons and users (replaced by ``REDACTED``). CSV files are UTF-8 with BOM (Excel shows Chinese correctly); text
cells that a spreadsheet would run as a formula (``= + - @``) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, col, select

from portal import audit, clock
from portal.audit import EventType
from portal.domain import pii
from portal.domain.errors import NotFound, RuleViolation
from portal.i18n import format_cny, format_date, format_datetime, t
from portal.models import Call, CallStatus, Organization, Outcome, Scenario, User
from portal.permissions import PUBLIC_STATUSES, Action, Actor, require
from portal.services.attachments import public_annexes
from portal.services.calls import call_scenarios
from portal.services.door import get_or_404
from portal.services.scenarios import to_public
from portal.taxonomy import taxonomy_label

REDACTED = pii.MASK
FORMATS = ("csv", "json")

SCENARIO_FIELDS = (
    "id",
    "title",
    "title_en",
    "summary",
    "description",
    "sector",
    "sector_zh",
    "sector_en",
    "region",
    "region_zh",
    "region_en",
    "org_id",
    "department",
    "department_en",
    "data_resources",
    "expected_outcomes",
    "indicators",
    "budget_min",
    "budget_max",
    "eligibility",
    "question_deadline",
    "closing_date",
    "status",
    "published_at",
    "call_id",
    "list_number",
)
OUTCOME_FIELDS = (
    "scenario_id",
    "scenario_title",
    "scenario_title_en",
    "department",
    "department_en",
    "sector",
    "sector_zh",
    "sector_en",
    "region",
    "region_zh",
    "region_en",
    "status",
    "published_at",
    "awarded_at",
    "vendor",
    "vendor_en",
    "contract_value",
    "start_date",
    "end_date",
    "achieved_indicators",
    "summary",
)

ANNEX_FIELDS = ("scenario_id", "attachment_id", "filename", "media_type", "size", "sha256", "uploaded_at")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFile:
    """One downloadable file."""

    name: str
    content: bytes
    media_type: str


class Scrubber:
    """Removes personal data (``portal.domain.pii``) and known personal names from free text."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        wanted = sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True)
        self._names = re.compile("|".join(re.escape(n) for n in wanted)) if wanted else None

    @classmethod
    def for_session(cls, session: Session) -> Scrubber:
        """Names of every contact person and user (user names equal to an organisation name excepted)."""
        orgs = set(session.exec(select(Organization.name)).all())
        names = set(session.exec(select(Scenario.contact_name)).all())
        names |= set(session.exec(select(Organization.contact_name)).all())
        names |= {n for n in session.exec(select(User.display_name)).all() if n not in orgs}
        return cls(names - orgs)

    def text(self, value: str) -> str:
        value = pii.mask(value, REDACTED)  # ID, phone, e-mail and bank card numbers, however written
        if self._names is not None:
            value = self._names.sub(REDACTED, value)
        return value

    def deep(self, value: Any) -> Any:
        """Scrub every string inside lists and dicts."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        if isinstance(value, dict):
            return {k: self.deep(v) for k, v in value.items()}
        return value


# ------------------------------------------------------------------------------------ open data


def check_export(actor: Actor, fmt: str) -> None:
    """May ``actor`` export open data in ``fmt``? The data authority, in a known format.

    Raises:
        PermissionDenied: without ``DATA_EXPORT``.
        RuleViolation: ``export.error.format`` (unknown format).
    """
    require(actor, Action.DATA_EXPORT)
    if fmt not in FORMATS:
        raise RuleViolation("export.error.format", fmt=str(fmt)[:20])


def export_open_data(actor: Actor, fmt: str, *, session: Session) -> dict[str, bytes]:
    """Export public scenarios and their outcomes as open data.

    Args:
        actor: must hold ``Action.DATA_EXPORT`` (the data authority).
        fmt: ``"csv"`` (UTF-8 with BOM; lists and indicators as JSON text) or ``"json"`` (an array
            of records per file).

    Returns:
        ``{"scenarios.<fmt>": bytes, "outcomes.<fmt>": bytes, "annexes.<fmt>": bytes}`` (annexes:
        the files of public scenarios with name, size and SHA-256, to fetch and verify); one ``data.exported`` audit row is
        added to the session.

    Raises:
        PermissionDenied: without ``DATA_EXPORT``.
        RuleViolation: unknown format.

    Example:
        >>> files = export_open_data(authority, "csv", session=s)  # doctest: +SKIP
        >>> sorted(files)
        ['annexes.csv', 'outcomes.csv', 'scenarios.csv']
    """
    check_export(actor, fmt)
    scrubber = Scrubber.for_session(session)
    scenarios = scenario_records(session, scrubber)
    outcomes = outcome_records(session, scrubber)
    annexes = [scrubber.deep(r) for r in annex_records(session)]
    files = {
        f"scenarios.{fmt}": _encode(scenarios, SCENARIO_FIELDS, fmt),
        f"outcomes.{fmt}": _encode(outcomes, OUTCOME_FIELDS, fmt),
        f"annexes.{fmt}": _encode(annexes, ANNEX_FIELDS, fmt),
    }
    audit.record(
        session,
        actor,
        EventType.DATA_EXPORTED,
        "scenario",
        None,
        format=fmt,
        files={
            f"scenarios.{fmt}": len(scenarios),
            f"outcomes.{fmt}": len(outcomes),
            f"annexes.{fmt}": len(annexes),
        },
    )
    session.flush()
    return files


def annex_records(session: Session) -> list[dict[str, Any]]:
    """Annexes of public scenarios (``ANNEX_FIELDS``): name, media type, size and SHA-256."""
    return [
        {
            "scenario_id": a.object_id,
            "attachment_id": a.id,
            "filename": a.filename,
            "media_type": a.media_type,
            "size": a.size,
            "sha256": a.sha256,
            "uploaded_at": _iso(a.created_at),
        }
        for a in public_annexes(session)
    ]


def _public_scenarios(session: Session) -> list[Scenario]:
    q = select(Scenario).where(col(Scenario.status).in_(PUBLIC_STATUSES)).order_by(col(Scenario.id))
    return list(session.exec(q).all())


def _orgs(session: Session, ids: set[int]) -> dict[int, Organization]:
    if not ids:
        return {}
    return {o.id: o for o in session.exec(select(Organization).where(col(Organization.id).in_(ids)))}  # type: ignore[misc]


def _labels(kind: str, code: str) -> dict[str, str]:
    return {
        kind: code,
        f"{kind}_zh": taxonomy_label(kind, code, "zh"),
        f"{kind}_en": taxonomy_label(kind, code, "en"),
    }


def scenario_records(session: Session, scrubber: Scrubber) -> list[dict[str, Any]]:
    """Public scenarios as flat records (``SCENARIO_FIELDS``), scrubbed."""
    rows = _public_scenarios(session)
    orgs = _orgs(session, {r.org_id for r in rows})
    out = []
    for row in rows:
        org = orgs.get(row.org_id)
        public = to_public(row, org.name if org else "").model_dump(mode="json")
        public["published_at"] = _iso(row.published_at)
        record = public | _labels("sector", row.sector) | _labels("region", row.region)
        record["department"] = record.pop("org_name")
        record["department_en"] = org.name_en if org else ""
        out.append(scrubber.deep({k: record.get(k) for k in SCENARIO_FIELDS}))
    return out


def outcome_records(session: Session, scrubber: Scrubber) -> list[dict[str, Any]]:
    """Outcomes of public scenarios with the winning vendor organisation (never a person)."""
    q = (
        select(Outcome, Scenario)
        .join(Scenario, col(Scenario.id) == col(Outcome.scenario_id))
        .where(col(Scenario.status).in_(PUBLIC_STATUSES))
        .order_by(col(Scenario.id))
    )
    pairs = list(session.exec(q).all())
    orgs = _orgs(session, {s.org_id for _, s in pairs} | {o.vendor_org_id for o, _ in pairs})
    out = []
    for outcome, scenario in pairs:
        dept, vendor = orgs.get(scenario.org_id), orgs.get(outcome.vendor_org_id)
        record = {
            "scenario_id": scenario.id,
            "scenario_title": scenario.title,
            "scenario_title_en": scenario.title_en,
            "department": dept.name if dept else "",
            "department_en": dept.name_en if dept else "",
            **_labels("sector", scenario.sector),
            **_labels("region", scenario.region),
            "status": str(scenario.status),
            "published_at": _iso(scenario.published_at),
            "awarded_at": _iso(scenario.awarded_at),
            "vendor": vendor.name if vendor else "",
            "vendor_en": vendor.name_en if vendor else "",
            "contract_value": outcome.contract_value,
            "start_date": _iso(outcome.start_date),
            "end_date": _iso(outcome.end_date),
            "achieved_indicators": [dict(i) for i in outcome.achieved_indicators or []],
            "summary": outcome.summary,
        }
        out.append(scrubber.deep(record))
    return out


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    return value.isoformat()


def _encode(records: list[dict[str, Any]], fields: tuple[str, ...], fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8")
    return _csv_bytes([list(fields)] + [[_csv_cell(r.get(f)) for f in fields] for r in records])


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return guard_formula(str(value)) if isinstance(value, str) else str(value)


def guard_formula(text: str) -> str:
    """Prefix text a spreadsheet would evaluate (``=cmd|…``, ``+1``, ``@SUM``) with an apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


# ------------------------------------------------------------------------------------ call list


def call_list_export(call_id: int, fmt: str, *, session: Session, lang: str = "zh") -> ExportFile:
    """The numbered scenario list of a *published* call, as CSV or a printable HTML page (public).

    Raises:
        NotFound: no such call, or its list is not published yet.
        RuleViolation: ``fmt`` is neither ``"csv"`` nor ``"html"``.

    Example:
        >>> f = call_list_export(3, "html", session=s)  # doctest: +SKIP
        >>> f.name
        'scenario-list-batch-1.html'
    """
    if fmt not in ("csv", "html"):
        raise RuleViolation("export.error.format", fmt=str(fmt)[:20])
    call = get_or_404(session, Call, call_id)
    if call.status != CallStatus.PUBLISHED:
        raise NotFound(what="object.call")
    rows = sorted(
        call_scenarios(session, call.id, public_only=True),  # type: ignore[arg-type]
        key=lambda s: (s.list_number is None, s.list_number or 0, s.id),
    )
    orgs = _orgs(session, {r.org_id for r in rows})
    scrubber = Scrubber.for_session(session)
    header = [
        t("export.col.list_number", lang),
        t("field.title", lang),
        t("field.department", lang),
        t("field.sector", lang),
        t("field.region", lang),
        t("export.col.budget", lang),
        t("field.closing_date", lang),
        t("field.summary", lang),
    ]
    table = []
    for row in rows:
        org = orgs.get(row.org_id)
        org_name = (org.name if lang == "zh" or not org.name_en else org.name_en) if org else ""
        title = row.title if lang == "zh" or not row.title_en else row.title_en
        table.append(
            [
                str(row.list_number or ""),
                scrubber.text(title),
                org_name,
                taxonomy_label("sector", row.sector, lang),
                taxonomy_label("region", row.region, lang),
                _budget(row.budget_min, row.budget_max, lang),
                format_date(row.closing_date, lang),
                scrubber.text(row.summary),
            ]
        )
    batch = call.batch_number or 0
    name = f"scenario-list-batch-{batch}.{fmt}"
    if fmt == "csv":
        body = _csv_bytes([header] + [[guard_formula(c) for c in r] for r in table])
        return ExportFile(name, body, "text/csv; charset=utf-8")
    page = _html_page(call, batch, header, table, lang)
    return ExportFile(name, page.encode("utf-8"), "text/html; charset=utf-8")


def _budget(low: int | None, high: int | None, lang: str) -> str:
    if low is None and high is None:
        return t("export.budget_open", lang)
    if low is None or high is None or low == high:
        return format_cny(low if high is None else high, lang)
    return f"{format_cny(low, lang)} – {format_cny(high, lang)}"


_CSS = """
body { font-family: "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { font-size: 1.1em; font-weight: normal; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: .9em; }
th, td { border: 1px solid #999; padding: .35em .5em; vertical-align: top; text-align: left; }
th { background: #eef3f8; } tr { page-break-inside: avoid; }
.meta { color: #555; font-size: .85em; }
@media print { body { margin: 1cm; } th { background: #eee !important; -webkit-print-color-adjust: exact; } }
"""


def _html_page(call: Call, batch: int, header: list[str], table: list[list[str]], lang: str) -> str:
    esc = html.escape
    title = t("export.call_list.title", lang, batch=batch)
    theme = call.theme if lang == "zh" or not call.theme_en else call.theme_en
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in table)
    meta = " · ".join(
        [
            t("export.count", lang, count=len(table)),
            t("export.generated", lang, at=format_datetime(clock.now(), lang)),
        ]
    )
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<h1>{esc(title)}</h1>\n<h2>{esc(theme)}</h2>\n<p class="meta">{esc(meta)}</p>\n'
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n</body>\n</html>\n"
    )
