"""What the buyer and the cooperatives hear of an order: the buyer's confirmation, each
cooperative's new-order notice, and each later step of an order (core.notifications).

Every function here runs inside the write transaction of the change it tells of, so a change
that is rolled back tells no one.
"""

from flask_babel import lazy_gettext as _l

from core.extensions import db
from core.labels import N_
from core.models import User
from core.notifications import Recipient, notify, site_link
from marketplace.models import Checkout, Order

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
    if checkout.buyer_id is not None:
        buyer = db.session.get(User, checkout.buyer_id)
        if buyer is not None:
            return Recipient.of(buyer)
    if checkout.email:
        return Recipient(address=checkout.email, language=checkout.language or "vi")
    return None


def tell_placed(checkout: Checkout) -> None:
    """The buyer's confirmation and each cooperative's notice of its new order."""
    buyer = buyer_of(checkout)
    if buyer is not None:
        notify(
            "order.placed",
            buyer,
            "order_placed",
            _l("Đơn hàng %(code)s đã được đặt", code=checkout.code),
            checkout=checkout,
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
            order=order,
            checkout=checkout,
        )


def tell_step(order: Order, to_status: str, reason: str = "") -> None:
    """The buyer hears that their order was confirmed, shipped, delivered or cancelled."""
    if to_status not in STEP_MESSAGES:
        return
    checkout = order.checkout
    buyer = buyer_of(checkout)
    if buyer is None:
        return
    event, template, subject = STEP_MESSAGES[to_status]
    notify(
        event,
        buyer,
        template,
        _l(subject, code=order.code),
        order=order,
        checkout=checkout,
        reason=reason,
        link=order_link(checkout),
    )
