"""The cooperative's shop dashboard: the rules behind /dashboard.

Every query here takes the cooperative's id, so a cooperative reaches only its own products and
orders (DESIGN.md, Security): someone else's id simply finds nothing, and the route says 404.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from core.clock import VIETNAM, utc_start
from core.db import write_transaction
from core.extensions import db
from core.formatting import vnd
from core.models import User
from core.text import nfc
from marketplace import orders as order_rules
from marketplace import sales
from marketplace.labels import ORDER_STATUS_NAMES, PAYMENT_NAMES
from marketplace.models import (
    ORDER_STATUSES,
    Checkout,
    Cooperative,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    ProductImage,
)
from marketplace.products import add_product, product_search_text, refresh_listing
from marketplace.uploads import PreparedImage, delete_stored, store_image

# Orders that count as sales: accepted by the cooperative and not cancelled.
SALES_STATUSES = ("confirmed", "shipping", "delivered")
# The moves a cooperative makes with a button; cancelling needs a reason (cancel_order).
FORWARD_MOVES = ("confirmed", "shipping", "delivered")
MAX_PRICE = 1_000_000_000
MAX_STOCK = 1_000_000
LOW_STOCK = 5
ORDERS_PER_PAGE = 50


# --- who may use the dashboard -----------------------------------------------------------


def access_for(user) -> tuple[str, Cooperative | None]:
    """("guest" | "forbidden" | "pending" | "approved", the user's cooperative)."""
    if user is None or not user.is_authenticated:
        return "guest", None
    cooperative = user.cooperative if user.role == "cooperative" else None
    if cooperative is None:
        return "forbidden", None
    return ("approved" if cooperative.approved else "pending"), cooperative


# --- numbers typed by people ---------------------------------------------------------------

_PLAIN = re.compile(r"\d{1,13}")
# 150.000 / 150,000 / 150 000: groups of three after the first, one kind of separator.
_GROUPED = re.compile(r"\d{1,3}([., \u00a0\u202f])\d{3}(?:\1\d{3}){0,3}")
_CURRENCY = re.compile(r"\s*(?:đ|₫|vnđ|vnd|dong|đồng)\s*\Z", re.IGNORECASE)


def parse_whole_number(text: str | None) -> int | None:
    """A whole number as people write it here ('150000', '150.000', '150 000 đ'), else None.

    '1.5' or '12,50' are not whole numbers of đồng and give None rather than a guess.
    """
    value = _CURRENCY.sub("", nfc(text or "")).strip()
    if _PLAIN.fullmatch(value):
        return int(value)
    if _GROUPED.fullmatch(value):
        return int(re.sub(r"\D", "", value))
    return None


# --- products --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductData:
    name: str
    group: str
    description: str
    unit: str
    price: int
    stock: int
    certifications: str


class StockChanged(Exception):
    """The stock changed (an order came in) since the cooperative read it; nothing was saved."""

    def __init__(self, current: int | None):
        super().__init__(current)
        self.current = current


def products_of(cooperative_id: int) -> list[Product]:
    return db.session.scalars(
        select(Product)
        .where(Product.cooperative_id == cooperative_id)
        .options(selectinload(Product.images))
        .order_by(Product.active.desc(), Product.name, Product.id)
    ).all()


def own_product(cooperative_id: int, product_id: int) -> Product | None:
    return db.session.scalar(
        select(Product)
        .where(Product.id == product_id, Product.cooperative_id == cooperative_id)
        .options(selectinload(Product.images))
    )


def own_image(cooperative_id: int, product_id: int, image_id: int) -> ProductImage | None:
    return db.session.scalar(
        select(ProductImage)
        .join(Product, Product.id == ProductImage.product_id)
        .where(
            ProductImage.id == image_id,
            ProductImage.product_id == product_id,
            Product.cooperative_id == cooperative_id,
        )
    )


def _clean_fields(data: ProductData) -> dict:
    return {
        "group": data.group,
        "description": nfc(data.description).strip(),
        "unit": data.unit,
        "price": data.price,
        "stock": data.stock,
        "certifications": nfc(data.certifications).strip(),
    }


def create_product(
    cooperative: Cooperative,
    data: ProductData,
    picture: PreparedImage | None = None,
    *,
    upload_folder: str,
) -> Product:
    """A new product with its first picture, in one transaction."""
    stored = store_image(picture, upload_folder) if picture else None
    try:
        for attempt in (1, 2):
            try:
                with write_transaction():
                    product = add_product(cooperative, name=data.name, **_clean_fields(data))
                    if stored:
                        db.session.add(ProductImage(product=product, path=stored, alt=product.name))
                break
            except IntegrityError:
                # Two products of the same name at the same moment took the same slug.
                if attempt == 2:
                    raise
    except BaseException:
        if stored:
            delete_stored(stored, upload_folder)
        raise
    return product


def update_product(
    product: Product,
    data: ProductData,
    picture: PreparedImage | None = None,
    *,
    upload_folder: str,
    stock_seen: int | None = None,
) -> Product:
    """Save the edit form; the new picture, if any, goes after the others.

    The stock is written only if the cooperative changed it, and only if it is still what the
    form showed (stock_seen): an order placed meanwhile is never undone. StockChanged otherwise.
    """
    stored = store_image(picture, upload_folder) if picture else None
    try:
        with write_transaction():
            _write_price_and_stock(product, data.price, data.stock, stock_seen)
            fields = _clean_fields(data)
            del fields["price"], fields["stock"]
            product.name = nfc(data.name).strip()
            for key, value in fields.items():
                setattr(product, key, value)
            db.session.flush()
            product.search_text = product_search_text(product)
            refresh_listing(product)
            if stored:
                position = db.session.scalar(
                    select(func.coalesce(func.max(ProductImage.position) + 1, 0)).where(
                        ProductImage.product_id == product.id
                    )
                )
                db.session.add(
                    ProductImage(
                        product_id=product.id, path=stored, alt=product.name, position=position
                    )
                )
    except BaseException:
        if stored:
            delete_stored(stored, upload_folder)
        raise
    db.session.refresh(product)
    return product


def save_price_and_stock(
    product: Product, price: int, stock: int, stock_seen: int | None = None
) -> Product:
    """The products list's in-place edit. StockChanged as in update_product."""
    with write_transaction():
        _write_price_and_stock(product, price, stock, stock_seen)
    db.session.refresh(product)
    return product


def _write_price_and_stock(product: Product, price: int, stock: int, stock_seen) -> None:
    conditions = [Product.id == product.id, Product.cooperative_id == product.cooperative_id]
    values = {"price": price}
    if stock_seen is None or stock != stock_seen:
        values["stock"] = stock
        if stock_seen is not None:
            conditions.append(Product.stock == stock_seen)
    written = db.session.execute(
        update(Product)
        .where(*conditions)
        .values(**values)
        # The session's copy is refreshed after the commit.
        .execution_options(synchronize_session=False)
    ).rowcount
    if written != 1:
        raise StockChanged(db.session.scalar(select(Product.stock).where(Product.id == product.id)))


def set_active(product: Product, active: bool) -> Product:
    """Hide a product from the shop, or show it again (if the cooperative is approved)."""
    product.active = active
    refresh_listing(product)
    db.session.commit()
    return product


def remove_image(image: ProductImage, *, upload_folder: str) -> None:
    path = image.path
    db.session.delete(image)
    db.session.commit()
    delete_stored(path, upload_folder)


# --- orders ----------------------------------------------------------------------------------


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


def advance_order(order: Order, to_status: str, *, actor_id: int, note: str = "") -> Order:
    """pending → confirmed → shipping → delivered, one step; IllegalTransition otherwise."""
    if to_status not in FORWARD_MOVES:
        raise order_rules.IllegalTransition(order, to_status)
    return order_rules.change_status(
        order.id, to_status, actor_id=actor_id, note=nfc(note).strip()[:300]
    )


def cancel_order(order: Order, reason: str, *, actor_id: int) -> Order:
    """Cancel with a reason the buyer will read; the stock goes back (once) in change_status."""
    reason = nfc(reason).strip()[:300]
    if not reason:
        raise ReasonRequired()
    return order_rules.change_status(order.id, "cancelled", actor_id=actor_id, note=reason)


def confirm_payment(order: Order, *, actor_id: int) -> Order:
    """A VietQR transfer has arrived. IllegalTransition (not VietQR, cancelled), AlreadyPaid."""
    return order_rules.mark_paid(order.id, actor_id=actor_id)


def forward_moves(order: Order) -> list[str]:
    return [s for s in order_rules.allowed_moves(order) if s in FORWARD_MOVES]


def can_cancel(order: Order) -> bool:
    return "cancelled" in order_rules.allowed_moves(order)


def awaits_payment(order: Order) -> bool:
    return (
        order.checkout.payment_method == "vietqr"
        and order.paid_at is None
        and order.status != "cancelled"
    )


# --- sales -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthSales:
    month: date  # the first day of the month
    orders: int
    revenue: int  # value of the goods (subtotal), without delivery fees


@dataclass(frozen=True)
class TopProduct:
    product_id: int
    name: str
    unit: str
    quantity: int
    revenue: int


def last_months(today: date, count: int = 12) -> list[date]:
    """The first days of the last `count` months, oldest first, this month last."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def sales_by_month(cooperative_id: int, today: date, count: int = 12) -> list[MonthSales]:
    """Orders and revenue of each of the last `count` months (Hậu Giang time), oldest first.

    Confirmed, shipping and delivered orders count, by the day they were placed; pending and
    cancelled ones do not.
    """
    months = last_months(today, count)
    counted = sales.by_month(
        months, Order.cooperative_id == cooperative_id, Order.status.in_(SALES_STATUSES)
    )
    return [
        MonthSales(month=month, orders=orders, revenue=revenue)
        for month, (orders, revenue) in zip(months, counted, strict=True)
    ]


def top_products(
    cooperative_id: int, today: date, count: int = 12, limit: int = 5
) -> list[TopProduct]:
    """The products sold most (by quantity) in the same months and orders as sales_by_month."""
    since = utc_start(last_months(today, count)[0])
    quantity = func.sum(OrderLine.quantity)
    rows = db.session.execute(
        select(
            Product.id,
            Product.name,
            Product.unit,
            quantity,
            func.sum(OrderLine.quantity * OrderLine.unit_price),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(
            Order.cooperative_id == cooperative_id,
            Order.status.in_(SALES_STATUSES),
            Order.created_at >= since,
        )
        .group_by(Product.id, Product.name, Product.unit)
        .order_by(quantity.desc(), Product.name, Product.id)
        .limit(limit)
    ).all()
    return [
        TopProduct(product_id=i, name=name, unit=unit, quantity=int(q), revenue=int(r))
        for i, name, unit, q, r in rows
    ]


@dataclass(frozen=True)
class Bar:
    label: str
    title: str
    value_text: str
    y: int  # top of the row
    width: float


@dataclass(frozen=True)
class Chart:
    bars: list
    width: int
    height: int
    row_height: int
    text_baseline: int  # from the top of a row
    bar_top: int
    bar_height: int


def sales_chart(months: list[MonthSales]) -> Chart:
    """One row per month: its name and figures on a line, a bar under them as long as the
    revenue. Narrow enough for a phone; the SVG's geometry only, the template draws it."""
    width, row_height = 360, 44
    top = max((m.revenue for m in months), default=0)
    bars = []
    for i, m in enumerate(months):
        label = format_date(m.month, "MM/yyyy")
        orders = _("%(n)s đơn", n=m.orders)
        bars.append(
            Bar(
                label=label,
                title=_(
                    "Tháng %(month)s: %(revenue)s, %(orders)s",
                    month=label,
                    revenue=vnd(m.revenue),
                    orders=orders,
                ),
                value_text=f"{vnd(m.revenue)} · {orders}",
                y=i * row_height,
                width=round(width * m.revenue / top, 1) if top else 0,
            )
        )
    return Chart(
        bars=bars,
        width=width,
        height=len(months) * row_height,
        row_height=row_height,
        text_baseline=16,
        bar_top=22,
        bar_height=14,
    )


def overview(cooperative_id: int, today: date) -> dict:
    """The dashboard's first page: what needs doing and how this month goes."""
    products = products_of(cooperative_id)
    this_month = sales_by_month(cooperative_id, today, 1)[0]
    return {
        "counts": status_counts(cooperative_id),
        "products_total": len(products),
        "products_hidden": sum(1 for p in products if not p.active),
        "low_stock": [p for p in products if p.active and p.stock <= LOW_STOCK],
        "this_month": this_month,
        "unpaid": db.session.scalar(
            select(func.count(Order.id))
            .join(Checkout, Checkout.id == Order.checkout_id)
            .where(
                Order.cooperative_id == cooperative_id,
                Order.paid_at.is_(None),
                Order.status != "cancelled",
                Checkout.payment_method == "vietqr",
            )
        ),
    }


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
                _(PAYMENT_NAMES.get(checkout.payment_method, checkout.payment_method)),
                _local(order.paid_at),
            ]
        )
    return buffer.getvalue()


def csv_filename(cooperative: Cooperative, today: date) -> str:
    return f"don-hang-{cooperative.slug}-{today.isoformat()}.csv"


def actor_name(event: OrderEvent) -> str:
    actor: User | None = event.actor
    return actor.name if actor else _("Khách mua hàng")
