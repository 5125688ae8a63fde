"""An order's life: the allowed status moves, cancelling (which returns the stock once),
marking a bank transfer paid. Every change is recorded as an OrderEvent."""

from sqlalchemy import select, update

from core import audit
from core.db import write_transaction
from core.extensions import db
from core.models import utcnow
from marketplace.models import Checkout, Order, OrderEvent, Product

TRANSITIONS = {
    "pending": ("confirmed", "cancelled"),
    "confirmed": ("shipping", "cancelled"),
    "shipping": ("delivered",),
    "delivered": (),
    "cancelled": (),
}
BUYER_CANCELLABLE = ("pending",)


class IllegalTransition(ValueError):
    def __init__(self, order: Order, to_status: str):
        super().__init__(f"{order.status} -> {to_status}")
        self.from_status = order.status
        self.to_status = to_status


class AlreadyPaid(ValueError):
    pass


def allowed_moves(order: Order) -> tuple[str, ...]:
    return TRANSITIONS[order.status]


def change_status(
    order_id: int,
    to_status: str,
    *,
    actor_id: int | None,
    note: str = "",
    from_statuses: tuple[str, ...] | None = None,
) -> Order:
    """Move an order one step; refuse what TRANSITIONS does not allow.

    The move is one conditional UPDATE on the status it was read with, so two clicks (or two
    people) cannot both move it, and a cancel returns the stock exactly once.
    """
    with write_transaction():
        order = db.session.get(Order, order_id)
        if to_status not in TRANSITIONS[order.status] or (
            from_statuses is not None and order.status not in from_statuses
        ):
            raise IllegalTransition(order, to_status)
        moved = db.session.execute(
            update(Order)
            .where(Order.id == order.id, Order.status == order.status)
            .values(
                status=to_status,
                cancel_reason=note if to_status == "cancelled" else Order.cancel_reason,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:  # someone else moved it first
            raise IllegalTransition(order, to_status)
        if to_status == "cancelled":
            _return_stock(order)
        audit.record(actor_id, "order.status", "order", order.id, f"{order.status} → {to_status}")
        db.session.add(
            OrderEvent(
                order_id=order.id,
                from_status=order.status,
                to_status=to_status,
                actor_id=actor_id,
                note=note,
            )
        )
    db.session.refresh(order)
    return order


def _return_stock(order: Order) -> None:
    for line in sorted(order.lines, key=lambda line: line.product_id):
        db.session.execute(
            update(Product)
            .where(Product.id == line.product_id)
            .values(stock=Product.stock + line.quantity)
            .execution_options(synchronize_session=False)
        )


def mark_paid(order_id: int, *, actor_id: int) -> Order:
    with write_transaction():
        order = db.session.get(Order, order_id)
        if order.checkout.payment_method != "vietqr" or order.status == "cancelled":
            raise IllegalTransition(order, "paid")
        paid = db.session.execute(
            update(Order)
            .where(Order.id == order.id, Order.paid_at.is_(None))
            .values(paid_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if paid != 1:
            raise AlreadyPaid(order.code)
        audit.record(actor_id, "order.paid", "order", order.id, order.code)
        db.session.add(
            OrderEvent(
                order_id=order.id, from_status=order.status, to_status="paid", actor_id=actor_id
            )
        )
    db.session.refresh(order)
    return order


def cancel_by_buyer(order_id: int, buyer_id: int | None, reason: str = "") -> Order:
    return change_status(
        order_id, "cancelled", actor_id=buyer_id, note=reason, from_statuses=BUYER_CANCELLABLE
    )


def checkouts_of_buyer(buyer_id: int) -> list[Checkout]:
    return db.session.scalars(
        select(Checkout).where(Checkout.buyer_id == buyer_id).order_by(Checkout.id.desc())
    ).all()
