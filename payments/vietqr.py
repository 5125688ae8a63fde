"""VietQR bank-transfer codes: the payload and its QR picture.

The payload follows the NAPAS VietQR layout, which is the EMVCo merchant-presented QR format:
a string of fields, each an ID (2 characters), a length (2 decimal digits) and a value, ended
by a CRC-16/CCITT-FALSE checksum.
"""

import functools
import io
import re
import unicodedata

import segno

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
COUNTRY = "VN"
PURPOSE_MAX = 25
ACCOUNT_MAX = 19


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = (crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"Field {tag} is too long ({len(value)} characters, at most 99).")
    return f"{tag}{len(value):02d}{value}"


def _check(bank_bin: str, account: str, amount: int | None, purpose: str) -> None:
    if not (len(bank_bin) == 6 and bank_bin.isascii() and bank_bin.isdigit()):
        raise ValueError(f"Bank BIN must be 6 digits, got {bank_bin!r}.")
    if not (0 < len(account) <= ACCOUNT_MAX and account.isascii() and account.isdigit()):
        raise ValueError(f"Account number must be 1 to {ACCOUNT_MAX} digits, got {account!r}.")
    # bool is an int subclass; True must not become an amount of 1 VND.
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
        raise ValueError(f"Amount must be a whole number of VND, got {amount!r}.")
    if amount is not None and amount <= 0:
        raise ValueError(f"Amount must be positive, got {amount}.")
    if len(purpose) > PURPOSE_MAX:
        raise ValueError(f"Purpose must be at most {PURPOSE_MAX} characters, got {len(purpose)}.")
    if not (purpose.isascii() and purpose.isprintable()):
        raise ValueError(f"Purpose must be printable ASCII (no diacritics), got {purpose!r}.")


def payload(bank_bin: str, account: str, amount: int | None = None, purpose: str = "") -> str:
    """The VietQR payload for a transfer to `account` at the bank with BIN `bank_bin`."""
    _check(bank_bin, account, amount, purpose)
    beneficiary = _field("00", bank_bin) + _field("01", account)
    merchant = (
        _field("00", NAPAS_GUID) + _field("01", beneficiary) + _field("02", SERVICE_TO_ACCOUNT)
    )
    # "11" is a static code (payer types the amount), "12" a dynamic one with the amount fixed.
    text = _field("00", "01") + _field("01", "11" if amount is None else "12")
    text += _field("38", merchant) + _field("53", CURRENCY_VND)
    if amount is not None:
        text += _field("54", str(amount))
    text += _field("58", COUNTRY)
    if purpose:
        text += _field("62", _field("08", purpose))
    text += "6304"  # the CRC covers its own ID and length
    return text + f"{crc16_ccitt_false(text.encode('ascii')):04X}"


def transfer_purpose(text: str) -> str:
    """`text` made into a transfer purpose banks accept: ASCII letters, digits and spaces only."""
    # đ/Đ have no decomposition in NFD, so they are mapped by hand.
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^A-Za-z0-9 ]", "", re.sub(r"\s", " ", text))
    text = " ".join(text.split())
    return text[:PURPOSE_MAX].rstrip()


def qr_svg(data: str, title: str = "VietQR") -> str:
    """An inline SVG of the QR code for `data`, sized by CSS (viewBox only, no width/height)."""
    qr = segno.make(data, error="m", micro=False)
    return qr.svg_inline(omitsize=True, title=title)


@functools.lru_cache(maxsize=256)  # the same code is asked for again (the page, the mail)
def qr_png(data: str, scale: int = 8) -> bytes:
    """A PNG of the QR code for `data` (with its quiet zone), `scale` pixels a module: what a
    phone can save to its photos and open in a bank's app."""
    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
