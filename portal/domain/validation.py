"""Input cleaning and validation shared by all services.

Why: bad input must come back as one clear, translated message per field and must never reach the
database. Pydantic checks shapes and bounds (declared on the model families); this module turns its
errors into ``FieldError`` keys and adds the cross-field and taxonomy rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from portal.domain.arguments import CONTROL as _CONTROL  # noqa: F401  (re-exported for older callers)
from portal.domain.arguments import InputRules, clean_text, rule_errors
from portal.domain.errors import FieldError, ValidationFailed
from portal.taxonomy import is_region, is_sector

M = TypeVar("M", bound=BaseModel)

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
    "int_parsing_size": "validation.too_large",
    "int_type": "validation.not_a_number",
    "int_from_float": "validation.not_a_number",
    "float_parsing": "validation.not_a_number",
    "date_parsing": "validation.not_a_date",
    "date_from_datetime_parsing": "validation.not_a_date",
    "date_type": "validation.not_a_date",
    "enum": "validation.invalid_choice",
}

__all__ = ["Checker", "clean", "clean_text", "parse"]


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


def _errors_of(exc: PydanticError) -> list[FieldError]:
    errors = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "form"
        key = _PYDANTIC_KEYS.get(err["type"], "validation.invalid")
        ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, (int, float, str))}
        error = FieldError(field, key, ctx)
        if all((e.field, e.key) != (field, key) for e in errors):  # one message per item list
            errors.append(error)
    return errors


def _partial(model: type[M], data: dict[str, Any], bad: set[str]) -> M:
    """The model with every valid field converted, the failed ones ``None`` (for the cross-field rules)."""
    obj = model.model_construct()
    for name in model.model_fields:
        if name in bad:
            setattr(obj, name, None)
        elif name in data:
            try:
                model.__pydantic_validator__.validate_assignment(obj, name, data[name])
            except PydanticError:
                setattr(obj, name, None)
        elif not hasattr(obj, name):
            setattr(obj, name, None)
    return obj


def parse(model: type[M], data: dict[str, Any], rules: Callable[[Checker, M], None] | None = None) -> M:
    """Validate ``data`` into ``model`` or raise ``ValidationFailed`` listing EVERY problem, each at its field.

    Three kinds of problem are collected in one pass: the model's field declarations (pydantic: types,
    maximum lengths, bounds), its ``input_rules`` (weighted minimum lengths, list limits; see
    ``portal.domain.arguments``) and the caller's cross-field ``rules(checker, value)``, which run on
    the fields that are valid (the failed ones are ``None``, so a rule must skip ``None``). A field
    reported by an earlier kind is not reported again by a later one.
    """
    cleaned = clean(data)
    errors: list[FieldError] = []
    parsed: M | None = None
    try:
        parsed = model.model_validate(cleaned)
    except PydanticError as exc:
        errors = _errors_of(exc)
    input_rules = getattr(model, "input_rules", None)
    if isinstance(input_rules, InputRules):
        errors += _new(rule_errors(input_rules, cleaned), errors)
    if rules is not None:
        bad = {e.field for e in errors}
        value = parsed if parsed is not None and not bad else _partial(model, cleaned, bad)
        chk = Checker()
        rules(chk, value)
        errors += _new(chk.errors, errors)
    if errors:
        raise ValidationFailed(errors)
    assert parsed is not None
    return parsed


def _new(found: list[FieldError], reported: list[FieldError]) -> list[FieldError]:
    seen = {e.field for e in reported}
    out: list[FieldError] = []
    for e in found:
        if e.field not in seen and (e.field, e.key) not in {(o.field, o.key) for o in out}:
            out.append(e)
    return out


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
