"""Vietnamese text: folding for search and slugs for URLs (DOMAIN.md)."""

import re
import secrets
import unicodedata

_SPACES = re.compile(r"\s+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def fold(text: str) -> str:
    """Lower-case, diacritic-free, single-spaced: 'Khóm  CẦU Đúc' -> 'khom cau duc'."""
    decomposed = unicodedata.normalize("NFD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", bare.casefold()).strip()


def slugify(text: str, max_length: int = 80) -> str:
    """'Khóm Cầu Đúc' -> 'khom-cau-duc'."""
    slug = _NOT_SLUG.sub("-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "muc"


def search_terms(query: str, max_terms: int = 8) -> list[str]:
    """The folded words of a search box, at most max_terms of them."""
    return [t for t in fold(query).split(" ") if t][:max_terms]


_PHONE_NOISE = re.compile(r"[\s.\-()]")


def normalise_phone(text: str) -> str | None:
    """A Vietnamese phone number as 10 digits starting with 0, or None if it is not one.

    Accepts 0912345678, 0912 345 678, 091.234.5678 and +84912345678 (DOMAIN.md).
    """
    compact = _PHONE_NOISE.sub("", text or "")
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    if len(compact) == 10 and compact.isdigit() and compact.startswith("0"):
        return compact
    return None


def normalise_international_phone(text: str) -> str | None:
    """A Vietnamese number as normalise_phone does, or +<country code and number> (8 to 15
    digits) for guests from abroad."""
    vietnamese = normalise_phone(text)
    if vietnamese:
        return vietnamese
    compact = _PHONE_NOISE.sub("", text or "")
    if compact.startswith("+") and compact[1:].isdigit() and 8 <= len(compact) - 1 <= 15:
        return compact
    return None


def whole_number(text: str | None, max_digits: int = 12) -> int | None:
    """'42' -> 42; anything else (including '²', which str.isdigit accepts) -> None."""
    text = (text or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= max_digits:
        return int(text)
    return None


# Whole numbers as people type them here (prices, stock, capacities).
_PLAIN = re.compile(r"\d{1,13}")
# 150.000 / 150,000 / 150 000: groups of three after the first, one kind of separator.
_GROUPED = re.compile(r"\d{1,3}([., \u00a0\u202f])\d{3}(?:\1\d{3}){0,3}")
_CURRENCY = re.compile(r"\s*(?:đ|₫|vnđ|vnd|dong|đồng)\s*\Z", re.IGNORECASE)


def parse_whole_number(text: str | None) -> int | None:
    """A whole number as people write it here ('150000', '150.000', '150 000 đ'), else None.

    '1.5' or '12,50' are not whole numbers of đồng and give None rather than a guess.
    """
    value = _CURRENCY.sub("", nfc(text or "")).strip()
    if _PLAIN.fullmatch(value):
        return int(value)
    if _GROUPED.fullmatch(value):
        return int(re.sub(r"\D", "", value))
    return None


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of two tokens, safe for any text a visitor sends."""
    return bool(given and expected) and secrets.compare_digest(
        given.encode("utf-8"), expected.encode("utf-8")
    )
