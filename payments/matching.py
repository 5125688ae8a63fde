"""The rules that turn a line of a cooperative's bank account into payments: one module for
both ways a line arrives (a bank notice by webhook, a row of an uploaded statement).

- Outgoing, or zero: ignored.
- The same provider id, or the same statement row, again: nothing (replays are harmless).
- A valid reference (payments.references) to one of the payee's payables:
  exact amount -> paid; less -> received in part, the buyer is told the rest; more -> paid,
  the excess a refund due; a payable cancelled, released or already paid -> all of it a
  refund due.
- References to several payables: paid together when the amount is exactly what they still
  owe together; otherwise the line waits for the cooperative.
- No reference: paid only when exactly one open payable of the payee owes exactly that amount.
- A line dated before the payable was placed (by more than CLOCK_SKEW, for the bank's clock),
  a reference to someone else's payable, anything else: the line waits in the cooperative's
  unmatched queue (assign to an order, or "not for the shop"), and nothing is guessed.

The rules follow what pretix's bank-transfer import taught (match by reference first, amount
second, never guess, keep a queue for a person).
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from core import audit
from core.db import insert_unless_taken, write_transaction
from core.extensions import db
from core.labels import N_
from payments import payables
from payments.models import Allocation, BankTransaction
from payments.payables import Due
from payments.references import code_of, references_in
from payments.refunds import refund_due

# A bank's clock and ours differ, and its times come to the second (or the minute): a line
# dated this little before a payable was placed is taken as after it. A transfer made a day
# before the order still waits for a person.
CLOCK_SKEW = timedelta(minutes=10)


@dataclass(frozen=True)
class BankLine:
    """A line of a bank account, as a notice or a statement row gives it."""

    source: str  # "sepay", "statement"
    external_id: str  # the provider's id, or the statement row's fingerprint
    booked_at: datetime  # naive UTC
    amount: int
    direction: str  # "in" or "out"
    text: str
    bank_reference: str = ""


class MatchError(ValueError):
    pass


STATUS_NAMES = {
    "matched": N_("Đã khớp"),
    "unmatched": N_("Chờ xử lý"),
    "ignored": N_("Bỏ qua"),
    "dismissed": N_("Không phải của cửa hàng"),
    "claimed": N_("Đang xử lý"),
}

# Why a line is where it is (its note, written by _leave), in words for the cooperative.
_WHY = (
    (re.compile(r"not a credit"), N_("Không phải tiền vào.")),
    (re.compile(r"no reference; 0 owe"), N_("Không có mã đơn, và không đơn nào chờ đúng số tiền này.")),
    (re.compile(r"no reference; \d+ owe"), N_("Không có mã đơn, và nhiều đơn cùng chờ số tiền này.")),
    (re.compile(r"several references"), N_("Nhắc nhiều đơn, nhưng số tiền không bằng số các đơn đó còn thiếu.")),
    (re.compile(r"(?P<code>\S+) is another cooperative's"), N_("Mã %(code)s là đơn của cửa hàng khác.")),
    (re.compile(r"dated before (?P<code>\S+) was placed"), N_("Chuyển trước khi đơn %(code)s được đặt.")),
    (re.compile(r"not for the shop"), N_("Cửa hàng đã đánh dấu: không phải tiền của cửa hàng.")),
)  # fmt: skip


def why(transaction: BankTransaction) -> tuple[str, dict] | None:
    """Why the line waits (or was left): a msgid and its parameters; None for a match."""
    if transaction.status == "matched":
        return None
    for pattern, message in _WHY:
        if found := pattern.search(transaction.note or ""):
            return message, found.groupdict()
    return None


def take_in(payee_id: int, line: BankLine) -> BankTransaction | None:
    """Record the line and apply the rules, in one transaction; None when it was seen before."""
    with write_transaction():
        transaction = BankTransaction(
            payee_id=payee_id,
            source=line.source,
            external_id=line.external_id[:120],
            booked_at=line.booked_at,
            amount=line.amount,
            direction=line.direction,
            text=line.text[:2000],
            bank_reference=line.bank_reference[:60],
            status="unmatched",
        )
        if not insert_unless_taken(transaction):
            return None
        db.session.flush()
        _settle(transaction)
    return transaction


def _settle(transaction: BankTransaction) -> None:
    if transaction.direction != "in" or transaction.amount <= 0:
        _leave(transaction, "ignored", "not a credit")
        return
    named = _named_dues(transaction)
    if named is None:
        return  # _named_dues left it waiting, with the reason
    if not named:
        found = payables.candidates(
            transaction.payee_id, transaction.amount, transaction.booked_at + CLOCK_SKEW
        )
        if len(found) != 1:
            _leave(transaction, "unmatched", f"no reference; {len(found)} owe that amount")
            return
        named = found
    if len(named) == 1:
        _pay(transaction, named[0], transaction.amount)
        return
    owed = sum(due.remaining for due in named)
    if any(not due.is_open or not due.remaining for due in named) or owed != transaction.amount:
        _leave(transaction, "unmatched", "several references; amount is not what they owe")
        return
    for due in named:
        _pay(transaction, due, due.remaining)


def _named_dues(transaction: BankTransaction) -> list[Due] | None:
    """The payee's payables the text names ([] for none); None when a name cannot be
    trusted (someone else's payable, or a line dated before it was placed): it waits."""
    dues = []
    for reference in references_in(transaction.text):
        due = payables.find(code_of(reference))
        if due is None:
            continue  # a valid-looking reference to nothing: as if there were none
        if due.payee_id != transaction.payee_id:
            _leave(transaction, "unmatched", f"{due.code} is another cooperative's")
            return None
        if transaction.booked_at + CLOCK_SKEW < due.placed_at:
            _leave(transaction, "unmatched", f"dated before {due.code} was placed")
            return None
        dues.append(due)
    return dues


def _pay(transaction: BankTransaction, due: Due, amount: int) -> None:
    """Allocate amount to due; what it cannot take becomes a refund due."""
    db.session.add(
        Allocation(
            transaction_id=transaction.id, payable_kind=due.kind, payable_id=due.id, amount=amount
        )
    )
    payables.KINDS[due.kind].receive(due, amount)
    if not due.is_open:
        excess, reason = amount, due.closed_reason
    elif not due.remaining:
        excess, reason = amount, "paid_twice"
    else:
        excess, reason = max(amount - due.remaining, 0), "overpaid"
    refund_due(
        transaction.payee_id, due.kind, due.id, excess, reason, transaction_id=transaction.id
    )
    transaction.status = "matched"
    transaction.note = (transaction.note + " " + due.code).strip()[:300]


def _leave(transaction: BankTransaction, status: str, why: str) -> None:
    transaction.status = status
    transaction.note = why[:300]


def assign(transaction_id: int, payee_id: int, code: str, actor_id: int) -> Due:
    """The cooperative says which of its orders an unmatched credit pays (audited)."""
    with write_transaction():
        transaction = _waiting(transaction_id, payee_id)
        due = payables.find(code_typed(code))
        if due is None or due.payee_id != payee_id:
            raise MatchError("no such payable")
        _pay(transaction, due, transaction.amount)
        audit.record(actor_id, "bank_transaction.assign", "bank_transaction", transaction.id, code)
    return due


def code_typed(text: str) -> str:
    """The code a person typed, as a code: HG-2026-000011-1 as it is, or the transfer's
    reference (HG20260000111K, as the buyer's text carries it) made back into its code."""
    text = (text or "").strip().upper()[:60]
    found = references_in(text)
    return code_of(found[0]) if len(found) == 1 and "-" not in text else text


def dismiss(transaction_id: int, payee_id: int, actor_id: int) -> None:
    """ "Not for the shop": the credit leaves the queue (audited)."""
    with write_transaction():
        transaction = _waiting(transaction_id, payee_id)
        _leave(transaction, "dismissed", "not for the shop")
        audit.record(actor_id, "bank_transaction.dismiss", "bank_transaction", transaction.id)


def _waiting(transaction_id: int, payee_id: int) -> BankTransaction:
    """The payee's unmatched credit, claimed for this change (a second click finds none)."""
    claimed = db.session.execute(
        update(BankTransaction)
        .where(
            BankTransaction.id == transaction_id,
            BankTransaction.payee_id == payee_id,
            BankTransaction.status == "unmatched",
            BankTransaction.direction == "in",
        )
        .values(status="claimed")
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise MatchError("not waiting")
    transaction = db.session.get(BankTransaction, transaction_id)
    db.session.refresh(transaction)
    return transaction


def transaction_of(payee_id: int, transaction_id: int) -> BankTransaction | None:
    """One of the payee's lines, whatever its status; None for another payee's."""
    transaction = db.session.get(BankTransaction, transaction_id)
    return transaction if transaction is not None and transaction.payee_id == payee_id else None


def unmatched(payee_id: int) -> list[BankTransaction]:
    return db.session.scalars(
        select(BankTransaction)
        .where(BankTransaction.payee_id == payee_id, BankTransaction.status == "unmatched")
        .order_by(BankTransaction.booked_at.desc(), BankTransaction.id.desc())
    ).all()


def recent(payee_id: int, limit: int = 50) -> list[BankTransaction]:
    return db.session.scalars(
        select(BankTransaction)
        .where(BankTransaction.payee_id == payee_id)
        .order_by(BankTransaction.booked_at.desc(), BankTransaction.id.desc())
        .limit(limit)
    ).all()
