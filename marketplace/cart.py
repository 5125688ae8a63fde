"""The cart: in the session for guests, in the database for logged-in buyers (merged on login).

Quantities are kept between 1 and what is in stock. The cart shows each product as it is now:
a product that ran out, was hidden or changed price is shown as such, and checkout uses the
current price.
"""

from dataclasses import dataclass

from flask import session
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload, selectinload

from core.extensions import db
from marketplace.models import CartItem, Product

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
    def __init__(self, user_id: int):
        self.user_id = user_id

    def items(self) -> dict[int, int]:
        rows = db.session.execute(
            select(CartItem.product_id, CartItem.quantity).where(CartItem.user_id == self.user_id)
        )
        return dict(rows.tuples().all())

    def put(self, product_id: int, quantity: int) -> None:
        item = db.session.scalar(
            select(CartItem).where(
                CartItem.user_id == self.user_id, CartItem.product_id == product_id
            )
        )
        if item is None:
            db.session.add(CartItem(user_id=self.user_id, product_id=product_id, quantity=quantity))
        else:
            item.quantity = quantity
        db.session.commit()

    def remove(self, product_ids) -> None:
        db.session.execute(
            delete(CartItem).where(
                CartItem.user_id == self.user_id, CartItem.product_id.in_(list(product_ids))
            )
        )
        db.session.commit()


def _store(user):
    if user is not None and user.is_authenticated:
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
    product = _orderable(product_id)
    store = _store(user)
    items = store.items()
    if product_id not in items and len(items) >= MAX_LINES:
        raise CartError("too_many_lines")
    wanted = items.get(product_id, 0) + max(1, quantity)
    store.put(product_id, min(wanted, product.stock))
    return min(wanted, product.stock)


def set_quantity(user, product_id: int, quantity: int) -> int:
    """Set a line's quantity, kept between 1 and the stock; returns what was set."""
    product = _orderable(product_id)
    store = _store(user)
    if product_id not in store.items():
        raise ProductUnavailable(str(product_id))
    kept = min(max(1, quantity), product.stock)
    store.put(product_id, kept)
    return kept


def remove_from_cart(user, product_ids) -> None:
    _store(user).remove(product_ids)


def merge_on_login(_app, user, **_extra) -> None:
    """Flask-Login's user_logged_in signal (connected by marketplace.init_app)."""
    merge_guest_cart(user)


def merge_guest_cart(user) -> None:
    """On login: what the guest put in the cart joins the account's cart."""
    guest = _SessionStore()
    items = guest.items()
    if not items:
        return
    account = _DatabaseStore(user.id)
    existing = account.items()
    for product_id, quantity in items.items():
        product = db.session.get(Product, product_id)
        if product is None:
            continue
        merged = existing.get(product_id, 0) + quantity
        account.put(product_id, max(1, min(merged, max(product.stock, 1))))
    session.pop(SESSION_KEY, None)
