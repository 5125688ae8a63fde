"""What a bank notice says: SePay's webhook body, checked field by field, as a BankLine.

SePay posts one JSON object per transaction of a linked account:

    {"id": 92704, "gateway": "Vietcombank", "transactionDate": "2026-12-01 10:15:00",
     "accountNumber": "0123499999", "code": null, "content": "HG20260000111K chuyen tien",
     "transferType": "in", "transferAmount": 2277000, "accumulated": 19077000,
     "subAccount": null, "referenceCode": "MBVCB.3278907687", "description": "..."}

The time is Vietnam's; it is stored as naive UTC. Every field is checked (type, length,
range: an amount within PostgreSQL's INTEGER), and a body that is not what SePay sends is
refused with the reason (BadNotice), before anything is stored.
"""

import json
from datetime import UTC, datetime

from core.bounds import INT_MAX
from core.clock import VIETNAM
from payments.matching import BankLine

# field -> (the JSON types it may have, may it be missing or null, its longest text)
_TEXT, _NUMBER = (str,), (int,)
FIELDS = {
    "id": (_NUMBER + _TEXT, False, 60),
    "gateway": (_TEXT, False, 100),
    "transactionDate": (_TEXT, False, 30),
    "accountNumber": (_TEXT, False, 40),
    "code": (_TEXT, True, 100),
    "content": (_TEXT, False, 1000),
    "transferType": (_TEXT, False, 3),
    "transferAmount": (_NUMBER, False, None),
    "accumulated": (_NUMBER, True, None),
    "subAccount": (_TEXT, True, 40),
    "referenceCode": (_TEXT, True, 60),
    "description": (_TEXT, True, 1000),
}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")
# A notice of a transaction outside these years is no real one (and no date the database
# or Python refuses reaches them).
FIRST_YEAR, LAST_YEAR = 2000, 2100
ACCUMULATED_MAX = 10**15  # an account's balance, not stored: far above INTEGER, still bounded


class BadNotice(ValueError):
    """The body is not a notice we can read; the reason is told to the sender."""


def read_json(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadNotice("body is not JSON") from error
    if not isinstance(data, dict):
        raise BadNotice("body is not a JSON object")
    return data


def sepay_line(data: dict, source: str = "sepay") -> BankLine:
    """The BankLine of a SePay notice (its fields checked); BadNotice says what is wrong."""
    values = {name: _field(data, name, *rule) for name, rule in FIELDS.items()}
    notice_id = values["id"]
    if isinstance(notice_id, int) and not 0 < notice_id < 10**18:
        raise BadNotice("id out of range")
    if isinstance(notice_id, str) and not notice_id.strip():
        raise BadNotice("id is empty")
    direction = values["transferType"]
    if direction not in ("in", "out"):
        raise BadNotice("transferType must be 'in' or 'out'")
    amount = values["transferAmount"]
    if not 0 <= amount <= INT_MAX:
        raise BadNotice(f"transferAmount must be between 0 and {INT_MAX}")
    accumulated = values["accumulated"]
    if accumulated is not None and abs(accumulated) > ACCUMULATED_MAX:
        raise BadNotice("accumulated out of range")
    return BankLine(
        source=source,
        external_id=str(notice_id).strip(),
        booked_at=_vietnam_time(values["transactionDate"]),
        amount=amount,
        direction=direction,
        text=transfer_text(values["content"], values["description"], values["code"]),
        bank_reference=(values["referenceCode"] or "").strip(),
    )


def _field(data: dict, name: str, types: tuple, optional: bool, longest: int | None):
    value = data.get(name)
    if value is None:
        if optional:
            return None
        raise BadNotice(f"{name} is missing")
    # bool is an int to Python, not to JSON: true is no amount.
    if isinstance(value, bool) or not isinstance(value, types):
        kinds = " or ".join("a string" if t is str else "a whole number" for t in types)
        raise BadNotice(f"{name} must be {kinds}")
    if isinstance(value, str) and longest is not None and len(value) > longest:
        raise BadNotice(f"{name} is longer than {longest} characters")
    return value


def _vietnam_time(text: str) -> datetime:
    for pattern in DATE_FORMATS:
        try:
            moment = datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            break
        return moment.replace(tzinfo=VIETNAM).astimezone(UTC).replace(tzinfo=None)
    raise BadNotice("transactionDate must be 'YYYY-MM-DD HH:MM:SS' (Vietnam time)")


def transfer_text(content: str, description: str | None, code: str | None) -> str:
    """What the payer wrote and what the bank said around it, each once: the content first
    (the transfer's text), then SePay's payment code and the bank's whole message when they
    add to it. Matching reads references anywhere in it."""
    parts: list[str] = []
    for part in (content, code, description):
        part = (part or "").strip()
        if part and not any(part in seen for seen in parts):
            parts.append(part)
    return " | ".join(parts)
