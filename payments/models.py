"""What the payments package keeps: each payee's feed of bank notices, the credits it saw, what
each credit paid, and the refunds due and made.

A payee is a cooperative (money goes to each cooperative's own account; the site never holds
it). What is paid is a "payable": an order of the marketplace, a booking's deposit in tourism;
payments knows them only by kind and id (payments.payables), so it imports no area.
"""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import utcnow


class BankFeed(db.Model):
    """Where a cooperative's bank notices arrive (SePay's webhook: /payments/webhooks/sepay/
    <token>, with its API key) and how its bank's statement file reads."""

    __tablename__ = "bank_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), unique=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    # Shown to the cooperative to paste into SePay, so it is kept as it is (rotated, not reset).
    api_key: Mapped[str] = mapped_column(String(64))
    # The statement columns the cooperative mapped once, as JSON: {"date": "Ngày GD", …}.
    statement_columns: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BankTransaction(db.Model):
    """One line of a payee's bank account, as a notice or a statement row told it. Seen once:
    the same provider id or statement row again is the same transaction."""

    __tablename__ = "bank_transactions"
    __table_args__ = (
        UniqueConstraint("payee_id", "source", "external_id"),
        Index("ix_bank_transactions_payee_status", "payee_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"))
    source: Mapped[str] = mapped_column(String(20))  # "sepay", "statement"
    external_id: Mapped[str] = mapped_column(String(120))
    booked_at: Mapped[datetime]  # naive UTC, like every moment stored here
    amount: Mapped[int]  # VND, positive
    direction: Mapped[str] = mapped_column(String(3))  # "in" or "out"
    text: Mapped[str] = mapped_column(Text, default="")  # the transfer text as the bank gave it
    bank_reference: Mapped[str] = mapped_column(String(60), default="")
    # matched: it paid something (see allocations); unmatched: waits for the cooperative;
    # ignored: not a credit; dismissed: the cooperative said it is not for the shop.
    status: Mapped[str] = mapped_column(String(10), index=True)
    note: Mapped[str] = mapped_column(String(300), default="")  # why it is where it is
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    allocations = relationship("Allocation", back_populates="transaction")


class Allocation(db.Model):
    """The part of a credit that paid one payable."""

    __tablename__ = "payment_allocations"
    __table_args__ = (
        Index("ix_payment_allocations_payable", "payable_kind", "payable_id"),
        CheckConstraint("amount > 0", name="allocation_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("bank_transactions.id"), index=True)
    payable_kind: Mapped[str] = mapped_column(String(12))  # "order", "booking"
    payable_id: Mapped[int]
    amount: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    transaction = relationship("BankTransaction", back_populates="allocations")


class Refund(db.Model):
    """Money a payee owes back: due when it arises (paid then cancelled, paid too much, paid
    twice), refunded when the payee records the bank reference of its transfer back."""

    __tablename__ = "refunds"
    __table_args__ = (
        Index("ix_refunds_payable", "payable_kind", "payable_id"),
        CheckConstraint("amount > 0", name="refund_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    payable_kind: Mapped[str] = mapped_column(String(12))
    payable_id: Mapped[int]
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(String(20))  # payments.refunds.REASONS
    status: Mapped[str] = mapped_column(String(10), default="due", index=True)
    transaction_id: Mapped[int | None] = mapped_column(ForeignKey("bank_transactions.id"))
    bank_reference: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    refunded_at: Mapped[datetime | None]
    refunded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class StatementUpload(db.Model):
    """A statement file between its upload and the cooperative's choice of its columns (the
    first upload, or when the columns are chosen again): kept here, not on one machine's
    disk, and deleted once it is imported, or after a day (payments.statements)."""

    __tablename__ = "statement_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    payee_id: Mapped[int] = mapped_column(ForeignKey("cooperatives.id"), index=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    filename: Mapped[str] = mapped_column(String(120), default="")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
