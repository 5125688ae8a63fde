"""What the buyer and the cooperatives hear of an order: the buyer's confirmation, each
cooperative's new-order notice, and each later step of an order (core.notifications).

Every function here runs inside the write transaction of the change it tells of, so a change
that is rolled back tells no one.
"""

from dataclasses import replace
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from core.i18n import InReadersLanguage
from core.labels import N_
from core.models import User
from core.notifications import Recipient, notify, site_link
from marketplace.models import Checkout, Order, Product
from payments.refunds import REASONS as REFUND_REASONS
from payments.transfers import transfer_for

# The steps of an order the buyer hears of: status -> (event, template, subject).
STEP_MESSAGES = {
    "confirmed": ("order.confirmed", "order_confirmed", N_("Đơn hàng %(code)s đã được xác nhận")),
    "shipping": ("order.shipped", "order_shipped", N_("Đơn hàng %(code)s đang được giao")),
    "delivered": ("order.delivered", "order_delivered", N_("Đơn hàng %(code)s đã được giao")),
    "cancelled": ("order.cancelled", "order_cancelled", N_("Đơn hàng %(code)s đã bị hủy")),
}


def order_link(checkout: Checkout) -> str:
    return site_link("marketplace.order", code=checkout.code, token=checkout.access_token)


def buyer_of(checkout: Checkout) -> Recipient | None:
    """The buyer's account, or the guest's email in the language of the checkout page; None
    when a guest left no email."""
    return recipient_for(checkout.buyer_id, checkout.email, checkout.language, checkout.phone)


def recipient_for(buyer_id, email, language, phone) -> Recipient | None:
    """buyer_of, from a checkout's columns (a recall reads thousands without loading them)."""
    if buyer_id is not None:
        buyer = db.session.get(User, buyer_id)
        if buyer is not None:
            # The phone of the order reaches them on Zalo even when the account has none.
            return replace(Recipient.of(buyer), phone=buyer.phone or phone)
    if email:
        return Recipient(address=email, language=language or "vi", phone=phone)
    return None


def qr_link(checkout: Checkout, order: Order) -> str:
    """The address of the QR picture of an order's transfer (the remaining amount, always)."""
    return site_link(
        "marketplace.order_qr",
        code=checkout.code,
        order_code=order.code,
        token=checkout.access_token,
    )


def tell_placed(checkout: Checkout) -> None:
    """The buyer's confirmation, with the transfers to make (bank, account, amount, text and
    the QR's picture, per cooperative), and each cooperative's notice of its new order."""
    # Imported here: marketplace.payables tells the buyer of payments through this module.
    from marketplace.payables import transfer_steps

    buyer = buyer_of(checkout)
    if buyer is not None:
        notify(
            "order.placed",
            buyer,
            "order_placed",
            _l("Đơn hàng %(code)s đã được đặt", code=checkout.code),
            params=_params(checkout, checkout.code),
            checkout=checkout,
            steps=transfer_steps(checkout),
            qr_link=qr_link,
            link=order_link(checkout),
        )
    for order in checkout.orders:
        owner = order.cooperative.owner
        if owner is None:
            continue
        notify(
            "order.new",
            Recipient.of(owner),
            "new_order",
            _l("Đơn hàng mới %(code)s", code=order.code),
            params=_params(checkout, order.code),
            order=order,
            checkout=checkout,
        )


def tell_received(order: Order) -> None:
    """The cooperative hears that the buyer has the parcel (and may now review it)."""
    owner = order.cooperative.owner
    if owner is None:
        return
    notify(
        "order.received",
        Recipient.of(owner),
        "order_received",
        _l("Người mua đã nhận đơn %(code)s", code=order.code),
        order=order,
        checkout=order.checkout,
    )


def _params(checkout: Checkout, code: str) -> dict:
    """What a Zalo template of an order shows (core.zalo)."""
    return {"order_code": code, "customer_name": checkout.name}


def tell_step(
    order: Order, to_status: str, *, note: str = "", by_buyer: bool = False, refund: int = 0
) -> None:
    """The buyer hears that their order was confirmed, shipped (with the carrier's note),
    delivered or cancelled (with the reason, what goes back (`refund`) and what the rest of
    the checkout now comes to); when the buyer cancelled, the cooperative hears of it instead
    of waiting to find it on its list."""
    # Imported here: marketplace.payables tells the buyer of payments through this module.
    from marketplace.payables import checkout_totals

    if to_status not in STEP_MESSAGES:
        return
    checkout = order.checkout
    totals = checkout_totals(checkout, cancelling=order) if to_status == "cancelled" else None
    if by_buyer:
        owner = order.cooperative.owner
        if owner is not None:
            notify(
                "order.cancelled_by_buyer",
                Recipient.of(owner),
                "order_cancelled_by_buyer",
                _l("Người mua đã hủy đơn %(code)s", code=order.code),
                order=order,
                checkout=checkout,
                reason=note,
                refund=refund,
            )
    buyer = buyer_of(checkout)
    if buyer is None:
        return
    event, template, subject = STEP_MESSAGES[to_status]
    notify(
        event,
        buyer,
        template,
        _l(subject, code=order.code),
        params=_params(checkout, order.code),
        order=order,
        checkout=checkout,
        note=note,
        by_buyer=by_buyer,
        refund=refund,
        totals=totals,
        link=order_link(checkout),
    )


# Days before a certificate ends -> the event of its warning; each is sent once per
# certificate, the nearer one only when the farther was due already.
CERTIFICATE_WARNINGS = ((30, "certificate.expiring_30"), (90, "certificate.expiring_90"))


def warn_expiring_certificates(today: date) -> int:
    """Each product whose OCOP certificate ends within 90 days, and again within 30: the
    cooperative is told to apply for re-rating, and the office's staff so they can plan the
    council. Once per certificate and warning, however often it runs."""
    office = db.session.scalars(select(User).where(User.role == "admin").order_by(User.id)).all()
    products = db.session.scalars(
        select(Product)
        .where(
            Product.stars > 0,
            Product.stars_valid_until >= today,
            Product.stars_valid_until <= today + timedelta(days=CERTIFICATE_WARNINGS[-1][0]),
        )
        .order_by(Product.id)
    ).all()
    told = 0
    for product in products:
        days_left = (product.stars_valid_until - today).days
        event = next(event for days, event in CERTIFICATE_WARNINGS if days_left <= days)
        owner = product.cooperative.owner
        for person in ([owner] if owner else []) + office:
            told += len(
                notify(
                    event,
                    Recipient.of(person),
                    "certificate_expiring",
                    _l(
                        "Chứng nhận OCOP của %(product)s sắp hết hạn",
                        product=InReadersLanguage(product, "name"),
                    ),
                    once_key=f"{event}:{product.id}:{product.stars_valid_until}:{person.id}",
                    product=product,
                    days_left=days_left,
                    for_office=person.role == "admin",
                )
            )
    return told


def tell_payment(order: Order) -> None:
    """The buyer hears that the transfer arrived: paid in full, or what is still missing,
    with the transfer of the rest and its QR."""
    buyer = buyer_of(order.checkout)
    if buyer is None:
        return
    paid = order.paid_amount >= order.total
    notify(
        "order.paid" if paid else "order.part_paid",
        buyer,
        "order_paid" if paid else "order_part_paid",
        _l("Đã nhận thanh toán đơn %(code)s", code=order.code)
        if paid
        else _l("Đơn %(code)s còn thiếu tiền chuyển khoản", code=order.code),
        params=_params(order.checkout, order.code),
        order=order,
        checkout=order.checkout,
        remaining=max(order.total - order.paid_amount, 0),
        transfer=None if paid else transfer_for(order),
        qr=None if paid else qr_link(order.checkout, order),
        link=order_link(order.checkout),
    )


def tell_refunded(order: Order, refund) -> None:
    """The buyer hears that the cooperative gave money back, with its bank's reference."""
    buyer = buyer_of(order.checkout)
    if buyer is None:
        return
    notify(
        "order.refunded",
        buyer,
        "order_refunded",
        _l("Đơn %(code)s: đã hoàn tiền", code=order.code),
        params=_params(order.checkout, order.code),
        order=order,
        checkout=order.checkout,
        refund=refund,
        reason=REFUND_REASONS.get(refund.reason, refund.reason),
        link=order_link(order.checkout),
    )
