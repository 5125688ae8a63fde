"""Placing an order: one checkout, one order per cooperative, stock taken atomically; what the
buyer is told before placing it (the parcels, their delivery fees, how each is paid)."""

import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from itertools import groupby

from sqlalchemy import and_, select, update

from core import submissions
from core.db import TryAgain, insert_unless_taken, write_transaction
from core.extensions import db
from core.models import utcnow
from core.provinces import delivery_region
from marketplace import addresses, lots
from marketplace.cart import OutOfStock, ProductUnavailable, remove_bought_lines
from marketplace.models import Checkout, Cooperative, Order, OrderEvent, OrderLine, Product
from payments.transfers import takes_transfers, takes_transfers_clause

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


def free_delivery_gap(subtotal: int, free_from: int) -> int:
    """How much more in a parcel makes its delivery free; 0 when it is free already."""
    return max(free_from - subtotal, 0)


def delivery_fee(province: str, subtotal: int, fees: dict, free_from: int) -> int:
    if not free_delivery_gap(subtotal, free_from):
        return 0
    return fees[delivery_region(province)]


# --- how an order is paid --------------------------------------------------------------------
# The buyer chooses for the whole checkout; a cooperative that gave no bank account takes cash
# on delivery only, so its order of a VietQR checkout is paid on delivery. Worked out from the
# cooperative as it is now, not stored: an order waits for a transfer only while its
# cooperative has an account to receive it.


def pays_by_transfer(order: Order) -> bool:
    """The order is paid by bank transfer (VietQR): chosen, and its cooperative takes it."""
    return order.checkout.payment_method == "vietqr" and takes_transfers(order.cooperative)


def pays_by_transfer_clause():
    """pays_by_transfer as SQL, for a query on orders joined to checkouts and cooperatives."""
    return and_(Checkout.payment_method == "vietqr", takes_transfers_clause(Cooperative))


def payment_of(order: Order) -> str:
    """How the order is paid: "vietqr" or "cod" (a key of marketplace.labels.PAYMENT_NAMES)."""
    return "vietqr" if pays_by_transfer(order) else "cod"


# --- the parcels, before the buyer confirms ---------------------------------------------------


@dataclass(frozen=True)
class Parcel:
    """One cooperative's part of the cart, as checkout will charge it."""

    cooperative: Cooperative
    lines: list
    subtotal: int
    fee: int | None  # None until the province is known (and the parcel is not free anyway)
    free_gap: int  # how much more makes its delivery free (0: free)
    takes_transfers: bool

    @property
    def total(self) -> int:
        return self.subtotal + (self.fee or 0)


@dataclass(frozen=True)
class ParcelPlan:
    parcels: list[Parcel]
    payment_method: str  # "cod", "vietqr", or "" (not chosen yet: the cart)
    lowest_fee: int  # the fee of a parcel that is not free, wherever it goes at the least

    @property
    def count(self) -> int:
        """One parcel, one delivery fee, per cooperative."""
        return len(self.parcels)

    @property
    def any_takes_transfers(self) -> bool:
        return any(parcel.takes_transfers for parcel in self.parcels)

    @property
    def transfers(self) -> int:
        """How many transfers VietQR means: one per cooperative that takes them."""
        return sum(1 for parcel in self.parcels if parcel.takes_transfers)

    @property
    def on_delivery(self) -> int:
        """Of a VietQR checkout, the parcels paid on delivery (their cooperative takes no
        transfers); of a cash-on-delivery one, all of them."""
        return self.count - self.transfers if self.payment_method == "vietqr" else self.count

    @property
    def fees_known(self) -> bool:
        return all(parcel.fee is not None for parcel in self.parcels)

    @property
    def fees(self) -> int:
        """The delivery fees known so far."""
        return sum(parcel.fee or 0 for parcel in self.parcels)

    @property
    def total(self) -> int:
        return sum(parcel.total for parcel in self.parcels)


def plan_parcels(cart, province: str, payment_method: str, fees: dict, free_from: int):
    """The parcels of the cart (marketplace.cart.Cart) for a destination (or "" when not
    chosen): each cooperative's lines, subtotal, delivery fee and what makes it free."""
    parcels = []
    for cooperative, lines in cart.by_cooperative():
        subtotal = sum(line.line_total for line in lines if line.available)
        gap = free_delivery_gap(subtotal, free_from)
        fee = delivery_fee(province, subtotal, fees, free_from) if province or not gap else None
        parcels.append(Parcel(cooperative, lines, subtotal, fee, gap, takes_transfers(cooperative)))
    return ParcelPlan(parcels, payment_method, min(fees.values()))


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
    remember_address: bool = False,
) -> Checkout:
    """Take the stock and write the checkout with its orders, all or nothing; what was bought
    leaves the buyer's cart in the same change. tell(checkout) (the messages, written with
    the change and sent after its commit, so that a mail failing never undoes nor hides the
    order) runs in the same transaction, never for a repeat. `language` is the page's: a
    guest's messages are written in it. remember_address: the delivery address joins the
    buyer's address book (marketplace.addresses.remember) in the same change.

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
        if remember_address and buyer_id is not None:
            addresses.remember(buyer_id, asdict(details))
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
    taken = {product.id: _take_stock(product, quantities[product.id]) for product in products}
    written = []
    by_cooperative = groupby(
        sorted(products, key=lambda p: (p.cooperative_id, p.id)), key=lambda p: p.cooperative_id
    )
    for number, (cooperative_id, items) in enumerate(by_cooperative, start=1):
        lines = [
            OrderLine(
                product_id=p.id,
                name=p.name,
                name_en=p.name_en,
                unit=p.unit,
                unit_price=p.price,
                quantity=quantities[p.id],
            )
            for p in items
        ]
        written.extend(lines)
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
    for line in written:
        lots.record_taken(line, taken[line.product_id])
    db.session.flush()


def _take_stock(product: Product, quantity: int) -> list[tuple[int, int]]:
    """Decrement in one conditional statement: never below zero, never two buyers' last unit.
    That statement holds the product's row, so the units are then taken from its lots
    first-expiring-first (marketplace.lots.take_units) by one buyer at a time; the
    (lot id, units) taken are returned."""
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
    try:
        return lots.take_units(product.id, quantity)
    except lots.LotsShort:
        # The stock counts lots that expired today and the daily job has not withdrawn yet.
        raise OutOfStock(product) from None
