"""Personal data in free text (个人信息识别): ID numbers, phone numbers, e-mail addresses, bank cards.

Why: departments write contact details into descriptions, and the portal must not publish them
(Regulation Article 19: personal information is processed only within its authorisation). Writers
hide them from naive patterns, on purpose or not: full-width digits (１３８…), spaces, dots or
dashes between digit groups, Chinese numerals (一三八…), full-width brackets around an area code
(（0851）), and spelled-out addresses (``name at example dot com``, ``name＠example．com``,
``name「at」example.com``). So matching runs on a *normalised* view of the text, and every finding
carries its span in the ORIGINAL text, so it can be masked there.

Pure rules only (no database): ``find``/``scan`` detect, ``mask``/``mask_value`` hide, and
``fingerprint`` names what was found so a department's "this is not personal data" confirmation
holds only for exactly that data (changing the number asks again).

Kinds (``KINDS``):
- ``id_number``: 18-character resident ID (GB 11643): valid region, birth date and ISO 7064 MOD 11-2
  check character. A random 18-digit number (a budget of 100000000000000000, an all-digit credit
  code) fails the check and is not flagged.
- ``mobile``: 1[3-9] + 9 digits, optionally after +86 / 0086 / 0.
- ``landline``: area code (010, 02X, 0XXX) + 7-8 digits; a bare 7-8 digit number right after a
  phone keyword (电话, 座机, Tel …).
- ``phone``: another number written in international form (``+852 2123 4567``).
- ``email``: local@domain.tld after undoing obfuscation; a plain English " at " counts only when
  the dot is spelled out too or the domain is a well-known mail provider (so "available at
  github.com" is not an address).
- ``bank_card``: 16-19 digits with a valid Luhn sum and a card-network prefix (62, 3, 4, 5, 6),
  not a valid credit code.

A number directly followed by a unit or currency (元, 万, 亿, %, 人次 …) or preceded by ¥/￥ is an
amount, not a phone number (ID numbers excepted).

Example:
    >>> [f.kind for f in find("联系：一三八 零零一三 八零零零，zhang at example dot com")]
    ['mobile', 'email']
    >>> mask("电话（0851）8682-3456")
    '电话[已隐去]'
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.domain.uscc import is_valid_uscc

MASK = "[已隐去]"
KINDS = ("id_number", "mobile", "landline", "phone", "email", "bank_card")
#: Scenario fields that are published as written (contact fields are never public: not scanned).
PUBLIC_TEXT_FIELDS = (
    "title",
    "title_en",
    "summary",
    "description",
    "data_resources",
    "expected_outcomes",
    "indicators",
)


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind, where it is in the original text, and in which field.

    ``path`` names the list item or indicator cell for list fields (``"indicators.0.target"``);
    ``start``/``end`` index that string. ``value`` is the normalised data (digits, lower-case
    address), used for fingerprints and never shown to the public.
    """

    kind: str
    start: int
    end: int
    field: str = ""
    path: str = ""
    value: str = ""


# ------------------------------------------------------------------------------ normalised view


class Normalised:
    """A normalised copy of a text that knows, for every character, where it came from.

    ``text[i]`` stems from ``original[start:end]`` with ``(start, end) = origin(i)``; an identity
    view (nothing changed length) keeps no table at all.
    """

    __slots__ = ("_origin", "text")

    def __init__(self, text: str, origin: list[tuple[int, int]] | None = None) -> None:
        self.text = text
        self._origin = origin  # None: character i stems from character i

    def origin(self, i: int) -> tuple[int, int]:
        return (i, i + 1) if self._origin is None else self._origin[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``text[start:end]``."""
        return self.origin(start)[0], self.origin(end - 1)[1]

    def sub(self, pattern: re.Pattern[str], repl: str) -> Normalised:
        """Replace matches by ``repl``; the replacement stems from the whole matched original span."""
        matches = [m for m in pattern.finditer(self.text) if m.start() < m.end()]
        if not matches:
            return self
        table = self._origin or [(i, i + 1) for i in range(len(self.text))]
        out: list[str] = []
        origin: list[tuple[int, int]] = []
        last = 0
        for m in matches:
            out.append(self.text[last : m.start()])
            origin.extend(table[last : m.start()])
            out.append(repl)
            origin.extend([self.span(m.start(), m.end())] * len(repl))
            last = m.end()
        out.append(self.text[last:])
        origin.extend(table[last:])
        return Normalised("".join(out), origin)


#: Chinese numerals as read digit by digit (一三八…, 幺 for one, formal 壹贰叁…).
CHINESE_DIGITS = {
    **dict.fromkeys("〇零洞", "0"),
    **dict.fromkeys("一壹幺", "1"),
    **dict.fromkeys("二贰两", "2"),
    **dict.fromkeys("三叁", "3"),
    **dict.fromkeys("四肆", "4"),
    **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆", "6"),
    **dict.fromkeys("七柒", "7"),
    **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖", "9"),
}


_NUMERALS = str.maketrans(CHINESE_DIGITS)


@functools.lru_cache(maxsize=65536)
def _nfkc(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch) or ch


def normalise(text: str, *, numerals: bool = True) -> Normalised:
    """NFKC per character (full-width → ASCII, ① → 1), and Chinese numerals → digits.

    Example:
        >>> normalise("１３８（一）").text
        '138(1)'
    """
    quick = text.translate(_NUMERALS) if numerals else text
    if quick.isascii():
        return Normalised(quick)
    table: dict[int, str] = {}
    expands = False
    for ch in set(quick):
        if not ch.isascii():
            mapped = _nfkc(ch)
            if mapped != ch:
                table[ord(ch)] = mapped
                expands = expands or len(mapped) != 1
    if not expands:  # every character stays one character (，→, １→1): no table needed
        return Normalised(quick.translate(table))
    out: list[str] = []
    origin: list[tuple[int, int]] = []
    for i, ch in enumerate(quick):
        mapped = table.get(ord(ch), ch)
        out.append(mapped)
        origin.extend([(i, i + 1)] * len(mapped))
    return Normalised("".join(out), origin)


# ------------------------------------------------------------------------------ numbers

_SEPARATORS = frozenset(" \t\u00a0-‐‑‒–—―−.·•・_~")
_BRACKETS = frozenset("()[]【】")
_GAP_CHARS = _SEPARATORS | _BRACKETS
_MAX_GAP = 3
#: Amount units: words that *start* with one of these characters (台账, 项目, 个人) must not count.
_UNITS = (
    "元",
    "万",
    "亿",
    "块钱",
    "%",
    "‰",
    "人次",
    "吨",
    "公斤",
    "千克",
    "公里",
    "千米",
    "平方米",
    "kg",
    "km",
    "KB",
    "MB",
    "GB",
    "TB",
)
_CURRENCY = ("¥", "￥", "$", "RMB", "CNY", "€")
_PHONE_KEYWORD = re.compile(
    r"(?:电话|座机|固话|热线|传真|手机|联系方式|tel|phone|fax|mobile)[^0-9\n]{0,4}$", re.IGNORECASE
)
_MOBILE = re.compile(r"(?:0086|86|0)?1[3-9]\d{9}")
_LANDLINE = re.compile(r"(?:0086|86)?0(?:10|2\d|[3-9]\d{2})[1-9]\d{6,7}")
_LOCAL = re.compile(r"[2-9]\d{6,7}")
_ID_REGIONS = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PRIORITY = {"id_number": 0, "bank_card": 1, "mobile": 2, "landline": 3, "phone": 4}


def is_valid_id_number(code: str) -> bool:
    """GB 11643 resident ID: region, birth date and check character.

    Example:
        >>> is_valid_id_number("11010519491231002X"), is_valid_id_number("100000000000000000")
        (True, False)
    """
    code = code.upper()
    if len(code) != 18 or not code[:17].isdigit() or code[17] not in "0123456789X":
        return False
    if code[:2] not in _ID_REGIONS:
        return False
    try:
        born = date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return False
    if not 1900 <= born.year <= 2099:
        return False
    total = sum(int(d) * w for d, w in zip(code[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == code[17]


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _classify(digits: str, keyed: bool, plus: bool = False) -> str | None:
    if len(digits) == 18 and is_valid_id_number(digits):
        return "id_number"
    if "X" in digits:
        return None
    if plus and not digits.startswith("86") and 8 <= len(digits) <= 15:
        return "phone"  # +852 …, +1 …: another country's number
    if _MOBILE.fullmatch(digits):
        return "mobile"
    if _LANDLINE.fullmatch(digits):
        return "landline"
    if (
        16 <= len(digits) <= 19
        and digits[0] in "34569"
        and luhn_ok(digits)
        and not (len(digits) == 18 and is_valid_uscc(digits))
    ):
        return "bank_card"
    if keyed and _LOCAL.fullmatch(digits):
        return "landline"
    if plus and 8 <= len(digits) <= 15 and digits[0] != "0":
        return "phone"
    return None


def _canonical(kind: str, digits: str) -> str:
    """The number without its country or trunk prefix (+86 138…, 0086 …, 0138…): one value, one fingerprint."""
    if kind in ("mobile", "landline"):
        for prefix in ("0086", "86"):
            if digits.startswith(prefix) and len(digits) - len(prefix) >= 10:
                digits = digits[len(prefix) :]
                break
        if kind == "mobile" and digits.startswith("0"):
            digits = digits[1:]
    return digits


@dataclass(frozen=True)
class _Group:
    digits: str
    start: int  # in the normalised text
    end: int
    script: bool  # True: written in Chinese numerals


_DIGIT_RUN = re.compile(r"[0-9]+")


def _groups(view: Normalised, original: str) -> list[_Group]:
    """Runs of digits; a run switching between Chinese numerals and digits is split there."""
    text = view.text
    groups: list[_Group] = []
    for m in _DIGIT_RUN.finditer(text):
        i, end = m.start(), m.end()
        while i < end:
            chinese = original[view.origin(i)[0]] in CHINESE_DIGITS
            j = i + 1
            while j < end and (original[view.origin(j)[0]] in CHINESE_DIGITS) == chinese:
                j += 1
            digits = text[i:j]
            if j == end < len(text) and text[j] in "Xx" and not text[j + 1 : j + 2].isalnum():
                digits += "X"
                j += 1
            groups.append(_Group(digits, i, j, chinese))
            i = j
    return groups


def _chains(groups: list[_Group], text: str) -> Iterator[list[_Group]]:
    chain: list[_Group] = []
    for g in groups:
        if chain:
            gap = text[chain[-1].end : g.start]
            if (
                len(gap) <= _MAX_GAP
                and all(c in _GAP_CHARS for c in gap)
                and not chain[-1].digits.endswith("X")
            ):
                chain.append(g)
                continue
            yield chain
        chain = [g]
    if chain:
        yield chain


def _is_amount(view: Normalised, start: int, end: int) -> bool:
    text = view.text
    after = text[end : end + 6].lstrip(" \t\u00a0")
    if after.startswith(_UNITS):
        return True
    before = text[max(0, start - 4) : start].rstrip(" \t\u00a0")
    return before.endswith(_CURRENCY)


def _extend(text: str, start: int, end: int) -> tuple[int, int]:
    """Take a leading ``+`` and brackets that belong to the number (``(+86)``, ``（0851）``) into the span."""
    s = start
    if s > 0 and text[s - 1] == "+":
        s -= 1
    if s > 0 and text[s - 1] in "([【" and any(c in ")]】" for c in text[s:end]):
        s -= 1
        if s > 0 and text[s - 1] == "+":  # +(86)
            s -= 1
    e = end
    opened = sum(text[s:e].count(c) for c in "([【") - sum(text[s:e].count(c) for c in ")]】")
    if opened > 0 and e < len(text) and text[e] in ")]】":
        e += 1
    return s, e


def _numbers(text: str) -> list[tuple[str, int, int, str]]:
    """(kind, view start, view end, digits) of the number findings, on the normalised view."""
    view = normalise(text)
    out: list[tuple[str, int, int, str]] = []
    for chain in _chains(_groups(view, text), view.text):
        if sum(len(g.digits) for g in chain) < 7:
            continue  # no kind has fewer than 7 digits
        cands: list[tuple[int, int, str, str]] = []  # (i, j, kind, digits)
        for i in range(len(chain)):
            keyed = bool(_PHONE_KEYWORD.search(view.text[max(0, chain[i].start - 12) : chain[i].start]))
            acc = ""
            for j in range(i, len(chain)):
                acc += chain[j].digits
                if len(acc) > 21:
                    break
                plus = i == 0 and view.text[max(0, chain[0].start - 2) : chain[0].start].endswith(("+", "+("))
                kind = _classify(acc, keyed, plus)
                if kind is None:
                    continue
                if kind != "id_number" and _is_amount(view, chain[i].start, chain[j].end):
                    continue
                cands.append((i, j, kind, acc))
        cands.sort(key=lambda c: (-len(c[3]), _PRIORITY[c[2]], c[0]))
        taken: set[int] = set()
        for i, j, kind, digits in cands:
            if taken & set(range(i, j + 1)):
                continue
            taken |= set(range(i, j + 1))
            s, e = _extend(view.text, chain[i].start, chain[j].end)
            out.append((kind, s, e, _canonical(kind, digits)))
    return [(k, *view.span(s, e), d) for k, s, e, d in out]


# ------------------------------------------------------------------------------ e-mail

_OPEN, _CLOSE = r"[(\[{<【「『《]", r"[)\]}>】」』》]"
_AT_STRONG = re.compile(rf"\s*(?:@|{_OPEN}\s*at\s*{_CLOSE}|艾特)\s*(?=[A-Za-z0-9])", re.I)
_AT_HASH = re.compile(r"(?<=[A-Za-z0-9_.\-])#(?=[A-Za-z0-9])")
_AT_WEAK = re.compile(r"(?<=[A-Za-z0-9_])\s+at\s+(?=[A-Za-z0-9])", re.I)
_DOT_SPELLED = re.compile(
    rf"(?<=[A-Za-z0-9])(?:\s*{_OPEN}\s*(?:dot|点)\s*{_CLOSE}\s*|\s+dot\s+|\s*[点。]\s*)(?=[A-Za-z0-9])", re.I
)
_DOT_SPACED = re.compile(r"(?<=[A-Za-z0-9])\s*\.\s*(?=[A-Za-z0-9])")
_MAYBE_AT = re.compile(r"[@#]|艾特|(?<![a-z])at(?![a-z])", re.I)
_WEAK, _HASH, _SPELLED = "\x00", "\x02", "\x01"
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])"
    r"([A-Za-z0-9][A-Za-z0-9._%+\-]{0,63})"
    r"([@\x00\x02])"
    r"([A-Za-z0-9][A-Za-z0-9\-]{0,62}(?:[.\x01][A-Za-z0-9\-]{1,63})*[.\x01]([A-Za-z]{2,12}))"
    r"(?![A-Za-z])"
)
#: Well-known mail domains: "zhang at qq.com" is an address although only the "at" is spelled out.
MAIL_PROVIDERS = frozenset(
    [
        "qq.com",
        "163.com",
        "126.com",
        "yeah.net",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "foxmail.com",
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "139.com",
        "189.cn",
        "wo.cn",
        "aliyun.com",
        "icloud.com",
    ]
)
#: Top-level domains trusted after a "#" standing in for "@" (``zhang#example.com``).
COMMON_TLDS = frozenset(["com", "cn", "net", "org", "edu", "gov", "info", "biz", "io", "hk", "tw", "mo"])


_WINDOW = 120  # characters around an "at" that an address may span


def _emails(text: str) -> list[tuple[str, int, int, str]]:
    """E-mail findings: only the text around each possible "at" is examined (long texts stay fast)."""
    windows: list[list[int]] = []
    view = normalise(text, numerals=False)
    for m in _MAYBE_AT.finditer(view.text):
        start, end = view.span(m.start(), m.end())
        lo, hi = max(0, start - _WINDOW), end + _WINDOW
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    out: list[tuple[str, int, int, str]] = []
    for lo, hi in windows:
        out.extend((k, s + lo, e + lo, v) for k, s, e, v in _emails_in(text[lo:hi]))
    return out


def _emails_in(text: str) -> list[tuple[str, int, int, str]]:
    view = normalise(text, numerals=False)
    view = view.sub(_DOT_SPELLED, _SPELLED).sub(_DOT_SPACED, ".")
    view = view.sub(_AT_STRONG, "@").sub(_AT_HASH, _HASH).sub(_AT_WEAK, _WEAK)
    out = []
    for m in _EMAIL.finditer(view.text):
        at, domain, tld = m.group(2), m.group(3), m.group(4).lower()
        plain = domain.replace(_SPELLED, ".").lower()
        if at == _WEAK and _SPELLED not in domain and plain not in MAIL_PROVIDERS:
            continue  # "available at github.com" is prose, not an address
        if at == _HASH and tld not in COMMON_TLDS and plain not in MAIL_PROVIDERS:
            continue  # "issue#12.md"
        start, end = view.span(m.start(), m.end())
        out.append(("email", start, end, (m.group(1) + "@" + plain).lower()))
    return out


# ------------------------------------------------------------------------------ public API


def find(text: str, field: str = "", path: str = "") -> tuple[Finding, ...]:
    """Personal data in ``text``, in order; spans index ``text`` itself.

    Example:
        >>> find("身份证 11010519491231002X")[0].kind
        'id_number'
    """
    if not isinstance(text, str) or not text:
        return ()
    return tuple(Finding(kind, s, e, field, path or field, value) for kind, s, e, value in _find(text))


@functools.lru_cache(maxsize=4096)
def _find(text: str) -> tuple[tuple[str, int, int, str], ...]:
    """Cached: public lists mask the same unchanged texts on every page view."""
    emails = _emails(text)
    numbers = [
        n for n in _numbers(text) if not any(e[1] <= n[1] and n[2] <= e[2] for e in emails)
    ]  # the digits of 13800138000@163.com are part of the address
    return tuple(sorted(emails + numbers, key=lambda f: (f[1], f[2])))


def clear_cache() -> None:
    """Forget cached results (benchmarks; the results of a text never change)."""
    _find.cache_clear()


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}.{i}")


def scan(values: Mapping[str, Any], fields: tuple[str, ...] | None = None) -> tuple[Finding, ...]:
    """Findings field by field (strings, lists of strings, lists of indicator rows).

    Example:
        >>> [(f.field, f.kind) for f in scan({"summary": "电话13800138000", "indicators": [{"name": "a@b.cn"}]})]
        [('summary', 'mobile'), ('indicators', 'email')]
    """
    out: list[Finding] = []
    for name in fields if fields is not None else tuple(values):
        for path, text in _strings(values.get(name), name):
            out.extend(find(text, name, path))
    return tuple(out)


def kinds_by_field(findings: tuple[Finding, ...]) -> dict[str, tuple[str, ...]]:
    """``{"description": ("mobile", "email")}``: the kinds found per field, in ``KINDS`` order."""
    out: dict[str, set[str]] = {}
    for f in findings:
        out.setdefault(f.field, set()).add(f.kind)
    return {field: tuple(k for k in KINDS if k in kinds) for field, kinds in out.items()}


def fingerprint(findings: tuple[Finding, ...] | list[Finding]) -> str:
    """A short hash of what was found (kind and normalised value): equal data, equal fingerprint."""
    items = sorted({f"{f.kind}:{f.value}" for f in findings})
    return hashlib.sha256("\n".join(items).encode("utf-8")).hexdigest()[:16]


def fingerprints(findings: tuple[Finding, ...]) -> dict[str, str]:
    """``{field: fingerprint}`` of the fields with findings."""
    by_field: dict[str, list[Finding]] = {}
    for f in findings:
        by_field.setdefault(f.field, []).append(f)
    return {field: fingerprint(fs) for field, fs in by_field.items()}


def mask(text: str, token: str = MASK) -> str:
    """``text`` with every finding replaced by ``token`` (overlapping findings become one).

    Example:
        >>> mask("手机 139 0000 1234，邮箱 li＠example．com")
        '手机 [已隐去]，邮箱 [已隐去]'
    """
    found = find(text)
    if not found:
        return text
    spans: list[list[int]] = []
    for f in found:
        if spans and f.start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], f.end)
        else:
            spans.append([f.start, f.end])
    parts, last = [], 0
    for s, e in spans:
        parts += [text[last:s], token]
        last = e
    parts.append(text[last:])
    return "".join(parts)


def mask_value(value: Any, token: str = MASK) -> Any:
    """``mask`` every string inside strings, lists, tuples and dicts (other values unchanged)."""
    if isinstance(value, str):
        return mask(value, token)
    if isinstance(value, Mapping):
        return {k: mask_value(v, token) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v, token) for v in value]
    if isinstance(value, tuple):
        return tuple(mask_value(v, token) for v in value)
    return value
