"""One translation catalogue for every user-facing string (Chinese default, English second).

Why: the portal serves Chinese civil servants first; every message a user can see, including
service errors, goes through ``t`` so the same key renders in either language. A test fails when a
key exists in one language but not the other, or when code uses a key the catalogue lacks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from pathlib import Path

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
_DIR = Path(__file__).parent


@cache
def messages() -> dict[str, dict[str, str]]:
    """All messages: key → {"zh": …, "en": …}, merged from every ``*.json`` file of this folder.

    Several files (core, ui, …) keep edits apart; a key defined twice is an error.
    """
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(_DIR.glob("*.json")):
        with open(path, encoding="utf-8") as fh:
            for key, value in json.load(fh).items():
                if key in merged:
                    raise ValueError(f"i18n key {key!r} defined twice (again in {path.name})")
                merged[key] = value
    return merged


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Return the flat key → template mapping of ``lang``."""
    return {key: value[lang] for key, value in messages().items() if value.get(lang)}


#: Parameters whose string value is itself a catalogue key (``status="status.published"``) and is
#: translated. Only these: a user who names an organisation "role.authority" must not be shown as
#: the data authority, so any other parameter is shown as the literal text it is.
KEY_PARAMS = frozenset({"status", "what", "obj", "role", "current", "requested", "kind_label"})


class Key(str):
    """A parameter value that is a catalogue key, whatever the parameter's name."""


def t(
    key: str,
    lang: str = DEFAULT_LANGUAGE,
    *,
    escape: Callable[[str], str] | None = None,
    **params: object,
) -> str:
    """Translate ``key`` into ``lang``, formatting ``{name}`` placeholders with ``params``.

    Unknown keys render as the key itself (visible, never a crash); tests keep that from shipping.
    ``escape`` is applied to every formatted parameter (never to the trusted template): the UI passes
    its Markdown escaper, so a name like ``[click](http://x)`` renders as text.

    Example:
        >>> t("error.not_found", "en", what="scenario")
        'The requested scenario does not exist or is not visible to you.'
    """
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    template = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    if not params:
        return template
    try:
        values = {k: _fmt_param(k, v, lang) for k, v in params.items()}
        if escape is not None:
            values = {k: escape(str(v)) for k, v in values.items()}
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def _fmt_param(name: str, value: object, lang: str) -> object:
    if isinstance(value, str) and (name in KEY_PARAMS or isinstance(value, Key)):
        return catalogue(lang).get(value) or catalogue(DEFAULT_LANGUAGE).get(value) or value
    if isinstance(value, datetime):
        return format_datetime(value, lang)
    if isinstance(value, date):
        return format_date(value, lang)
    return value


def format_date(value: date | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """``2026年11月25日`` in Chinese, ``25 Nov 2026`` in English."""
    if value is None:
        return "—"
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%d %b %Y").lstrip("0")


def format_datetime(value: datetime | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Local (China Standard Time) date and minute of a UTC timestamp."""
    if value is None:
        return "—"
    from portal.clock import CST

    if value.tzinfo is not None:
        value = value.replace(tzinfo=None) - value.utcoffset()
    local = value + CST
    return f"{format_date(local.date(), lang)} {local:%H:%M}"


def format_cny(amount: float | int | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """CNY amounts: ``128.5万元`` in Chinese (万 is how budgets are read), ``CNY 1,285,000`` in English."""
    if amount is None:
        return "—"
    if lang == "zh":
        if abs(amount) >= 10_000:
            wan = amount / 10_000
            text = f"{wan:,.2f}".rstrip("0").rstrip(".")
            return f"{text}万元"
        return f"{amount:,.0f}元"
    return f"CNY {amount:,.0f}"


def format_number(value: float | int, lang: str = DEFAULT_LANGUAGE, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def label(kind: str, code: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Label of an enum value or taxonomy code, e.g. ``label("status", "published", "zh")``."""
    if code is None:
        return "—"
    if kind in ("sector", "region"):
        from portal.taxonomy import taxonomy_label

        return taxonomy_label(kind, code, lang)
    return t(f"{kind}.{code}", lang)
