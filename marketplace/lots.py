"""Lots: what a cooperative packs, the stock they make, and the codes their labels carry.

A product's stock is the sum of its selling lots' units left. Every change that moves units in
or out of a lot moves Product.stock by the same amount in the same transaction, so the
catalogue keeps reading one column and the checkout's conditional update on the product row
keeps serialising two buyers of the same product.
"""

import secrets
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import joinedload

from core.clock import today
from core.db import TryAgain, insert_unless_taken, write_transaction
from core.extensions import db
from marketplace.models import Lot, OrderLine, OrderLineLot, Product

# Crockford-like: no 0/O, 1/I/L, so a code read off a label and typed is the code.
TRACE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# The lot that holds a product's stock from before lots were recorded (migration d5e1f3a8b924).
OPENING_LOT_CODE = "TONDAU"


def new_trace_code() -> str:
    """The short code of a lot's site URL (/t/<code>): 32^8 ≈ 10^12 codes, drawn at random."""
    return "".join(secrets.choice(TRACE_ALPHABET) for _ in range(8))


def next_lot_code(product_id: int, packed_on: date, skip: int = 0) -> str:
    """The next free code for a lot packed that day: the date, then its number (261201-2);
    skip: how many codes after it were found taken."""
    prefix = packed_on.strftime("%y%m%d")
    taken = db.session.scalar(
        select(func.count())
        .select_from(Lot)
        .where(Lot.product_id == product_id, Lot.code.like(f"{prefix}-%"))
    )
    return f"{prefix}-{taken + 1 + skip}"


def is_sellable(lot: Lot, day: date | None = None) -> bool:
    """Still sold: neither recalled nor withdrawn as expired, and not past its expiry."""
    day = day or today()
    return lot.status == "selling" and (lot.expires_on is None or lot.expires_on >= day)


class LotCodeTaken(Exception):
    """The cooperative typed a lot code the product already has."""


class LotsShort(Exception):
    """The product's sellable lots do not hold the units asked for (nothing was taken)."""


# A product's stock at most: what the product forms accept, far below INTEGER.
MAX_STOCK = 1_000_000


class StockFull(Exception):
    """The lot's units would take the product's stock past MAX_STOCK (nothing was recorded)."""


# Tries for a lot code when another lot of the same product and day was recorded at once.
CODE_ATTEMPTS = 5
# The dashboard warns of lots expiring within this many days.
EXPIRY_WARNING_DAYS = 14


def still_sold(day: date | None = None):
    """The condition of a lot still sold on `day` (is_sellable, in SQL)."""
    day = day or today()
    return and_(Lot.status == "selling", or_(Lot.expires_on.is_(None), Lot.expires_on >= day))


def sellable(product_id: int):
    """The conditions of a product's lots that units can be taken from today."""
    return and_(Lot.product_id == product_id, still_sold(), Lot.units_left > 0)


def counted_in_stock(product_id: int):
    """The product's lots whose units Product.stock counts: those selling, by their status
    (a lot past its date stays counted until the daily job withdraws it)."""
    return and_(Lot.product_id == product_id, Lot.status == "selling", Lot.units_left > 0)


FEFO = (Lot.expires_on.is_(None), Lot.expires_on, Lot.packed_on, Lot.id)


def hold_product(product_id: int) -> None:
    """Take the product's row before its lots, as the checkout's conditional update does:
    every change to a product's lots waits for the one before it (and none deadlocks)."""
    db.session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(stock=Product.stock)
        .execution_options(synchronize_session=False)
    )


def move_stock(product_id: int, units: int) -> None:
    """Product.stock follows its lots by `units` (negative: out), in the caller's change."""
    db.session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(stock=Product.stock + units)
        .execution_options(synchronize_session=False)
    )


def take_units(product_id: int, quantity: int, among=None) -> list[tuple[int, int]]:
    """Take `quantity` units from the product's sellable lots, first-expiring-first: each
    lot by a conditional update (never below zero). Returns (lot id, units) taken. The
    caller holds the product's row (its own conditional update on Product.stock), so two
    buyers of one product take lots one after the other; LotsShort when the lots cannot
    cover it (the caller's transaction is rolled back). Product.stock is the caller's."""
    taken = []
    left = quantity
    lots = db.session.execute(
        select(Lot.id, Lot.units_left)
        .where(sellable(product_id) if among is None else among)
        .order_by(*FEFO)
    ).all()
    for lot_id, units_left in lots:
        if left == 0:
            break
        units = min(units_left, left)
        written = db.session.execute(
            update(Lot)
            .where(Lot.id == lot_id, Lot.units_left >= units)
            .values(units_left=Lot.units_left - units)
            .execution_options(synchronize_session=False)
        ).rowcount
        if written == 1:
            taken.append((lot_id, units))
            left -= units
    if left:
        raise LotsShort(product_id)
    return taken


def record_taken(line: OrderLine, taken: list[tuple[int, int]]) -> None:
    for lot_id, units in taken:
        db.session.add(OrderLineLot(order_line_id=line.id, lot_id=lot_id, quantity=units))


def return_units(line: OrderLine) -> int:
    """A cancelled line's units go back to the lots they came from; returns how many of them
    count in the stock again (those of lots still selling: a recalled or expired lot takes
    its units back but does not sell them). The caller moves Product.stock by that many.

    By the lot's status, not its date: a lot past its date but not yet withdrawn by the
    daily job is still in the stock, and the job takes all its units out when it runs."""
    back = 0
    taken_from = db.session.scalars(
        select(OrderLineLot)
        .where(OrderLineLot.order_line_id == line.id)
        .options(joinedload(OrderLineLot.lot))
        .order_by(OrderLineLot.lot_id)
    ).all()
    if not taken_from:
        # Ordered before lots were recorded: back to the opening stock.
        _add_counted(line.product, line.quantity)
        return line.quantity
    for taken in taken_from:
        db.session.execute(
            update(Lot)
            .where(Lot.id == taken.lot_id)
            .values(units_left=Lot.units_left + taken.quantity)
            .execution_options(synchronize_session=False)
        )
        if taken.lot.status == "selling":
            back += taken.quantity
    return back


def count_stock(product: Product, counted: int, seen: int) -> None:
    """A stock count (kiểm kho) of `counted` units where the product had `seen`, inside the
    caller's transaction that has just written Product.stock = counted: more units go to an
    adjustment lot, fewer are taken from the lots first-expiring-first."""
    if counted > seen:
        _add_counted(product, counted - seen)
    elif counted < seen:
        # From every lot in the stock, one past its date not yet withdrawn first: its units
        # are in `seen`, and the daily job would take them out a second time.
        in_stock = counted_in_stock(product.id)
        units = db.session.scalar(
            select(func.coalesce(func.sum(Lot.units_left), 0)).where(in_stock)
        )
        take_units(product.id, min(seen - counted, units), among=in_stock)


def _add_counted(product: Product, units: int) -> None:
    opening = db.session.scalar(
        select(Lot).where(Lot.product_id == product.id, Lot.code == OPENING_LOT_CODE, still_sold())
    )
    if opening is None and not _has_lot(product.id, OPENING_LOT_CODE):
        _insert_lot(product, units, today(), code=OPENING_LOT_CODE)
    elif opening is not None:
        db.session.execute(
            update(Lot)
            .where(Lot.id == opening.id)
            .values(quantity=Lot.quantity + units, units_left=Lot.units_left + units)
            .execution_options(synchronize_session=False)
        )
    else:
        _insert_lot(product, units, today())


def _has_lot(product_id: int, code: str) -> bool:
    return (
        db.session.scalar(select(Lot.id).where(Lot.product_id == product_id, Lot.code == code))
        is not None
    )


def _insert_lot(product: Product, quantity: int, packed_on: date, code=None, **fields) -> Lot:
    """Insert a lot; an automatic code taken by a lot recorded at the same moment is tried
    again with the next one. LotCodeTaken for a typed code that exists; TryAgain if busy."""
    for attempt in range(1 if code else CODE_ATTEMPTS):
        lot = Lot(
            product_id=product.id,
            code=code or next_lot_code(product.id, packed_on, skip=attempt),
            trace_code=new_trace_code(),
            quantity=quantity,
            units_left=quantity,
            packed_on=packed_on,
            **fields,
        )
        if insert_unless_taken(lot):
            return lot
    if code:
        raise LotCodeTaken(code)
    raise TryAgain()


def expire_lots(day: date) -> int:
    """Lots past their expiry stop being sold: marked expired, their units leave the
    product's stock (once: an expired lot is not selling any more). Returns how many."""
    lots = db.session.execute(
        select(Lot.id, Lot.product_id)
        .where(Lot.status == "selling", Lot.expires_on < day)
        .order_by(Lot.product_id, Lot.id)
    ).all()
    expired = 0
    for lot_id, product_id in lots:
        hold_product(product_id)
        units = db.session.scalar(
            select(Lot.units_left).where(Lot.id == lot_id, Lot.status == "selling")
        )
        if units is None:  # recalled meanwhile
            continue
        expired += 1
        db.session.execute(
            update(Lot)
            .where(Lot.id == lot_id)
            .values(status="expired")
            .execution_options(synchronize_session=False)
        )
        move_stock(product_id, -units)
    return expired


def lots_of(cooperative_id: int, product_id: int | None = None) -> list[Lot]:
    """The cooperative's lots, newest first (of one product if given)."""
    query = (
        select(Lot)
        .join(Product, Product.id == Lot.product_id)
        .where(Product.cooperative_id == cooperative_id)
        .options(joinedload(Lot.product))
        .order_by(Lot.packed_on.desc(), Lot.id.desc())
    )
    if product_id is not None:
        query = query.where(Lot.product_id == product_id)
    return db.session.scalars(query).all()


def expiry_warnings(cooperative_id: int, day: date | None = None) -> list[Lot]:
    """Lots still holding units that expire within EXPIRY_WARNING_DAYS or have expired,
    soonest first: what the dashboard home warns of."""
    day = day or today()
    return db.session.scalars(
        select(Lot)
        .join(Product, Product.id == Lot.product_id)
        .where(
            Product.cooperative_id == cooperative_id,
            Lot.units_left > 0,
            Lot.status.in_(("selling", "expired")),
            Lot.expires_on <= day + timedelta(days=EXPIRY_WARNING_DAYS),
            # An expired lot's units are out of the stock already: told for two weeks.
            Lot.expires_on >= day - timedelta(days=EXPIRY_WARNING_DAYS),
        )
        .options(joinedload(Lot.product))
        .order_by(Lot.expires_on, Lot.id)
    ).all()


def record_lot(product: Product, **fields) -> Lot:
    """A packed lot of the product, recorded in a change of its own (add_lot's fields)."""
    with write_transaction():
        return add_lot(product, **fields)


def add_lot(
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
    """A packed lot of the product: its units join the product's stock in the same change
    (the caller's). LotCodeTaken for a typed code the product has already."""
    lot = _insert_lot(
        product,
        quantity,
        packed_on,
        code=code,
        # Recorded already past its expiry (a late entry): kept, never sold.
        status="expired" if expires_on and expires_on < today() else "selling",
        expires_on=expires_on,
        area_code=area_code,
        standard=standard,
        note=note,
    )
    if is_sellable(lot):
        added = db.session.execute(
            update(Product)
            .where(Product.id == product.id, Product.stock <= MAX_STOCK - quantity)
            .values(stock=Product.stock + quantity)
            .execution_options(synchronize_session=False)
        ).rowcount
        if added != 1:
            raise StockFull()
    return lot
