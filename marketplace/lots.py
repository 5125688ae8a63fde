"""Lots: what a cooperative packs, the stock they make, and the codes their labels carry.

A product's stock is the sum of its selling lots' units left. Every change that moves units in
or out of a lot moves Product.stock by the same amount in the same transaction, so the
catalogue keeps reading one column and the checkout's conditional update on the product row
keeps serialising two buyers of the same product.
"""

import secrets
from datetime import date

from sqlalchemy import func, select, update

from core.clock import today
from core.db import write_transaction
from core.extensions import db
from marketplace.models import Lot, Product

# Crockford-like: no 0/O, 1/I/L, so a code read off a label and typed is the code.
TRACE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# The lot that holds a product's stock from before lots were recorded (migration d5e1f3a8b924).
OPENING_LOT_CODE = "TONDAU"


def new_trace_code() -> str:
    """The short code of a lot's site URL (/t/<code>): 32^8 ≈ 10^12 codes, drawn at random."""
    return "".join(secrets.choice(TRACE_ALPHABET) for _ in range(8))


def next_lot_code(product_id: int, packed_on: date) -> str:
    """The next free code for a lot packed that day: the date, then its number (261201-2)."""
    prefix = packed_on.strftime("%y%m%d")
    taken = db.session.scalar(
        select(func.count())
        .select_from(Lot)
        .where(Lot.product_id == product_id, Lot.code.like(f"{prefix}-%"))
    )
    return f"{prefix}-{taken + 1}"


def is_sellable(lot: Lot, day: date | None = None) -> bool:
    """Still sold: neither recalled nor withdrawn as expired, and not past its expiry."""
    day = day or today()
    return lot.status == "selling" and (lot.expires_on is None or lot.expires_on >= day)


def record_lot(
    product: Product,
    *,
    quantity: int,
    packed_on: date,
    expires_on: date | None = None,
    area_code: str = "",
    standard: str = "",
    note: str = "",
    code: str | None = None,
) -> Lot:
    """A packed lot of the product: its units join the product's stock in the same change."""
    with write_transaction():
        lot = Lot(
            product_id=product.id,
            code=code or next_lot_code(product.id, packed_on),
            trace_code=new_trace_code(),
            quantity=quantity,
            units_left=quantity,
            packed_on=packed_on,
            expires_on=expires_on,
            area_code=area_code,
            standard=standard,
            note=note,
        )
        db.session.add(lot)
        db.session.execute(
            update(Product)
            .where(Product.id == product.id)
            .values(stock=Product.stock + quantity)
            .execution_options(synchronize_session=False)
        )
        db.session.flush()
    return lot
