"""Orders as payments sees them (payments.payables): found by the code in a transfer's
reference, paid by what arrives at their cooperative's account, refunded when cancelled after
payment. Registered by marketplace.init_app."""

from datetime import datetime

from sqlalchemy import select, update

from core.extensions import db
from core.models import utcnow
from marketplace.models import Checkout, Order, OrderEvent
from marketplace.notifications import tell_payment
from payments.payables import Due
from payments.refunds import RefundError


def _due(order: Order) -> Due:
    return Due(
        kind="order",
        id=order.id,
        code=order.code,
        payee_id=order.cooperative_id,
        amount=order.total,
        paid=order.paid_amount,
        placed_at=order.created_at,
        is_open=order.status != "cancelled",
    )


class OrderPayable:
    kind = "order"
    prefix = "HG"

    def find(self, code: str) -> Due | None:
        order = db.session.scalar(select(Order).where(Order.code == code).with_for_update())
        return _due(order) if order else None

    def candidates(self, payee_id: int, amount: int, booked_at: datetime) -> list[Due]:
        orders = db.session.scalars(
            select(Order)
            .join(Checkout)
            .where(
                Order.cooperative_id == payee_id,
                Order.status != "cancelled",
                Checkout.payment_method == "vietqr",
                Order.total - Order.paid_amount == amount,
                Order.created_at <= booked_at,
            )
            .order_by(Order.id)
            .limit(2)  # more than one is as good as many: the credit waits for a person
            .with_for_update()
        ).all()
        return [_due(order) for order in orders]

    def receive(self, due: Due, amount: int) -> None:
        db.session.execute(
            update(Order)
            .where(Order.id == due.id)
            .values(paid_amount=Order.paid_amount + amount)
            .execution_options(synchronize_session=False)
        )
        order = db.session.get(Order, due.id)
        db.session.refresh(order)
        if not due.is_open or order.paid_at is not None:
            return  # cancelled, or paid before: payments records the refund due
        if order.paid_amount >= order.total:
            order.paid_at = utcnow()
            db.session.add(
                OrderEvent(
                    order_id=order.id, from_status=order.status, to_status="paid", actor_id=None
                )
            )
        tell_payment(order)

    def give_back(self, payable_id: int, amount: int) -> None:
        given = db.session.execute(
            update(Order)
            .where(Order.id == payable_id, Order.refunded_amount + amount <= Order.paid_amount)
            .values(refunded_amount=Order.refunded_amount + amount)
            .execution_options(synchronize_session=False)
        ).rowcount
        if given != 1:
            raise RefundError("more than was received")


def payment_state(order: Order) -> str:
    """awaiting, part_paid or paid: what the buyer and the cooperative see of a transfer."""
    if order.paid_at is not None or order.paid_amount >= order.total:
        return "paid"
    return "part_paid" if order.paid_amount else "awaiting"


def order_codes(cooperative_id: int, order_ids: list[int]) -> dict[int, str]:
    """id -> code of the cooperative's orders among order_ids (its payments page names the
    orders a credit paid or a refund is for)."""
    if not order_ids:
        return {}
    return dict(
        db.session.execute(
            select(Order.id, Order.code).where(
                Order.cooperative_id == cooperative_id, Order.id.in_(order_ids)
            )
        ).all()
    )
