"""What can be paid by transfer, as payments sees it, whatever the area.

An area registers a kind (the marketplace its orders, tourism its booking deposits) with the
prefix of its codes; payments then finds a payable by the code in a transfer's reference,
lists the open ones a reference-less credit may pay, and tells the area what arrived and what
went back. Payments imports no area: this registry is how they meet.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import update

from core.extensions import db


@dataclass(frozen=True)
class Due:
    """A payable at the moment it is read (locked, inside the write transaction)."""

    kind: str
    id: int
    code: str
    payee_id: int
    amount: int  # what must be paid by transfer (an order's total, a booking's deposit)
    paid: int  # received so far (may exceed amount)
    placed_at: datetime
    is_open: bool  # False once cancelled, declined or released: money for it goes back
    # Why, when it is not open: the reason of the refund due (payments.refunds.REASONS);
    # "released" for a booking whose deposit came after its hold ran out.
    closed_reason: str = "cancelled"

    @property
    def remaining(self) -> int:
        return max(self.amount - self.paid, 0)


class PayableKind(Protocol):
    kind: str
    prefix: str  # the code's first letters: "HG", "BK"

    def find(self, code: str) -> Due | None:
        """The payable of that code, its row locked for this transaction."""

    def candidates(self, payee_id: int, amount: int, booked_at: datetime) -> list[Due]:
        """Open payables of the payee, placed before booked_at, owing exactly amount."""

    def receive(self, due: Due, amount: int) -> None:
        """Add amount to what was received; mark it paid (and tell the buyer) when that
        reaches what it costs, or tell the buyer the rest when it does not."""

    def give_back(self, payable_id: int, amount: int) -> None:
        """Add amount to what was refunded (never beyond what was received)."""


KINDS: dict[str, PayableKind] = {}


def register(kind: PayableKind) -> None:
    KINDS[kind.kind] = kind


def kind_of_code(code: str) -> PayableKind | None:
    return next((kind for kind in KINDS.values() if code.startswith(kind.prefix)), None)


def find(code: str) -> Due | None:
    kind = kind_of_code(code)
    return kind.find(code) if kind else None


def candidates(payee_id: int, amount: int, booked_at: datetime) -> list[Due]:
    return [due for kind in KINDS.values() for due in kind.candidates(payee_id, amount, booked_at)]


def add_received(model, payable_id: int, amount: int):
    """What a payable kind's receive does first to its row (an area's model with
    paid_amount, an order or a booking): paid_amount grows by amount in one UPDATE; the row
    read again, as it is now."""
    db.session.execute(
        update(model)
        .where(model.id == payable_id)
        .values(paid_amount=model.paid_amount + amount)
        .execution_options(synchronize_session=False)
    )
    row = db.session.get(model, payable_id)
    db.session.refresh(row)
    return row
