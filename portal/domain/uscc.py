"""统一社会信用代码 (unified social credit code, GB 32100-2015) check-digit validation."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(first17: str) -> str:
    """Return the check character for the first 17 characters."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True when ``code`` is 18 characters of the GB 32100 alphabet with a correct check digit.

    Example:
        >>> is_valid_uscc("91520100MA6DLTEP3B")
        False
    """
    code = (code or "").strip().upper()
    if len(code) != 18 or any(ch not in ALPHABET for ch in code):
        return False
    if not code[2:8].isdigit():
        return False
    return check_char(code[:17]) == code[17]
