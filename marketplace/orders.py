"""An order's life: the allowed status moves, cancelling (which returns the stock once),
marking a bank transfer paid, shipping a transfer order not paid in full (only when the
cooperative says so), recording a refund given back. Every change is recorded as an
OrderEvent. Then the orders a cooperative handles: its list, its moves, the CSV of its orders.

Every query of a cooperative's orders takes the cooperative's id, so a cooperative reaches
only its own orders: someone else's id simply finds nothing, and the route says 404.
"""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from core import audit
from core.clock import VIETNAM
from core.db import write_transaction
from core.extensions import db
from core.models import User, utcnow
from core.text import nfc
from marketplace import lots
from marketplace.checkout import payment_of, pays_by_transfer, pays_by_transfer_clause
from marketplace.labels import ORDER_STATUS_NAMES, PAYMENT_NAMES
from marketplace.models import ORDER_STATUSES, Checkout, Cooperative, Order, OrderEvent
from marketplace.notifications import tell_received, tell_refunded, tell_step
from marketplace.payables import payment_state
from payments.models import Refund
from payments.refunds import CancelTerms, RefundError, owed_back, record_refund, refund_due

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


class AlreadyInStatus(IllegalTransition):
    """The order is already where the move would take it: the same click twice (or two people
    making the same move). Nothing more was recorded; a normal outcome, not a mistake."""


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
    by_buyer: bool = False,
) -> Order:
    """Move an order one step; refuse what TRANSITIONS does not allow.

    The move is one conditional UPDATE on the status it was read with, so two clicks (or two
    people) cannot both move it, and a cancel returns the stock exactly once. A move to where
    the order already is raises AlreadyInStatus: nothing more is recorded.
    """
    with write_transaction():
        order = db.session.get(Order, order_id)
        if order.status == to_status:
            raise AlreadyInStatus(order, to_status)
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
        if moved != 1:  # someone else moved it first: to here (a twin click), or elsewhere
            db.session.refresh(order)
            if order.status == to_status:
                raise AlreadyInStatus(order, to_status)
            raise IllegalTransition(order, to_status)
        refund = 0
        if to_status == "cancelled":
            _return_stock(order)
            # Paid by transfer: what was received goes back, recorded in the refund ledger.
            refund = cancel_terms(order).refund
            refund_due(order.cooperative_id, "order", order.id, refund, "cancelled")
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
        tell_step(order, to_status, note=note, by_buyer=by_buyer, refund=refund)
    db.session.refresh(order)
    return order


def cancel_terms(order: Order) -> CancelTerms:
    """What cancelling the order does with its money: no fee, and all that the cooperative
    holds of it (received by transfer, less what is refunded or due back already) goes back,
    by the cooperative's own transfer. Told on the confirmation before any cancel, and used
    by the cancel itself (change_status)."""
    if order.paid_amount <= 0:
        return CancelTerms(fee=0, held=0, refund=0)
    held = max(order.paid_amount - owed_back("order", order.id), 0)
    return CancelTerms(fee=0, held=held, refund=held)


def _return_stock(order: Order) -> None:
    """Each line's units go back to the lots they came from; the stock grows by those still
    for sale. The product's row first, as the checkout takes it (no deadlock between them)."""
    for line in sorted(order.lines, key=lambda line: line.product_id):
        lots.hold_product(line.product_id)
        lots.move_stock(line.product_id, lots.return_units(line))


def mark_paid(order_id: int, *, actor_id: int) -> Order:
    with write_transaction():
        order = db.session.get(Order, order_id)
        if not pays_by_transfer(order) or order.status == "cancelled":
            raise IllegalTransition(order, "paid")
        paid = db.session.execute(
            update(Order)
            .where(Order.id == order.id, Order.paid_at.is_(None))
            .values(
                paid_at=utcnow(),
                # Confirmed by hand: the whole total arrived (whatever the notices saw of it).
                paid_amount=case(
                    (Order.paid_amount > Order.total, Order.paid_amount), else_=Order.total
                ),
            )
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
        order_id,
        "cancelled",
        actor_id=buyer_id,
        note=reason,
        from_statuses=BUYER_CANCELLABLE,
        by_buyer=True,
    )


RECEIVABLE = ("shipping", "delivered")


class NotReceivable(ValueError):
    """Not on its way or delivered (yet, or any more), or confirmed received already."""


def confirm_receipt(order_id: int, buyer_id: int | None) -> Order:
    """The buyer says "Đã nhận hàng": one conditional UPDATE (an order still shipping becomes
    delivered), its OrderEvent, the cooperative told; reviews open (marketplace.reviews).
    NotReceivable for any other status, or a second click."""
    with write_transaction():
        order = db.session.get(Order, order_id)
        moved = db.session.execute(
            update(Order)
            .where(
                Order.id == order_id,
                Order.status.in_(RECEIVABLE),
                Order.received_at.is_(None),
            )
            .values(received_at=utcnow(), status="delivered")
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise NotReceivable(order_id)
        audit.record(buyer_id, "order.received", "order", order.id, order.code or "")
        db.session.add(
            OrderEvent(
                order_id=order.id, from_status=order.status, to_status="received", actor_id=buyer_id
            )
        )
        db.session.refresh(order)
        tell_received(order)
    return order


def checkouts_of_buyer(buyer_id: int) -> list[Checkout]:
    return db.session.scalars(
        select(Checkout).where(Checkout.buyer_id == buyer_id).order_by(Checkout.id.desc())
    ).all()


# --- the orders a cooperative handles (/dashboard/orders) -------------------------------

# The moves a cooperative makes with a button; cancelling needs a reason (cancel_order).
FORWARD_MOVES = ("confirmed", "shipping", "delivered")
ORDERS_PER_PAGE = 50


@dataclass(frozen=True)
class OrderPage:
    orders: list
    total: int
    page: int
    pages: int
    counts: dict[str, int]  # orders in each status, whatever the page shows


def orders_of(cooperative_id: int, status: str | None = None, page: int = 1) -> OrderPage:
    counts = status_counts(cooperative_id)
    query = select(Order).where(Order.cooperative_id == cooperative_id)
    if status in ORDER_STATUSES:
        query = query.where(Order.status == status)
        total = counts[status]
    else:
        total = sum(counts.values())
    pages = max(1, -(-total // ORDERS_PER_PAGE))
    page = min(max(page, 1), pages)
    found = db.session.scalars(
        query.options(joinedload(Order.checkout))
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(ORDERS_PER_PAGE)
        .offset((page - 1) * ORDERS_PER_PAGE)
    ).all()
    return OrderPage(orders=list(found), total=total, page=page, pages=pages, counts=counts)


def status_counts(cooperative_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Order.status, func.count(Order.id))
        .where(Order.cooperative_id == cooperative_id)
        .group_by(Order.status)
    ).all()
    counts = dict.fromkeys(ORDER_STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts


def own_order(cooperative_id: int, order_id: int) -> Order | None:
    return db.session.scalar(
        select(Order)
        .where(Order.id == order_id, Order.cooperative_id == cooperative_id)
        .options(
            joinedload(Order.checkout),
            selectinload(Order.lines),
            selectinload(Order.events).joinedload(OrderEvent.actor),
        )
    )


class ReasonRequired(ValueError):
    pass


class UnpaidShipment(ValueError):
    """Shipping an order paid by transfer before all of it arrived: the cooperative must say
    it ships all the same."""

    def __init__(self, order: Order):
        super().__init__(order.code)
        self.paid = order.paid_amount
        self.total = order.total


def ships_unpaid(order: Order) -> bool:
    """Paid by transfer and not in full yet: shipping it needs the cooperative's confirmation."""
    return order.checkout.payment_method == "vietqr" and payment_state(order) != "paid"


def advance_order(
    order: Order, to_status: str, *, actor_id: int, note: str = "", unpaid_confirmed: bool = False
) -> Order:
    """pending → confirmed → shipping → delivered, one step; IllegalTransition otherwise.
    Shipping a transfer order not paid in full raises UnpaidShipment unless unpaid_confirmed."""
    if to_status not in FORWARD_MOVES:
        raise IllegalTransition(order, to_status)
    with write_transaction():  # what was paid is read in the move's own transaction
        order = db.session.get(Order, order.id)
        if (
            to_status == "shipping"
            and to_status in allowed_moves(order)
            and not unpaid_confirmed
            and ships_unpaid(order)
        ):
            raise UnpaidShipment(order)
        return change_status(order.id, to_status, actor_id=actor_id, note=nfc(note).strip()[:300])


def cancel_order(order: Order, reason: str, *, actor_id: int) -> Order:
    """Cancel with a reason the buyer will read; the stock goes back (once) in change_status."""
    reason = nfc(reason).strip()[:300]
    if not reason:
        raise ReasonRequired()
    return change_status(order.id, "cancelled", actor_id=actor_id, note=reason)


def confirm_payment(order: Order, *, actor_id: int) -> Order:
    """A VietQR transfer has arrived. IllegalTransition (not VietQR, cancelled), AlreadyPaid."""
    return mark_paid(order.id, actor_id=actor_id)


class RefundNotDue(ValueError):
    """Recorded already (a second click), so nothing more was done."""


class RefundBeyondPaid(ValueError):
    """Giving it back would make the order's refunds more than what it received."""


class BankReferenceRequired(ValueError):
    pass


def record_order_refund(
    order: Order, refund_id: int, bank_reference: str, *, actor_id: int
) -> Refund | None:
    """The cooperative gave a refund of this order back, with its bank's reference: the refund
    is done (payments.refunds.record_refund, audited) and the buyer is told, in one change.
    None when the refund is not this order's; RefundNotDue when it was recorded before;
    RefundBeyondPaid when it would take the order's refunds beyond what it received."""
    bank_reference = nfc(bank_reference).strip()
    if not bank_reference:
        raise BankReferenceRequired()
    refund = db.session.get(Refund, refund_id)
    if refund is None or (refund.payable_kind, refund.payable_id) != ("order", order.id):
        return None
    try:
        with write_transaction():
            refund = record_refund(refund_id, order.cooperative_id, bank_reference, actor_id)
            tell_refunded(db.session.get(Order, order.id), refund)
    except RefundError:
        refund = db.session.get(Refund, refund_id)
        if refund.status != "due":
            raise RefundNotDue(refund_id) from None
        raise RefundBeyondPaid(refund_id) from None
    return refund


def forward_moves(order: Order) -> list[str]:
    return [s for s in allowed_moves(order) if s in FORWARD_MOVES]


def can_cancel(order: Order) -> bool:
    return "cancelled" in allowed_moves(order)


def awaits_payment(order: Order) -> bool:
    return pays_by_transfer(order) and order.paid_at is None and order.status != "cancelled"


def unpaid_count(cooperative_id: int) -> int:
    """The cooperative's VietQR orders whose transfer has not arrived (cancelled ones aside)."""
    return db.session.scalar(
        select(func.count(Order.id))
        .join(Checkout, Checkout.id == Order.checkout_id)
        .join(Cooperative, Cooperative.id == Order.cooperative_id)
        .where(
            Order.cooperative_id == cooperative_id,
            Order.paid_at.is_(None),
            Order.status != "cancelled",
            pays_by_transfer_clause(),
        )
    )


# --- CSV -------------------------------------------------------------------------------------

CSV_BOM = "\ufeff"  # so that Excel reads the file as UTF-8 and shows Vietnamese correctly


def _cell(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _local(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.replace(tzinfo=UTC).astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M")


def orders_csv(cooperative_id: int) -> str:
    """Every order of the cooperative, oldest first, one row each, with a BOM for Excel."""
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            _("Mã đơn"),
            _("Ngày đặt"),
            _("Tình trạng"),
            _("Người mua"),
            _("Số điện thoại"),
            _("Tỉnh / thành phố"),
            _("Tiền hàng"),
            _("Phí giao hàng"),
            _("Tổng cộng"),
            _("Thanh toán"),
            _("Đã thanh toán lúc"),
        ]
    )
    rows = db.session.scalars(
        select(Order)
        .where(Order.cooperative_id == cooperative_id)
        .options(joinedload(Order.checkout))
        .order_by(Order.created_at, Order.id)
        .execution_options(yield_per=500)
    )
    for order in rows:
        checkout = order.checkout
        writer.writerow(
            [
                _cell(order.code or ""),
                _local(order.created_at),
                _(ORDER_STATUS_NAMES.get(order.status, order.status)),
                _cell(checkout.name),
                _cell(checkout.phone),
                _cell(checkout.province),
                order.subtotal,
                order.delivery_fee,
                order.total,
                _(PAYMENT_NAMES[payment_of(order)]),
                _local(order.paid_at),
            ]
        )
    return buffer.getvalue()


def csv_filename(cooperative: Cooperative, today: date) -> str:
    return f"don-hang-{cooperative.slug}-{today.isoformat()}.csv"


def actor_name(event: OrderEvent) -> str:
    actor: User | None = event.actor
    return actor.name if actor else _("Khách mua hàng")
