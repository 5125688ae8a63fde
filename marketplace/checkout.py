"""Placing an order: one checkout, one order per cooperative, stock taken atomically."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import select, update

from core import submissions
from core.db import TryAgain, insert_unless_taken, write_transaction
from core.extensions import db
from core.models import utcnow
from core.provinces import delivery_region
from marketplace.cart import OutOfStock, ProductUnavailable, remove_bought_lines
from marketplace.models import Checkout, Order, OrderEvent, OrderLine, Product

FORM_TOKEN_LENGTH = 64  # Checkout.form_token


@dataclass(frozen=True)
class DeliveryDetails:
    name: str
    phone: str
    email: str | None
    province: str
    ward: str
    street: str
    note: str
    payment_method: str


def new_form_token() -> str:
    return submissions.new_form_token()


def valid_form_token(token: str | None) -> bool:
    """A token as new_form_token makes them; anything else is never stored."""
    return submissions.valid_form_token(token)


def delivery_fee(province: str, subtotal: int, fees: dict, free_from: int) -> int:
    if subtotal >= free_from:
        return 0
    return fees[delivery_region(province)]


def checkout_code(checkout: Checkout) -> str:
    return f"HG-{checkout.created_at.year}-{checkout.id:06d}"


def find_checkout_by_form_token(form_token: str) -> Checkout | None:
    return db.session.scalar(select(Checkout).where(Checkout.form_token == form_token))


def place_order(
    quantities: dict[int, int],
    details: DeliveryDetails,
    *,
    buyer_id: int | None,
    form_token: str,
    fees: dict,
    free_from: int,
    language: str = "vi",
    tell: Callable[[Checkout], object] | None = None,
) -> Checkout:
    """Take the stock and write the checkout with its orders, all or nothing; what was bought
    leaves the buyer's cart in the same change. tell(checkout) (the messages, written with
    the change and sent after its commit, so that a mail failing never undoes nor hides the
    order) runs in the same transaction, never for a repeat. `language` is the page's: a
    guest's messages are written in it.

    The form's token is claimed first, on the checkout's own row: the same form submitted
    again, at once or later, waits for the first and gets its checkout back, and never takes
    stock a second time (so a double click on the last unit is not told it sold out).
    Raises OutOfStock or ProductUnavailable, with nothing ordered, when a product cannot be
    had.
    """
    if not form_token or len(form_token) > FORM_TOKEN_LENGTH:
        raise ValueError("not a checkout form token")
    with write_transaction():
        checkout = Checkout(
            form_token=form_token,
            access_token=secrets.token_urlsafe(24),
            buyer_id=buyer_id,
            created_at=utcnow(),
            language=language,
            **details.__dict__,
        )
        if not insert_unless_taken(checkout):
            existing = find_checkout_by_form_token(form_token)
            if existing is None:  # taken by a change not yet visible: let the person retry
                raise TryAgain()
            return existing
        checkout.code = checkout_code(checkout)
        _write_orders(checkout, quantities, details, buyer_id, fees, free_from)
        remove_bought_lines(buyer_id, quantities)
        if tell is not None:
            tell(checkout)
    return checkout


def _write_orders(checkout, quantities, details, buyer_id, fees, free_from) -> None:
    # Products in id order, so two checkouts always take their rows in the same order.
    products = db.session.scalars(
        select(Product).where(Product.id.in_(quantities)).order_by(Product.id)
    ).all()
    if len(products) != len(quantities):
        raise ProductUnavailable("gone")
    for product in products:
        _take_stock(product, quantities[product.id])
    by_cooperative = groupby(
        sorted(products, key=lambda p: (p.cooperative_id, p.id)), key=lambda p: p.cooperative_id
    )
    for number, (cooperative_id, items) in enumerate(by_cooperative, start=1):
        lines = [
            OrderLine(
                product_id=p.id,
                name=p.name,
                unit=p.unit,
                unit_price=p.price,
                quantity=quantities[p.id],
            )
            for p in items
        ]
        subtotal = sum(line.line_total for line in lines)
        fee = delivery_fee(details.province, subtotal, fees, free_from)
        order = Order(
            checkout=checkout,
            cooperative_id=cooperative_id,
            code=f"{checkout.code}-{number}",
            status="pending",
            subtotal=subtotal,
            delivery_fee=fee,
            total=subtotal + fee,
            lines=lines,
        )
        order.events.append(OrderEvent(from_status=None, to_status="pending", actor_id=buyer_id))
        db.session.add(order)
    db.session.flush()


def _take_stock(product: Product, quantity: int) -> None:
    """Decrement in one conditional statement: never below zero, never two buyers' last unit."""
    if quantity < 1:
        raise ProductUnavailable(product.name)
    taken = db.session.execute(
        update(Product)
        .where(Product.id == product.id, Product.listed.is_(True), Product.stock >= quantity)
        .values(stock=Product.stock - quantity)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise OutOfStock(product)
