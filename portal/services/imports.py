"""Bulk import of scenario demands (场景需求批量导入) by the data authority, from Excel or CSV.

Why: departments often hand their demands to the authority as a spreadsheet. The authority previews
the file (every problem listed with its row number, translated), fixes it, and commits it; the
commit is all-or-nothing, because a half-imported batch is worse than none.

File format (``import_template`` writes it): one header row, then one scenario per row. Headers may
be Chinese (标题, 摘要, 详细描述, 领域, 地区, 可开放数据资源, 预期成效, 预算下限, 预算上限, 答疑截止日期,
揭榜截止日期, 联系人, 联系电话, 联系邮箱, 主管部门; optional 英文标题) or English (Title, Summary, …, or the
field codes ``title``, ``budget_min``, …). Sector and region take a code, a Chinese or an English
label; 主管部门 is the full name (Chinese or English) of a registered department. CSV may be UTF-8
(with or without BOM), GBK/GB18030 or UTF-16 with BOM, separated by commas, tabs or semicolons.

Each row goes through the same parsing and rules as a department's own entry
(``scenarios.validate_scenario``); a title already used by the same department (in
the file, or by an existing scenario that is not withdrawn or cancelled) is a duplicate.

Scenarios are created through ``scenarios.create_scenario`` on behalf of their department: the
acting user stays the authority's user (``created_by``, audit ``actor_id``, status history), while
the audit row's ``actor_org_id`` is the department the scenario belongs to.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from sqlmodel import Session, col, select

from portal import audit
from portal.audit import EventType
from portal.config import load_settings
from portal.domain.errors import FieldError, RuleViolation, ValidationFailed
from portal.domain.validation import clean, clean_text
from portal.i18n import t
from portal.models import Organization, OrgKind, Role, Scenario, ScenarioCreate, ScenarioStatus
from portal.permissions import Action, Actor, require
from portal.services import scenarios
from portal.services.door import transition
from portal.services.tabular import MAX_ROWS, cell_text, read_table, size_text
from portal.taxonomy import regions, sectors

#: Existing scenarios in these statuses do not block a re-import of the same title.
_INACTIVE = (ScenarioStatus.WITHDRAWN, ScenarioStatus.CANCELLED)


@dataclass(frozen=True)
class Column:
    """One importable column: the ``ScenarioCreate`` field (or ``department``) it fills."""

    field: str
    zh: str
    en: str
    kind: str  # text | list | int | date | sector | region | department | email | phone
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("title", "标题", "Title", "text", True),
    Column("title_en", "英文标题", "English title", "text"),
    Column("summary", "摘要", "Summary", "text", True),
    Column("description", "详细描述", "Description", "text", True),
    Column("sector", "领域", "Sector", "sector", True),
    Column("region", "地区", "Region", "region", True),
    Column("data_resources", "可开放数据资源", "Data resources", "list"),
    Column("expected_outcomes", "预期成效", "Expected outcomes", "text"),
    Column("budget_min", "预算下限", "Minimum budget", "int"),
    Column("budget_max", "预算上限", "Maximum budget", "int"),
    Column("question_deadline", "答疑截止日期", "Question deadline", "date", True),
    Column("closing_date", "揭榜截止日期", "Closing date", "date", True),
    Column("contact_name", "联系人", "Contact person", "text"),
    Column("contact_phone", "联系电话", "Contact phone", "phone"),
    Column("contact_email", "联系邮箱", "Contact e-mail", "email"),
    Column("department", "主管部门", "Department", "department", True),
)


@dataclass(frozen=True)
class RowError(FieldError):
    """A field error of one file row; the message starts with the row number (header = row 1)."""

    row: int = 0

    def message(self, lang: str = "zh") -> str:
        return t("import.row_error", lang, row=self.row, message=super().message(lang))


@dataclass(frozen=True)
class ImportRow:
    """One data row of the file: the values as they would be saved, and what is wrong with them."""

    row: int
    department: str
    org_id: int | None
    data: dict[str, Any]
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportPreview:
    """What ``commit_import`` would create from a file (nothing has been written)."""

    filename: str
    file_type: str  # "csv" | "xlsx"
    encoding: str | None
    columns: tuple[str, ...]
    rows: tuple[ImportRow, ...]

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    @property
    def valid_count(self) -> int:
        return sum(1 for r in self.rows if r.ok)


@dataclass(frozen=True)
class ImportResult:
    """What ``commit_import`` created."""

    filename: str
    status: ScenarioStatus
    scenario_ids: tuple[int, ...]
    by_department: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.scenario_ids)


# ------------------------------------------------------------------------------------ entry points


def preview_import(
    actor: Actor, filename: str, content: bytes, *, session: Session, submit: bool = False
) -> ImportPreview:
    """Parse and validate an import file without writing anything.

    Args:
        actor: must be the data authority (``Action.SCENARIO_IMPORT``).
        filename: the uploaded name; its extension (.xlsx / .csv) picks the reader.
        content: the file's bytes.
        submit: validate for import as *submitted* (closing date must be after today).

    Returns:
        An ``ImportPreview``; row problems are in ``rows[i].errors`` (``preview.errors`` lists all).

    Raises:
        PermissionDenied: not the authority.
        RuleViolation: the file as a whole is unusable (too large, empty, broken, unknown encoding,
            too many rows).
        ValidationFailed: the header row is wrong (missing, unknown or repeated columns, named).

    Example:
        >>> p = preview_import(authority, "第一批.csv", data, session=s)  # doctest: +SKIP
        >>> [e.message("zh") for e in p.errors]  # doctest: +SKIP
        ['第3行：领域中的领域“智慧农业”不存在。']
    """
    require(actor, Action.SCENARIO_IMPORT)
    table, file_type, encoding = read_table(filename, content)
    header_row, header = table[0]
    columns = _map_header(header)
    departments = _departments(session)
    rows = [
        _convert_row(number, cells, columns, departments, session, submit)
        for number, cells in table[1:]
        if any(cell_text(c) for c in cells)
    ]
    if not rows:
        raise RuleViolation("import.error.empty")
    rows = _mark_duplicates(rows, session)
    mapped = tuple(c.field for c in columns.values())
    return ImportPreview(clean_text(filename)[:200], file_type, encoding, mapped, tuple(rows))


def commit_import(
    actor: Actor, filename: str, content: bytes, *, session: Session, submit: bool = False
) -> ImportResult:
    """Validate the file again and create every row as a scenario of its department, or none.

    Rows become drafts (``submit=False``) or submitted scenarios awaiting review (``submit=True``).
    Everything is written inside a SAVEPOINT of the caller's transaction: on any error nothing of
    the import remains (the caller's earlier work is kept). The caller commits.

    Returns:
        ``ImportResult`` with the new scenario ids in file order.

    Raises:
        ValidationFailed: any row (or the header) is invalid; ``errors`` are ``RowError``s.
        RuleViolation / PermissionDenied: as ``preview_import``.

    Example:
        >>> res = commit_import(authority, "第一批.xlsx", data, session=s); s.commit()  # doctest: +SKIP
        >>> res.count
        12
    """
    preview = preview_import(actor, filename, content, session=session, submit=submit)
    if not preview.ok:
        raise ValidationFailed(list(preview.errors))
    status = ScenarioStatus.SUBMITTED if submit else ScenarioStatus.DRAFT
    ids: list[int] = []
    by_department: dict[str, int] = {}
    with _savepoint(session):
        for row in preview.rows:
            proxy = _on_behalf_of(actor, row.org_id)
            scenario = scenarios.create_scenario(proxy, row.data, session=session)
            if submit:
                # The rules for submitting were checked in the preview; the importer's own team
                # is not notified once per row (the import event below tells the story).
                transition(session, scenario, ScenarioStatus.SUBMITTED, actor=proxy)
            ids.append(scenario.id)  # type: ignore[arg-type]
            by_department[row.department] = by_department.get(row.department, 0) + 1
        audit.record(
            session,
            actor,
            EventType.SCENARIOS_IMPORTED,
            "scenario",
            None,
            filename=preview.filename,
            file_type=preview.file_type,
            sha256=hashlib.sha256(content).hexdigest(),
            rows=len(preview.rows),
            created=len(ids),
            status=str(status),
            departments=by_department,
            scenario_ids=ids,
        )
        session.flush()
    return ImportResult(preview.filename, status, tuple(ids), by_department)


def _savepoint(session: Session) -> Any:
    """A SAVEPOINT inside the caller's transaction.

    pysqlite (Python < 3.12) sends no BEGIN before a SAVEPOINT when only SELECTs ran so far; SQLite
    then treats the SAVEPOINT as the transaction itself and RELEASE would COMMIT it, bypassing the
    caller. An explicit BEGIN first keeps the import inside the caller's transaction.
    """
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        raw = conn.connection.driver_connection
        if raw is not None and not raw.in_transaction:
            conn.exec_driver_sql("BEGIN")
    return session.begin_nested()


def _on_behalf_of(actor: Actor, org_id: int | None) -> Actor:
    """The authority's user acting as the scenario's department (so the department owns it)."""
    return Actor(user_id=actor.user_id, org_id=org_id, role=Role.DEPARTMENT, language=actor.language)


# ------------------------------------------------------------------------------------- header


def _norm_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", cell_text(value)).casefold()
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)  # "预算下限（元）" → "预算下限" (NFKC made （） ASCII)
    return re.sub(r"[\s_\-.*:：]", "", text)


def _aliases() -> dict[str, Column]:
    out: dict[str, Column] = {}
    for column in COLUMNS:
        names = {column.field, column.zh, column.en}
        names |= {t(f"field.{column.field}", lang) for lang in ("zh", "en")}
        for name in names:
            out[_norm_header(name)] = column
    return out


def _map_header(header: list[Any]) -> dict[int, Column]:
    """Map column positions to columns, or raise naming the missing, unknown and repeated ones."""
    aliases = _aliases()
    mapped: dict[int, Column] = {}
    unknown, repeated = [], []
    for index, raw in enumerate(header):
        name = clean_text(cell_text(raw))
        if not name:
            continue
        column = aliases.get(_norm_header(name))
        if column is None:
            unknown.append(name[:60])
        elif column in mapped.values():
            repeated.append(name[:60])
        else:
            mapped[index] = column
    missing = [c.zh for c in COLUMNS if c.required and c not in mapped.values()]
    errors = []
    if missing:
        errors.append(FieldError("file", "import.missing_columns", {"columns": "、".join(missing)}))
    if unknown:
        expected = "、".join(c.zh for c in COLUMNS)
        errors.append(
            FieldError(
                "file", "import.unknown_columns", {"columns": "、".join(unknown), "expected": expected}
            )
        )
    if repeated:
        errors.append(FieldError("file", "import.duplicate_columns", {"columns": "、".join(repeated)}))
    if errors:
        raise ValidationFailed(errors)
    return mapped


# --------------------------------------------------------------------------------------- rows


def _departments(session: Session) -> dict[str, Organization]:
    rows = session.exec(select(Organization).where(Organization.kind == OrgKind.DEPARTMENT)).all()
    out: dict[str, Organization] = {}
    for org in rows:
        for name in (org.name, org.name_en):
            if name:
                out.setdefault(_norm_title(name), org)
    return out


def _convert_row(
    number: int,
    cells: list[Any],
    columns: dict[int, Column],
    departments: dict[str, Organization],
    session: Session,
    submit: bool,
) -> ImportRow:
    """Turn one row's cells into ``create_scenario`` input and collect every problem of the row."""
    errors: list[FieldError] = []
    if any(cell_text(c).strip() for i, c in enumerate(cells) if i not in columns):
        errors.append(FieldError("form", "import.extra_cells", {}))
    data: dict[str, Any] = {}
    department, org_id = "", None
    failed: set[str] = set()
    for index, column in columns.items():
        raw = cells[index] if index < len(cells) else None
        if column.kind == "department":
            department = clean_text(cell_text(raw))
            org = departments.get(_norm_title(department)) if department else None
            org_id = org.id if org else None
            if not department:
                errors.append(FieldError("department", "validation.required", {}))
            elif org is None:
                errors.append(
                    FieldError("department", "import.unknown_department", {"value": department[:60]})
                )
            continue
        try:
            value = _convert(column, raw)
        except _CellError as exc:
            errors.append(FieldError(column.field, exc.key, {}))
            failed.add(column.field)
            continue
        if value not in (None, "", []):
            data[column.field] = value
    try:  # every problem of the row at once (fields, weighted lengths, list limits, cross-field rules)
        sc = scenarios.validate_scenario(data, session, for_submit=submit)
    except ValidationFailed as exc:
        errors += [e for e in exc.errors if e.field not in failed]
        display = clean(data)
    else:
        display = sc.model_dump(exclude_unset=True)
        try:  # no confirmation in a file: personal data must leave the spreadsheet
            scenarios.check_personal_data(display)
        except ValidationFailed as exc:
            errors += exc.errors
    row_errors = tuple(RowError(e.field, e.key, e.params, number) for e in errors)
    return ImportRow(number, department, org_id, display, row_errors)


class _CellError(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


@cache
def _names_to_codes(kind: str) -> dict[str, str]:
    """Normalised code / Chinese label / English label → taxonomy code."""
    rows = sectors() if kind == "sector" else regions()
    out: dict[str, str] = {}
    for code, row in rows.items():
        for name in (code, row.get("zh", ""), row.get("en", "")):
            if name:
                out[_norm_title(name)] = code
    return out


def _convert(column: Column, raw: Any) -> Any:
    kind = column.kind
    if kind == "int":
        return _to_int(raw)
    if kind == "date":
        return _to_date(raw)
    text = clean_text(cell_text(raw))
    if kind == "list":
        return [item for item in (clean_text(p) for p in re.split(r"[\n;；]", text)) if item]
    if kind in ("sector", "region"):
        return _names_to_codes(kind).get(_norm_title(text), text)
    return text


_NUMBER = re.compile(r"^[+-]?\d{1,24}(?:\.\d{1,12})?$")


def _to_int(raw: Any) -> int | None:
    """Whole CNY amounts: 800000, 800000.0, "800,000", "80万", "80万元", "１２３"."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise _CellError("validation.not_a_number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if math.isfinite(raw) and raw.is_integer():
            return int(raw)
        raise _CellError("validation.not_a_number")
    if isinstance(raw, (date, datetime)):
        raise _CellError("validation.not_a_number")
    text = re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", clean_text(str(raw))))
    if not text:
        return None
    text = text.removesuffix("元")
    factor = 1
    if text.endswith("万"):
        factor, text = 10_000, text[:-1]
    elif text.endswith("亿"):
        factor, text = 100_000_000, text[:-1]
    if not _NUMBER.match(text):
        raise _CellError("validation.not_a_number")
    try:
        amount = Decimal(text) * factor
    except InvalidOperation:
        raise _CellError("validation.not_a_number") from None
    if amount != amount.to_integral_value():
        raise _CellError("validation.not_a_number")
    return int(amount)


_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_EXCEL_EPOCH = date(1899, 12, 30)


def _to_date(raw: Any) -> date | None:
    """Dates: Excel date cells, Excel serial numbers, "2027-03-31", "2027/3/31", "2027年3月31日"."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, bool):
        raise _CellError("validation.not_a_date")
    if isinstance(raw, (int, float)):
        if not (math.isfinite(raw) and 1 <= raw <= 2_958_465):
            raise _CellError("validation.not_a_date")
        return _EXCEL_EPOCH + timedelta(days=int(raw))
    text = unicodedata.normalize("NFKC", clean_text(str(raw)))
    if not text:
        return None
    match = _DATE.match(text)
    if not match:
        raise _CellError("validation.not_a_date")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _CellError("validation.not_a_date") from None


def _norm_title(value: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value)).strip().casefold()


def _mark_duplicates(rows: list[ImportRow], session: Session) -> list[ImportRow]:
    """Add a duplicate error to rows whose (department, title) is taken in the file or the database."""
    org_ids = {r.org_id for r in rows if r.org_id is not None}
    existing: dict[tuple[int, str], int] = {}
    if org_ids:
        query = select(Scenario.id, Scenario.org_id, Scenario.title).where(
            col(Scenario.org_id).in_(org_ids), col(Scenario.status).not_in(_INACTIVE)
        )
        for sid, org_id, title in session.exec(query):
            existing.setdefault((org_id, _norm_title(title)), sid)
    seen: dict[tuple[Any, str], int] = {}
    out = []
    for row in rows:
        title = row.data.get("title")
        if not isinstance(title, str) or not title:
            out.append(row)
            continue
        key = (row.org_id if row.org_id is not None else _norm_title(row.department), _norm_title(title))
        extra: list[RowError] = []
        if key in seen:
            extra.append(RowError("title", "import.duplicate_in_file", {"other": seen[key]}, row.row))
        else:
            seen[key] = row.row
        if key in existing:
            extra.append(RowError("title", "import.duplicate_existing", {"id": existing[key]}, row.row))
        out.append(ImportRow(row.row, row.department, row.org_id, row.data, row.errors + tuple(extra)))
    return out


# ------------------------------------------------------------------------------------ template


def import_template(lang: str = "zh") -> bytes:
    """An empty .xlsx import template: the header row, hints, instructions and the code lists.

    Example:
        >>> Path("模板.xlsx").write_bytes(import_template("zh"))  # doctest: +SKIP
    """
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    data = book.active
    data.title = t("import.template.sheet_data", lang)
    help_sheet = book.create_sheet(t("import.template.sheet_help", lang))
    codes = book.create_sheet(t("import.template.sheet_codes", lang))

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, 1):
        cell = data.cell(row=1, column=index, value=column.zh if lang == "zh" else column.en)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = fill
        cell.comment = Comment(_hint(column, lang), "Scenario Bridge")
        data.column_dimensions[get_column_letter(index)].width = 36 if column.kind == "text" else 18
    data.freeze_panes = "A2"

    help_sheet.append(
        [
            t("import.template.column", lang),
            t("import.template.required", lang),
            t("import.template.format", lang),
        ]
    )
    for column in COLUMNS:
        required = t("import.template.yes" if column.required else "import.template.no", lang)
        help_sheet.append([f"{column.zh} / {column.en}", required, _hint(column, lang)])
    help_sheet.append([])
    limit = size_text(load_settings().import_max_bytes)
    help_sheet.append([t("import.template.note", lang, limit=limit, max=MAX_ROWS)])
    for cell in help_sheet[1]:
        cell.font = bold
    help_sheet.column_dimensions["A"].width = 34
    help_sheet.column_dimensions["C"].width = 60

    codes.append(
        [
            t(k, lang)
            for k in (
                "import.template.kind",
                "import.template.code",
                "import.template.label_zh",
                "import.template.label_en",
            )
        ]
    )
    for cell in codes[1]:
        cell.font = bold
    spans: dict[str, tuple[int, int]] = {}
    for kind, rows in (("sector", sectors()), ("region", regions())):
        first = codes.max_row + 1
        for code, row in rows.items():
            codes.append([t(f"field.{kind}", lang), code, row["zh"], row["en"]])
        spans[kind] = (first, codes.max_row)
    for width, letter in ((12, "A"), (22, "B"), (24, "C"), (36, "D")):
        codes.column_dimensions[letter].width = width

    label_col = "C" if lang == "zh" else "D"
    for index, column in enumerate(COLUMNS, 1):
        if column.kind in spans:
            first, last = spans[column.kind]
            ref = f"'{codes.title}'!${label_col}${first}:${label_col}${last}"
            rule = DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=False)
            letter = get_column_letter(index)
            rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            data.add_data_validation(rule)

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _hint(column: Column, lang: str) -> str:
    if column.kind == "text":
        info = ScenarioCreate.model_fields[column.field].metadata
        low = ScenarioCreate.input_rules.min_weight.get(column.field, 0)
        high = next((m.max_length for m in info if getattr(m, "max_length", None) is not None), "")
        return t("import.hint.text", lang, min=low, max=high)
    return t(f"import.hint.{column.kind}", lang)


def header_names(lang: str = "zh") -> list[str]:
    """The canonical header row in ``lang`` (the template's first row)."""
    return [c.zh if lang == "zh" else c.en for c in COLUMNS]


def iter_errors(preview: ImportPreview, lang: str = "zh") -> Iterator[str]:
    """Every problem of a preview as a translated line (for the UI and the CLI)."""
    for error in preview.errors:
        yield error.message(lang)
