"""The refund ledger: money a cooperative owes back, and its record of giving it back.

A refund is due when money arrives for what can no longer be sold (cancelled, released), when
more arrives than was asked, when the same thing is paid twice, and when an order or a
booking is cancelled after it was paid (the area computes how much under its policy). The
cooperative transfers the money itself and records the bank reference; refunded never
exceeds received (a CHECK on the payable's table, and the locked read here).
"""

from dataclasses import dataclass

from sqlalchemy import func, select, update

from core import audit
from core.db import write_transaction
from core.extensions import db
from core.labels import N_
from core.models import utcnow
from payments import payables
from payments.models import Refund

REASONS = {
    "cancelled": N_("Đã hủy sau khi thanh toán"),
    "overpaid": N_("Chuyển thừa"),
    "paid_twice": N_("Thanh toán hai lần"),
    "released": N_("Tiền đến sau khi hết hạn giữ chỗ"),
}


class RefundError(ValueError):
    pass


@dataclass(frozen=True)
class CancelTerms:
    """What cancelling something paid for (or not) does with its money, told before the
    person confirms: the fee, what the payee holds of the money now (received, less what is
    refunded or due back already) and what goes back; refunded by the payee's own transfer."""

    fee: int
    held: int
    refund: int

    @property
    def kept(self) -> int:
        """What the payee keeps of what it holds (the fee, up to what is held)."""
        return self.held - self.refund


def refund_due(payee_id: int, kind: str, payable_id: int, amount: int, reason: str, *,
               transaction_id: int | None = None) -> Refund | None:  # fmt: skip
    """Record a refund due, inside the caller's write transaction; nothing for 0."""
    if amount <= 0:
        return None
    refund = Refund(
        payee_id=payee_id,
        payable_kind=kind,
        payable_id=payable_id,
        amount=amount,
        reason=reason,
        transaction_id=transaction_id,
    )
    db.session.add(refund)
    db.session.flush()
    return refund


def record_refund(refund_id: int, payee_id: int, bank_reference: str, actor_id: int) -> Refund:
    """The cooperative gave the money back: the refund is done, with its bank reference.
    RefundError when it is not this payee's, or is done already (a second click)."""
    bank_reference = bank_reference.strip()[:60]
    if not bank_reference:
        raise RefundError("bank reference required")
    with write_transaction():
        moved = db.session.execute(
            update(Refund)
            .where(Refund.id == refund_id, Refund.payee_id == payee_id, Refund.status == "due")
            .values(
                status="refunded",
                bank_reference=bank_reference,
                refunded_at=utcnow(),
                refunded_by_id=actor_id,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise RefundError("not due")
        refund = db.session.get(Refund, refund_id)
        db.session.refresh(refund)
        payables.KINDS[refund.payable_kind].give_back(refund.payable_id, refund.amount)
        audit.record(actor_id, "refund.record", "refund", refund.id, bank_reference)
    return refund


def add_refunded(model, payable_id: int, amount: int) -> None:
    """What a payable kind's give_back does to its row (an area's model with paid_amount and
    refunded_amount, an order or a booking): refunded_amount grows by amount in one
    conditional UPDATE, only while it stays within what was received; RefundError beyond."""
    given = db.session.execute(
        update(model)
        .where(model.id == payable_id, model.refunded_amount + amount <= model.paid_amount)
        .values(refunded_amount=model.refunded_amount + amount)
        .execution_options(synchronize_session=False)
    ).rowcount
    if given != 1:
        raise RefundError("more than was received")


def refunds_of(kind: str, payable_ids: list[int]) -> list[Refund]:
    if not payable_ids:
        return []
    return db.session.scalars(
        select(Refund)
        .where(Refund.payable_kind == kind, Refund.payable_id.in_(payable_ids))
        .order_by(Refund.id)
    ).all()


def due_for(payee_id: int) -> list[Refund]:
    return db.session.scalars(
        select(Refund)
        .where(Refund.payee_id == payee_id, Refund.status == "due")
        .order_by(Refund.created_at, Refund.id)
    ).all()


def owed_back(kind: str, payable_id: int) -> int:
    """What the payee has refunded of a payable's money or owes back already (refunds due and
    done), so that nothing is refunded twice."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.payable_kind == kind, Refund.payable_id == payable_id
        )
    )
