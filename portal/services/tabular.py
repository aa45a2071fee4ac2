"""Reading uploaded tables (CSV in any common Chinese encoding, Excel .xlsx) into numbered rows.

Why a module of its own: file decoding is where hostile input arrives (wrong encodings, zip bombs,
endless blank rows, broken workbooks); each case becomes a translated ``RuleViolation`` before any
domain rule runs. ``portal.services.imports`` turns the rows into scenarios.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from portal.config import load_settings
from portal.domain.errors import PortalError, RuleViolation
from portal.domain.validation import clean_text

MAX_ROWS = 2000
#: Refuse an .xlsx whose unpacked parts exceed this (a 5 MiB zip can unpack to gigabytes).
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_table(filename: str, content: bytes) -> tuple[list[tuple[int, list[Any]]], str, str | None]:
    """Return ``[(row number, cells)]`` (header first), the file type and the CSV encoding.

    Raises:
        RuleViolation: too large, empty, old .xls, unknown format, undecodable or broken file, too many rows.
    """
    limit = load_settings().import_max_bytes
    if len(content) > limit:
        raise RuleViolation("import.error.too_large", size=size_text(len(content)), limit=size_text(limit))
    if not content.strip():
        raise RuleViolation("import.error.empty")
    suffix = PurePath(filename or "").suffix.lower()
    if content.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise RuleViolation("import.error.xls")
    if content.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        table, file_type, encoding = _read_xlsx(content), "xlsx", None
    elif suffix in (".csv", ".txt", ".tsv", ""):
        text, encoding = _decode(content)
        table, file_type = _read_csv(text), "csv"
    else:
        raise RuleViolation("import.error.format", name=clean_text(filename)[:100])
    table = [(n, _trim(cells)) for n, cells in table]
    while table and not any(cell_text(c) for c in table[0][1]):
        table.pop(0)  # blank lines above the header
    if len(table) < 2:
        raise RuleViolation("import.error.empty")
    return table, file_type, encoding


def _decode(content: bytes) -> tuple[str, str]:
    utf16 = content.startswith((b"\xff\xfe", b"\xfe\xff"))
    candidates = ("utf-16",) if utf16 else ("utf-8-sig", "gb18030")
    for encoding in candidates:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise RuleViolation("import.error.encoding")


def _read_csv(text: str) -> list[tuple[int, list[Any]]]:
    first = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first.count) if any(d in first for d in ",\t;") else ","
    try:
        return list(_limited(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    except csv.Error:
        raise RuleViolation("import.error.bad_csv") from None


def _read_xlsx(content: bytes) -> list[tuple[int, list[Any]]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise RuleViolation("import.error.bad_excel") from None
    if unpacked > MAX_UNZIPPED_BYTES:
        raise RuleViolation(
            "import.error.too_large", size=size_text(unpacked), limit=size_text(MAX_UNZIPPED_BYTES)
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                return list(_limited(book.worksheets[0].iter_rows(values_only=True)))
            finally:
                book.close()
    except PortalError:
        raise
    except Exception:  # openpyxl raises many kinds (KeyError, ParseError, TypeError …) on broken parts
        raise RuleViolation("import.error.bad_excel") from None


def _limited(rows: Iterable[Iterable[Any]]) -> Iterator[tuple[int, list[Any]]]:
    """Number the rows (1-based) and stop past MAX_ROWS filled data rows.

    Blank rows do not count, but a sheet of endless blank rows (10 × MAX_ROWS) is refused too.
    """
    filled = 0
    for number, cells in enumerate(rows, 1):
        cells = list(cells)
        if any(cell_text(c) for c in cells):
            filled += 1
        if filled > MAX_ROWS + 1 or number > 10 * MAX_ROWS:  # + 1: the header row
            raise RuleViolation("import.error.too_many_rows", max=MAX_ROWS)
        yield number, cells


def _trim(cells: list[Any]) -> list[Any]:
    end = len(cells)
    while end and not cell_text(cells[end - 1]):
        end -= 1
    return list(cells[:end])


def size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KiB"
