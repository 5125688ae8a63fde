"""GS1 identifiers of the lots' labels: GTINs (the trade item numbers under barcodes) and the
GS1 Digital Link URIs their QR codes carry (https://<site>/01/<GTIN>/10/<lot>).

A GTIN is 8, 12, 13 or 14 digits, the last a check digit (GS1 General Specifications 7.9.1);
every length is kept as GTIN-14 by padding zeros in front, as GS1 Digital Link writes it, so
one product has one string whatever length was typed.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

GTIN_LENGTHS = (8, 12, 13, 14)
# GS1 AI 10 (batch/lot): up to 20 characters.
LOT_MAX_LENGTH = 20


def check_digit(digits: str) -> int:
    """The check digit that completes these digits (a GTIN without its last digit): from the
    right, weights 3, 1, 3, 1…, and the digit that brings the sum to a multiple of ten."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def gtin_is_valid(value: str) -> bool:
    """8, 12, 13 or 14 digits whose last is their check digit."""
    return (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value) in GTIN_LENGTHS
        and check_digit(value[:-1]) == int(value[-1])
    )


def normalise_gtin(value: str) -> str | None:
    """The GTIN-14 of a GTIN as typed (spaces and dashes between digit groups allowed), or
    None when it is none: wrong length or wrong check digit."""
    digits = re.sub(r"[\s\-]", "", value or "")
    return digits.zfill(14) if gtin_is_valid(digits) else None


def digital_link(base_url: str, gtin: str, lot: str) -> str:
    """The GS1 Digital Link URI of a lot of a trade item: base_url (the site, no trailing
    slash), /01/ and the GTIN-14, /10/ and the lot code percent-encoded."""
    gtin14 = normalise_gtin(gtin)
    if gtin14 is None:
        raise ValueError(f"not a GTIN: {gtin!r}")
    return f"{base_url.rstrip('/')}/01/{gtin14}/10/{quote(lot, safe='')}"


@dataclass(frozen=True)
class DigitalLink:
    gtin: str  # GTIN-14
    lot: str | None


def parse_digital_link(uri: str) -> DigitalLink | None:
    """The GTIN and lot of a GS1 Digital Link URI (or of its path alone), None when it is not
    one or the GTIN's check digit is wrong. Further key qualifiers or attributes (/21/…, a
    query such as ?17=261231) are allowed and ignored."""
    path = urlsplit(uri).path
    parts = path.strip("/").split("/")
    try:
        start = parts.index("01")
    except ValueError:
        return None
    pairs = parts[start:]
    if len(pairs) % 2:
        return None
    values = {}
    for key, value in zip(pairs[::2], pairs[1::2], strict=True):
        values.setdefault(key, unquote(value))
    gtin = values["01"]
    if not (gtin.isascii() and gtin.isdigit() and len(gtin) in GTIN_LENGTHS):
        return None
    gtin14 = normalise_gtin(gtin)
    if gtin14 is None:
        return None
    lot = values.get("10")
    if lot is not None and not 0 < len(lot) <= LOT_MAX_LENGTH:
        return None
    return DigitalLink(gtin=gtin14, lot=lot)
