"""Placing an order: one checkout, one order per cooperative, stock taken atomically."""

import secrets
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.db import write_transaction
from core.extensions import db
from core.models import utcnow
from core.provinces import delivery_region
from marketplace.cart import OutOfStock, ProductUnavailable
from marketplace.models import Checkout, Order, OrderEvent, OrderLine, Product


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
    return secrets.token_urlsafe(24)


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
) -> Checkout:
    """Take the stock and write the checkout with its orders, all or nothing.

    A form submitted twice (the same form_token) gives back the first checkout. Raises
    OutOfStock or ProductUnavailable, with nothing ordered, when a product cannot be had.
    """
    try:
        with write_transaction():
            existing = find_checkout_by_form_token(form_token)
            if existing is not None:
                return existing
            return _write_checkout(quantities, details, buyer_id, form_token, fees, free_from)
    except IntegrityError:
        # The same form submitted at the same moment: the other submit made the checkout.
        existing = find_checkout_by_form_token(form_token)
        if existing is None:
            raise
        return existing


def _write_checkout(quantities, details, buyer_id, form_token, fees, free_from) -> Checkout:
    # Products in id order, so two checkouts always take their rows in the same order.
    products = db.session.scalars(
        select(Product).where(Product.id.in_(quantities)).order_by(Product.id)
    ).all()
    if len(products) != len(quantities):
        raise ProductUnavailable("gone")
    for product in products:
        _take_stock(product, quantities[product.id])
    checkout = Checkout(
        form_token=form_token,
        access_token=secrets.token_urlsafe(24),
        buyer_id=buyer_id,
        created_at=utcnow(),
        **details.__dict__,
    )
    db.session.add(checkout)
    db.session.flush()
    checkout.code = checkout_code(checkout)
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
    return checkout


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
