"""Input cleaning and validation shared by all services.

Why: bad input must come back as one clear, translated message per field and must never reach the
database. Pydantic checks shapes and bounds (declared on the model families); this module turns its
errors into ``FieldError`` keys and adds the cross-field and taxonomy rules.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from portal.domain.errors import FieldError, ValidationFailed
from portal.taxonomy import is_region, is_sector

M = TypeVar("M", bound=BaseModel)

# Control, zero-width and bidi-override characters, and lone surrogates (a JSON "\ud800" escape decodes to
# one; neither SQLite nor PostgreSQL can store it as UTF-8).
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+\-() ]{5,40}$")

_PYDANTIC_KEYS = {
    "missing": "validation.required",
    "string_too_short": "validation.too_short",
    "too_short": "validation.too_short",
    "string_too_long": "validation.too_long",
    "too_long": "validation.too_long",
    "greater_than_equal": "validation.too_small",
    "greater_than": "validation.too_small",
    "less_than_equal": "validation.too_large",
    "less_than": "validation.too_large",
    "int_parsing": "validation.not_a_number",
    "int_type": "validation.not_a_number",
    "int_from_float": "validation.not_a_number",
    "float_parsing": "validation.not_a_number",
    "date_parsing": "validation.not_a_date",
    "date_from_datetime_parsing": "validation.not_a_date",
    "date_type": "validation.not_a_date",
    "enum": "validation.invalid_choice",
}


def clean_text(value: Any) -> Any:
    """Normalise text (NFC), drop control and bidi-override characters, trim whitespace."""
    if not isinstance(value, str):
        return value
    # Controls go before NFC: removing a zero-width char between "e" and U+0301 must still compose.
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", value).strip()


def clean(data: dict[str, Any]) -> dict[str, Any]:
    """Clean every string (and every string inside lists/dicts) of an input mapping."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list):
            items = [clean(v) if isinstance(v, dict) else clean_text(v) for v in value]
            out[key] = [v for v in items if v not in ("", None, {})]
        elif isinstance(value, dict):
            out[key] = clean(value)
        else:
            out[key] = clean_text(value)
    return out


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate ``data`` into ``model`` or raise ``ValidationFailed`` with per-field keys."""
    try:
        return model.model_validate(clean(data))
    except PydanticError as exc:
        errors = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "form"
            key = _PYDANTIC_KEYS.get(err["type"], "validation.invalid")
            ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, (int, float, str))}
            errors.append(FieldError(field, key, ctx))
        raise ValidationFailed(errors) from None


class Checker:
    """Collects field errors for cross-field rules, then raises them all at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, field: str, key: str, **params: Any) -> None:
        self.errors.append(FieldError(field, key, params))

    def sector(self, field: str, code: str | None) -> None:
        if code is not None and not is_sector(code):
            self.fail(field, "validation.unknown_sector", value=code)

    def sectors(self, field: str, codes: list[str] | None, required: bool = True) -> None:
        if required and not codes:
            self.fail(field, "validation.required")
        for code in codes or []:
            self.sector(field, code)

    def region(self, field: str, code: str | None) -> None:
        if code is not None and not is_region(code):
            self.fail(field, "validation.unknown_region", value=code)

    def regions(self, field: str, codes: list[str] | None, required: bool = True) -> None:
        if required and not codes:
            self.fail(field, "validation.required")
        for code in codes or []:
            self.region(field, code)

    def email(self, field: str, value: str | None) -> None:
        if value and not _EMAIL.match(value):
            self.fail(field, "validation.email")

    def phone(self, field: str, value: str | None) -> None:
        if value and not _PHONE.match(value):
            self.fail(field, "validation.phone")

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
