"""The cart: in the session for guests, in the database for logged-in buyers (merged on login).

Quantities are kept between 1 and what is in stock. The cart shows each product as it is now:
a product that ran out, was hidden or changed price is shown as such, and checkout uses the
current price.
"""

import logging
from dataclasses import dataclass

from flask import session
from sqlalchemy import case, delete, select, update
from sqlalchemy.orm import joinedload, selectinload

from core.db import TryAgain, upsert, write_transaction
from core.extensions import db
from marketplace.models import CartItem, Product

log = logging.getLogger(__name__)

MAX_LINES = 50
SESSION_KEY = "cart"


class CartError(ValueError):
    """A cart change that cannot be made; the message key says why."""


class ProductUnavailable(CartError):
    pass


class OutOfStock(CartError):
    def __init__(self, product: Product):
        super().__init__(product.name)
        self.product = product


@dataclass
class CartLine:
    product: Product
    quantity: int

    @property
    def available(self) -> bool:
        return self.product.listed and self.product.stock > 0

    @property
    def over_stock(self) -> bool:
        return self.available and self.quantity > self.product.stock

    @property
    def line_total(self) -> int:
        return self.product.price * self.quantity


@dataclass
class Cart:
    lines: list[CartLine]

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def total(self) -> int:
        return sum(line.line_total for line in self.lines if line.available)

    @property
    def ready(self) -> bool:
        """Every line can be ordered as it stands."""
        return bool(self.lines) and all(
            line.available and not line.over_stock for line in self.lines
        )

    def by_cooperative(self) -> list[tuple]:
        groups: dict = {}
        for line in self.lines:
            groups.setdefault(line.product.cooperative, []).append(line)
        return sorted(groups.items(), key=lambda item: item[0].name)


class _SessionStore:
    """A guest's cart: {product id: quantity} in the signed session cookie."""

    def items(self) -> dict[int, int]:
        return {int(k): int(v) for k, v in session.get(SESSION_KEY, {}).items()}

    def put(self, product_id: int, quantity: int) -> None:
        cart = dict(session.get(SESSION_KEY, {}))
        cart[str(product_id)] = quantity
        session[SESSION_KEY] = cart

    def remove(self, product_ids) -> None:
        cart = dict(session.get(SESSION_KEY, {}))
        for product_id in product_ids:
            cart.pop(str(product_id), None)
        session[SESSION_KEY] = cart


class _DatabaseStore:
    """A logged-in buyer's cart: rows of cart_items, one per product (a unique pair).

    Every change is one statement on that pair, so two clicks at once (two tabs, a double
    click) neither trip the unique constraint nor lose a click: an add is an upsert that adds
    to the quantity the row has when the statement runs, capped at the stock in the same
    statement."""

    def __init__(self, user_id: int):
        self.user_id = user_id

    def items(self) -> dict[int, int]:
        rows = db.session.execute(
            select(CartItem.product_id, CartItem.quantity).where(CartItem.user_id == self.user_id)
        )
        return dict(rows.tuples().all())

    def add(self, product_id: int, quantity: int, stock: int) -> int:
        """quantity more of the product, at most its stock in all (stock: as read just now,
        for a new line); the line's quantity after."""
        stock_now = select(Product.stock).where(Product.id == product_id).scalar_subquery()
        upsert(
            CartItem,
            {"user_id": self.user_id, "product_id": product_id, "quantity": min(quantity, stock)},
            ["user_id", "product_id"],
            lambda line, _new: {"quantity": _capped(line.quantity + quantity, stock_now)},
        )
        return self._quantity(product_id)

    def keep_at_least(self, product_id: int, quantity: int) -> None:
        """The line holds at least quantity (more, if it had more already)."""
        upsert(
            CartItem,
            {"user_id": self.user_id, "product_id": product_id, "quantity": quantity},
            ["user_id", "product_id"],
            lambda line, new: {
                "quantity": case((line.quantity >= new.quantity, line.quantity), else_=new.quantity)
            },
        )

    def set(self, product_id: int, quantity: int) -> bool:
        """Set the quantity of a line the cart has; False if it has none (removed meanwhile)."""
        changed = db.session.execute(
            update(CartItem)
            .where(CartItem.user_id == self.user_id, CartItem.product_id == product_id)
            .values(quantity=quantity)
            .execution_options(synchronize_session=False)
        ).rowcount
        return changed == 1

    def remove(self, product_ids) -> None:
        db.session.execute(
            delete(CartItem)
            .where(CartItem.user_id == self.user_id, CartItem.product_id.in_(list(product_ids)))
            .execution_options(synchronize_session=False)
        )

    def _quantity(self, product_id: int) -> int:
        return db.session.scalar(
            select(CartItem.quantity).where(
                CartItem.user_id == self.user_id, CartItem.product_id == product_id
            )
        )


def _capped(quantity, stock):
    """quantity, at most stock (SQL expressions): worked out by the database, on the row as it
    is when the statement runs, so that two adds at once end as two adds one after the other."""
    return case((quantity > stock, stock), else_=quantity)


def _logged_in(user) -> bool:
    return user is not None and user.is_authenticated


def _store(user):
    if _logged_in(user):
        return _DatabaseStore(user.id)
    return _SessionStore()


def load_cart(user) -> Cart:
    items = _store(user).items()
    if not items:
        return Cart(lines=[])
    products = db.session.scalars(
        select(Product)
        .where(Product.id.in_(items))
        .options(joinedload(Product.cooperative), selectinload(Product.images))
        .order_by(Product.id)
    ).all()
    return Cart(lines=[CartLine(p, items[p.id]) for p in products])


def cart_count(user) -> int:
    return sum(_store(user).items().values())


def _orderable(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None or not product.listed:
        raise ProductUnavailable(str(product_id))
    if product.stock <= 0:
        raise OutOfStock(product)
    return product


def add_to_cart(user, product_id: int, quantity: int = 1) -> int:
    """Add to what is already in the cart; returns the line's quantity (at most the stock)."""
    quantity = max(1, quantity)
    if not _logged_in(user):
        product = _orderable(product_id)
        store = _SessionStore()
        items = store.items()
        if product_id not in items and len(items) >= MAX_LINES:
            raise CartError("too_many_lines")
        kept = min(items.get(product_id, 0) + quantity, product.stock)
        store.put(product_id, kept)
        return kept
    with write_transaction():
        product = _orderable(product_id)
        store = _DatabaseStore(user.id)
        items = store.items()
        if product_id not in items and len(items) >= MAX_LINES:
            raise CartError("too_many_lines")
        return store.add(product_id, quantity, product.stock)


def set_quantity(user, product_id: int, quantity: int) -> int:
    """Set a line's quantity, kept between 1 and the stock; returns what was set."""
    if not _logged_in(user):
        product = _orderable(product_id)
        store = _SessionStore()
        if product_id not in store.items():
            raise ProductUnavailable(str(product_id))
        kept = min(max(1, quantity), product.stock)
        store.put(product_id, kept)
        return kept
    with write_transaction():
        product = _orderable(product_id)
        kept = min(max(1, quantity), product.stock)
        if not _DatabaseStore(user.id).set(product_id, kept):
            raise ProductUnavailable(str(product_id))
        return kept


def remove_from_cart(user, product_ids) -> None:
    if not _logged_in(user):
        _SessionStore().remove(product_ids)
        return
    with write_transaction():
        _DatabaseStore(user.id).remove(product_ids)


def forget_bought(user, product_ids) -> None:
    """After a checkout: a logged-in buyer's lines went in the checkout's own transaction
    (marketplace.checkout); a guest's, in the session, go now."""
    if not _logged_in(user):
        _SessionStore().remove(product_ids)


def remove_bought_lines(buyer_id: int | None, product_ids) -> None:
    """Inside the checkout's transaction: what was bought leaves the buyer's cart with it."""
    if buyer_id is not None:
        _DatabaseStore(buyer_id).remove(product_ids)


def merge_on_login(_app, user, **_extra) -> None:
    """Flask-Login's user_logged_in signal (connected by marketplace.init_app)."""
    try:
        merge_guest_cart(user)
    except TryAgain:
        # The login itself stands; the guest's cart stays in the session for the next login.
        log.warning("the guest cart of user %s could not join the account: busy", user.id)


def merge_guest_cart(user) -> None:
    """On login: what the guest put in the cart joins the account's cart, in one change.

    A product in both carts keeps the larger of the two quantities, not their sum: the two
    carts are the same wish made on two devices (or twice on one), and the merge can then be
    repeated without effect. That matters because a double-clicked login sends the same guest
    cart twice (both requests carry the same cookie), and a login from a copy of the cookie
    does too: merged once or three times, the account's cart is the same, and never holds
    more than the buyer ever asked for at once. Quantities stay within the stock (at least
    1, so that a product that ran out shows as such in the cart).
    """
    items = _SessionStore().items()
    if not items:
        return
    with write_transaction():
        account = _DatabaseStore(user.id)
        stocks = dict(
            db.session.execute(
                select(Product.id, Product.stock).where(Product.id.in_(items)).order_by(Product.id)
            )
            .tuples()
            .all()
        )
        for product_id in sorted(stocks):
            wanted = max(1, min(items[product_id], max(stocks[product_id], 1)))
            account.keep_at_least(product_id, wanted)
    session.pop(SESSION_KEY, None)
