"""Transfer references: what the buyer types (or the QR fills in) as the transfer's text, and
how it is found again in what the bank sends back.

A reference is the payable's code without its dashes and a check letter:
HG-2026-000011-1 -> HG20260000111 + check = "HG20260000111K". It stays ASCII and far under
the 25 characters VietQR allows. The check letter is a weighted sum of the characters modulo
19 (a prime), so any single wrong character or two neighbours swapped gives another letter: a
mistyped reference never matches a different real order. Its alphabet leaves out the letters
that look like digits (B 8, G 6, I 1, L 1, O 0, S 5, Z 2), so the letter also ends the digits.

Written by hand: no library parses Vietnamese banks' transfer texts. Banks upper-case the text,
add or drop spaces, dashes, dots and line breaks, and wrap it in their own words
(`MBVCB.8812345.HG2026 0000 111K.CT tu 0912345678`); people type O for 0 and l for 1.
"""

import re

CHECK_LETTERS = "ACDEFHJKMNPQRTUVWXY"  # 19: no look-alikes of digits
PREFIXES = ("HG", "BK")  # orders (and their checkouts), bookings
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_BODY = re.compile(r"(HG|BK)([0-9OIL]{10,16})([" + CHECK_LETTERS + "])")
_SEPARATORS = re.compile(r"[\s\-_.,:;/\\|]+")


def check_letter(body: str) -> str:
    total = sum((index % 18 + 1) * _value(char) for index, char in enumerate(body))
    return CHECK_LETTERS[total % 19]


def _value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def reference_for(code: str) -> str:
    """HG-2026-000011-1 -> HG20260000111K."""
    body = re.sub(r"[^0-9A-Z]", "", code.upper())
    return body + check_letter(body)


def references_in(text: str) -> list[str]:
    """Every valid reference in a bank's transfer text, in the order they appear, each once.

    The text is upper-cased and its separators removed first, so a reference the bank split
    or wrapped is whole again; a candidate whose check letter is wrong is no reference.
    """
    compact = _SEPARATORS.sub("", (text or "").upper())
    found: list[str] = []
    for start in range(len(compact)):
        # Every start, not only non-overlapping matches: "HGHG2026…" or digits glued before.
        match = _BODY.match(compact, start)
        if match is None:
            continue
        for end in range(match.end(2), match.start(2) + 9, -1):
            # The digits may run into the bank's own digits after the reference: try shorter.
            digits = compact[match.start(2) : end].translate(_DIGIT_LOOKALIKES)
            letter = compact[end : end + 1]
            body = match.group(1) + digits
            if letter and letter in CHECK_LETTERS and check_letter(body) == letter:
                reference = body + letter
                if reference not in found:
                    found.append(reference)
                break
    return found


def code_of(reference: str) -> str:
    """HG20260000111K -> HG-2026-000011-1: the code a valid reference was made from (the
    codes are prefix, year, six-digit number and, for an order, its cooperative's number)."""
    body = reference[:-1]
    code = f"{body[:2]}-{body[2:6]}-{body[6:12]}"
    return f"{code}-{body[12:]}" if body[12:] else code
