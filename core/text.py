"""Vietnamese text: folding for search and slugs for URLs."""

import re
import secrets
import unicodedata
from functools import lru_cache

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


_PHONE_NOISE = re.compile(r"[\s.\-()/]")
# Mobile: 10 digits, 03/05/07/08/09. Landline: 0, an area code of 2 and two digits, 8 digits.
_MOBILE = re.compile(r"0[35789]\d{8}")
_LANDLINE = re.compile(r"02\d{9}")


def normalise_phone(text: str | None) -> str | None:
    """A Vietnamese phone number in the one form the site stores, or None if it is not one.

    A mobile is 10 digits starting 03, 05, 07, 08 or 09 (0912345678); a landline 11 digits,
    0 and an area code starting with 2 (02933876543, Cần Thơ and Hậu Giang's 0293). Spaces,
    dots, dashes and brackets are ignored, and the country code may come as +84, 84 or 0084
    in place of the 0: "+84 912 345 678", "84912345678", "(0293) 3.876.543".
    """
    compact = _PHONE_NOISE.sub("", text or "")
    for country in ("+84", "0084", "84"):
        rest = compact[len(country) :]
        if compact.startswith(country) and len(rest) in (9, 10, 11):
            compact = rest if rest.startswith("0") else "0" + rest  # "+84 (0)912…" too
            break
    if not compact.isascii():
        return None
    if _MOBILE.fullmatch(compact) or _LANDLINE.fullmatch(compact):
        return compact
    return None


def is_mobile(phone: str | None) -> bool:
    """A number normalise_phone gave that can receive Zalo and text messages (not a landline)."""
    return bool(phone) and _MOBILE.fullmatch(phone) is not None


def phone_for_reading(phone: str | None) -> str:
    """A stored number grouped as people read it: 0912 345 678, 0293 3876 543; anything else
    (a number from abroad, one stored before) as it is."""
    phone = phone or ""
    if _MOBILE.fullmatch(phone):
        return f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    if _LANDLINE.fullmatch(phone):
        return f"{phone[:4]} {phone[4:8]} {phone[8:]}"
    return phone


def tel_url(phone: str | None) -> str:
    """A stored Vietnamese phone (0…) as a tel: link in international form, "" for none."""
    return f"tel:+84{phone[1:]}" if phone else ""


def normalise_international_phone(text: str | None) -> str | None:
    """A Vietnamese number as normalise_phone does, or +<country code and number> (8 to 15
    digits) for guests from abroad; a +84 number that is not a Vietnamese one is refused."""
    vietnamese = normalise_phone(text)
    if vietnamese:
        return vietnamese
    compact = _PHONE_NOISE.sub("", text or "")
    if compact.startswith("+84"):
        return None
    if (
        compact.startswith("+")
        and compact[1:].isascii()
        and compact[1:].isdigit()
        and 8 <= len(compact) - 1 <= 15
    ):
        return compact
    return None


# Written here because no kept library does it in pure Python: Babel has no collation, pyuca
# (the Unicode default order) reads ă, â, ê, ô, ơ, ư as accented a, e, o, u rather than letters
# of their own, and PyICU needs the ICU C library.
# Vietnamese alphabetical order: ă and â after a, đ after d, ê after e, ô and ơ after o, ư
# after u; the tones only when the letters are the same (ngang, huyền, hỏi, ngã, sắc, nặng).
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def vietnamese_sort_key(text: str) -> tuple:
    """A key that sorts Vietnamese names as a Vietnamese reader expects: "Đà Nẵng" after
    "Dak", "Ân" after "Ăn" after "An", "Hồ Chí Minh" under H."""
    letters, tones = [], []
    for char in nfc(text).casefold():
        parts = unicodedata.normalize("NFD", char)
        base, marks = parts[0], parts[1:]
        letter = unicodedata.normalize(
            "NFC", base + "".join(m for m in marks if m in _LETTER_MARKS)
        )
        tones.append(next((_TONES[m] for m in marks if m in _TONES), 0))
        if letter in _RANK:
            letters.append((2, _RANK[letter]))
        elif letter.isdigit():
            letters.append((1, ord(letter)))
        elif letter.isspace():
            letters.append((0, 0))
        else:
            letters.append((3, ord(letter)))
    return tuple(letters), tuple(tones), text


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


# Trigrams as PostgreSQL's pg_trgm makes them, so that both databases rank typing mistakes
# alike: the words are runs of letters and digits, each padded with two spaces before and one
# after ('duc' -> '  d', ' du', 'duc', 'uc ').
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=20_000)
def word_trigrams(word: str) -> frozenset[str]:
    padded = f"  {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def trigram_words(text: str) -> list[str]:
    """The words of folded text that trigrams are made of (punctuation is not a word)."""
    return _WORD.findall(text)


@lru_cache(maxsize=256)
def _query_trigrams(query: str) -> tuple[frozenset[str], int]:
    words = trigram_words(query)
    return frozenset().union(*(word_trigrams(w) for w in words)), len(words)


def trigram_similarity(one: str, other: str) -> float:
    """pg_trgm's similarity() of two folded texts as wholes: shared trigrams over all."""
    a, _ = _query_trigrams(one)
    b = frozenset().union(*(word_trigrams(w) for w in trigram_words(other)))
    return len(a & b) / len(a | b) if a or b else 0.0


def phrase_similarity(query: str, text: str, spare_words: int = 2) -> float:
    """How close the folded query is to the closest run of whole words of the folded text, 0
    to 1: pg_trgm's strict_word_similarity (shared trigrams over all trigrams of the two),
    over runs of at most the query's words and spare_words more.

    'khom cau duk' in 'mut khom cau duc loai 1' -> 0.73; unrelated text -> 0.
    """
    wanted, query_words = _query_trigrams(query)
    if not wanted:
        return 0.0
    words = [word_trigrams(w) for w in trigram_words(text)]
    # Of each word, the trigrams the query has too: a run starts and ends with a word that
    # has some (a word the query lacks at either end only makes the run farther).
    shared_by = [word & wanted for word in words]
    longest = query_words + spare_words
    best = 0.0
    for start, shared_first in enumerate(shared_by):
        if not shared_first:
            continue
        run: set[str] = set()
        shared: set[str] = set()
        for word, shared_word in zip(
            words[start : start + longest], shared_by[start:], strict=False
        ):
            run |= word
            if shared_word:
                shared |= shared_word
                best = max(best, len(shared) / (len(wanted) + len(run) - len(shared)))
    return best
