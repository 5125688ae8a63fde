"""Orders as payments sees them (payments.payables): found by the code in a transfer's
reference, paid by what arrives at their cooperative's account, refunded when cancelled after
payment. Registered by marketplace.init_app."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.extensions import db
from core.models import utcnow
from marketplace.checkout import pays_by_transfer, pays_by_transfer_clause
from marketplace.models import Checkout, Cooperative, Order, OrderEvent
from marketplace.notifications import tell_payment
from payments.payables import Due, add_received
from payments.refunds import add_refunded
from payments.transfers import BankTransfer, transfer_for


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
            .join(Checkout, Checkout.id == Order.checkout_id)
            .join(Cooperative, Cooperative.id == Order.cooperative_id)
            .where(
                Order.cooperative_id == payee_id,
                Order.status != "cancelled",
                pays_by_transfer_clause(),  # a VietQR checkout's COD part owes no transfer
                Order.total - Order.paid_amount == amount,
                Order.created_at <= booked_at,
            )
            .order_by(Order.id)
            .limit(2)  # more than one is as good as many: the credit waits for a person
            .with_for_update(of=Order)
        ).all()
        return [_due(order) for order in orders]

    def receive(self, due: Due, amount: int) -> None:
        order = add_received(Order, due.id, amount)
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
        add_refunded(Order, payable_id, amount)


def payment_state(order: Order) -> str:
    """awaiting, part_paid or paid: what the buyer and the cooperative see of a transfer."""
    if order.paid_at is not None or order.paid_amount >= order.total:
        return "paid"
    return "part_paid" if order.paid_amount else "awaiting"


@dataclass(frozen=True)
class TransferStep:
    """One of the buyer's transfers: "Chuyển khoản 1/2", to one cooperative."""

    number: int
    count: int
    order: Order
    state: str  # payment_state: awaiting, part_paid, paid
    remaining: int
    transfer: BankTransfer | None  # what is still to transfer; None once paid


def _open(order: Order, cancelling: Order | None = None) -> bool:
    return order.status != "cancelled" and (cancelling is None or order.id != cancelling.id)


def transfer_steps(checkout: Checkout) -> list[TransferStep]:
    """The transfers of a checkout, one per cooperative paid by transfer, in order; a
    cancelled order has none (what it received is a refund: payments.refunds)."""
    orders = [o for o in checkout.orders if _open(o) and pays_by_transfer(o)]
    steps = []
    for number, order in enumerate(orders, start=1):
        state = payment_state(order)
        steps.append(
            TransferStep(
                number=number,
                count=len(orders),
                order=order,
                state=state,
                remaining=max(order.total - order.paid_amount, 0),
                transfer=transfer_for(order) if state != "paid" else None,
            )
        )
    return steps


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


@dataclass(frozen=True)
class CheckoutTotals:
    """A checkout's money as the buyer sees it now: cancelled orders are out of the total
    and of what is left to pay."""

    placed: int  # every order's total, as at checkout
    cancelled: int  # the totals of the cancelled orders
    to_transfer: int  # still to transfer to the cooperatives (the steps' remaining)
    on_delivery: int  # to pay in cash on delivery (open orders not paid by transfer)

    @property
    def total(self) -> int:
        return self.placed - self.cancelled


def checkout_totals(checkout: Checkout, cancelling: Order | None = None) -> CheckoutTotals:
    """The checkout's totals, with `cancelling` counted as cancelled: what the confirmation of
    a cancel tells, and the cancel's mail (written while the order is moving)."""
    open_orders = [o for o in checkout.orders if _open(o, cancelling)]
    by_transfer = [o for o in open_orders if pays_by_transfer(o)]
    return CheckoutTotals(
        placed=sum(o.total for o in checkout.orders),
        cancelled=sum(o.total for o in checkout.orders if not _open(o, cancelling)),
        to_transfer=sum(max(o.total - o.paid_amount, 0) for o in by_transfer),
        on_delivery=sum(
            o.total for o in open_orders if o not in by_transfer and o.status != "delivered"
        ),
    )
