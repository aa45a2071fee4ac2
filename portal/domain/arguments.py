"""Arguments of every service entry point: text, whole numbers, lists; one place, translated refusals.

Why: a service is called with whatever a browser, a URL, a file or a script sends. Text may hold a
lone surrogate (a JSON ``"\\ud800"`` decodes to one; neither database driver nor argon2 can encode it),
NUL bytes, bidi overrides or zero-width characters; a number may be ``10**30`` (SQLite and
PostgreSQL integers overflow); a list may hold 500 items of 10,000 characters. Each such value is
either cleaned here (search text and list filters: what cannot be stored cannot match) or refused
with a ``ValidationFailed`` naming the field, before it reaches a query or a hash. The rules are
documented in ``docs/validation.md``.

Lengths: maximums count characters (what the database column holds); *minimums* count a weighted
length in which a wide (CJK) character counts 2, so "6个月" (weight 5) is a long enough timeline
while "6月" (weight 3) is not. See ``weighted_len``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from portal.domain.errors import FieldError, ValidationFailed

#: Largest row id (PostgreSQL INTEGER); larger ids name no row.
MAX_ID = 2**31 - 1
#: Largest amount of money in CNY the portal stores (fits a BIGINT with room to spare).
MAX_MONEY = 10_000_000_000
#: Largest page number of a paginated list.
MAX_PAGE = 100_000
#: Longest search text used (the longest searched field); SQLite refuses LIKE patterns over 50 kB.
MAX_SEARCH = 500
#: Most codes a list filter (sectors, regions, statuses) may hold; codes are at most 40 characters.
MAX_FILTER_ITEMS = 100
MAX_CODE = 40

_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Control, zero-width and bidi-override characters, and lone surrogates.
CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def refuse(field_name: str, key: str, **params: Any) -> ValidationFailed:
    """The refusal of one argument (raise it): ``ValidationFailed`` with one field error."""
    return ValidationFailed([FieldError(field_name, key, params)])


def has_surrogates(value: str) -> bool:
    """Whether ``value`` holds a lone surrogate (text no UTF-8 encoder accepts)."""
    return bool(_SURROGATE.search(value))


def clean_text(value: Any) -> Any:
    """Normalise text (NFC), drop control, zero-width and bidi-override characters, trim whitespace.

    Non-strings are returned unchanged (the model's type check refuses them with a message).
    """
    if not isinstance(value, str):
        return value
    # Controls go before NFC: removing a zero-width char between "e" and U+0301 must still compose.
    value = CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", value).strip()


def weighted_len(value: str) -> int:
    """Length for minimums: a wide character (East Asian width W or F: CJK, kana, hangul, full-width
    forms) counts 2, every other character 1.

    Example:
        >>> weighted_len("6个月"), weighted_len("6月"), weighted_len("abcd")
        (5, 3, 4)
    """
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in value)


# ----------------------------------------------------------------------------------------- text


def search_text(value: Any, limit: int = MAX_SEARCH) -> str:
    """Free search text: cleaned, what cannot be stored dropped (it cannot match), cut to ``limit``.

    Never refuses: a search box answers "nothing found" rather than an error.
    """
    if not isinstance(value, str):
        return ""
    return clean_text(value)[:limit]


def text_arg(value: Any, field_name: str, *, max_chars: int, required: bool = False) -> str | None:
    """A short text argument (a filter, a name to look up): cleaned; refused when not text, too long or
    holding a lone surrogate (cleaning it away could turn a filter into "no filter")."""
    if value is None:
        if required:
            raise refuse(field_name, "validation.required")
        return None
    if not isinstance(value, str):
        raise refuse(field_name, "validation.invalid")
    if has_surrogates(value):
        raise refuse(field_name, "validation.bad_characters")
    cleaned = clean_text(value)
    if required and not cleaned:
        raise refuse(field_name, "validation.required")
    if len(cleaned) > max_chars:
        raise refuse(field_name, "validation.too_long", max_length=max_chars)
    return cleaned


def secret(value: Any, field_name: str = "password") -> str:
    """A password as typed: never cleaned (every character counts), refused when it cannot be encoded.

    A lone surrogate would crash the hasher; NUL bytes and any other character are kept.
    """
    if not isinstance(value, str):
        raise refuse(field_name, "validation.invalid")
    if has_surrogates(value):
        raise refuse(field_name, "validation.bad_characters")
    return value


def codes_arg(
    values: Any, field_name: str, *, max_items: int = MAX_FILTER_ITEMS, max_chars: int = MAX_CODE
) -> list[str] | None:
    """A list filter of codes (sectors, regions, statuses), cleaned.

    A single string is a one-item list; ``None`` means "no filter"; more than ``max_items`` is refused.
    An item that cannot be a code (not text, a lone surrogate, longer than ``max_chars``) stays in
    the list as one that matches nothing, so a filter never silently widens to "everything".
    """
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple, set, frozenset)):
        raise refuse(field_name, "validation.invalid")
    if len(values) > max_items:
        raise refuse(field_name, "validation.too_many", max=max_items)
    out = []
    for item in values:
        code = clean_text(item) if isinstance(item, str) else ""
        out.append(
            code
            if len(code) <= max_chars and not has_surrogates(item if isinstance(item, str) else "")
            else ""
        )
    return out


# ---------------------------------------------------------------------------------------- numbers


def int_arg(value: Any, field_name: str, *, lo: int, hi: int, required: bool = False) -> int | None:
    """A whole number within ``lo…hi``; refused (translated, naming the field) otherwise.

    ``True``/``False`` and floats are not whole numbers here; neither is text ("12" from a URL is
    converted by the page, e.g. ``state.query_int``).
    """
    if value is None:
        if required:
            raise refuse(field_name, "validation.required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise refuse(field_name, "validation.not_a_number")
    if value < lo:
        raise refuse(field_name, "validation.too_small", ge=lo)
    if value > hi:
        raise refuse(field_name, "validation.too_large", le=hi)
    return value


def id_arg(value: Any, field_name: str, *, required: bool = False) -> int | None:
    """A row id used as a filter (1…``MAX_ID``)."""
    return int_arg(value, field_name, lo=1, hi=MAX_ID, required=required)


def money_arg(value: Any, field_name: str) -> int | None:
    """An amount in CNY used as a filter (0…``MAX_MONEY``)."""
    return int_arg(value, field_name, lo=0, hi=MAX_MONEY)


def page_arg(value: Any, field_name: str = "page") -> int:
    """A 1-based page number (``None`` is the first page)."""
    return int_arg(value, field_name, lo=1, hi=MAX_PAGE) or 1


def ids_arg(values: Iterable[Any] | None) -> list[int] | None:
    """Internal id lists (e.g. from the matching index): ids that name no row are dropped."""
    if values is None:
        return None
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_ID]


# ------------------------------------------------------------------------------------ input models


@dataclass(frozen=True)
class ListLimit:
    """How long a list field may be: ``items`` entries, each at most ``chars`` characters (for a list
    of mappings, such as indicators: each value at most ``chars``, at most ``keys`` keys)."""

    items: int
    chars: int
    keys: int = 4


@dataclass(frozen=True)
class InputRules:
    """What pydantic's field declarations cannot say, declared on a model family's base class
    (``input_rules: ClassVar[InputRules]``) and checked by ``validation.parse``:
    weighted minimum lengths of text fields and the limits of list/JSON fields."""

    min_weight: dict[str, int] = field(default_factory=dict)
    lists: dict[str, ListLimit] = field(default_factory=dict)


def rule_errors(rules: InputRules, data: dict[str, Any]) -> list[FieldError]:
    """Every problem of ``data`` (already cleaned) with the weighted minimums and list limits.

    Values of the wrong type are left to the model's own type check.
    """
    errors: list[FieldError] = []
    for name, minimum in rules.min_weight.items():
        value = data.get(name)
        if isinstance(value, str) and value and weighted_len(value) < minimum:
            errors.append(FieldError(name, "validation.too_short_weighted", {"min_length": minimum}))
        elif name in data and value == "":
            errors.append(FieldError(name, "validation.required", {}))
    for name, limit in rules.lists.items():
        value = data.get(name)
        if not isinstance(value, list):
            continue
        if len(value) > limit.items:
            errors.append(FieldError(name, "validation.too_many", {"max": limit.items}))
            continue
        for item in value:
            texts = [item] if isinstance(item, str) else []
            if isinstance(item, dict):
                if len(item) > limit.keys:
                    errors.append(FieldError(name, "validation.item_too_many_keys", {"max": limit.keys}))
                    break
                texts = [v for kv in item.items() for v in kv if isinstance(v, str)]
            if any(len(t) > limit.chars for t in texts):
                errors.append(FieldError(name, "validation.item_too_long", {"max_length": limit.chars}))
                break
    return errors
