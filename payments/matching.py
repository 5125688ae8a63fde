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
- A line dated before the payable was placed, a reference to someone else's payable, anything
  else: the line waits in the cooperative's unmatched queue (assign to an order, or "not for
  the shop"), and nothing is guessed.

The rules follow what pretix's bank-transfer import taught (match by reference first, amount
second, never guess, keep a queue for a person).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from core import audit
from core.db import insert_unless_taken, write_transaction
from core.extensions import db
from payments import payables
from payments.models import Allocation, BankTransaction
from payments.payables import Due
from payments.references import code_of, references_in
from payments.refunds import refund_due


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
        found = payables.candidates(transaction.payee_id, transaction.amount, transaction.booked_at)
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
        if transaction.booked_at < due.placed_at:
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
        due = payables.find(code.strip().upper())
        if due is None or due.payee_id != payee_id:
            raise MatchError("no such payable")
        _pay(transaction, due, transaction.amount)
        audit.record(actor_id, "bank_transaction.assign", "bank_transaction", transaction.id, code)
    return due


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
