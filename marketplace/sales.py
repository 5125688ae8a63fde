"""Orders and their goods' value, month by month: the cooperative's sales page and the plan
dashboard both count this way. Then a cooperative's sales: by month, its top products, the
chart's geometry."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, func, select

from core import formatting
from core.clock import next_month, utc_start
from core.extensions import db
from core.formatting import vnd
from marketplace.models import Cooperative, Order, OrderLine, Product


def _counted(months: list[date], conditions, district: bool) -> dict[tuple, tuple[int, int]]:
    """{(month index[, district id]): (orders, subtotal sum)}, in one statement."""
    bounds = [utc_start(m) for m in months] + [utc_start(next_month(months[-1]))]
    bucket = case(
        *[(Order.created_at < bounds[i + 1], i) for i in range(len(months))],
        else_=len(months),
    )
    columns = [bucket.label("bucket"), Order.subtotal.label("subtotal")]
    per_order = select(*columns).where(
        Order.created_at >= bounds[0], Order.created_at < bounds[-1], *conditions
    )
    if district:
        per_order = per_order.join(Cooperative, Cooperative.id == Order.cooperative_id)
        per_order = per_order.add_columns(Cooperative.district_id.label("district_id"))
    per_order = per_order.subquery()
    keys = [per_order.c.bucket] + ([per_order.c.district_id] if district else [])
    rows = db.session.execute(
        select(*keys, func.count(), func.coalesce(func.sum(per_order.c.subtotal), 0)).group_by(
            *keys
        )
    ).all()
    return {tuple(row[:-2]): (row[-2], int(row[-1])) for row in rows}


def by_month(months: list[date], *conditions) -> list[tuple[int, int]]:
    """(orders, subtotal sum) for each month given by its first day (consecutive, oldest
    first), by the day (Hậu Giang time) each order was placed, among orders matching
    `conditions`. One statement."""
    found = _counted(months, conditions, district=False)
    return [found.get((i,), (0, 0)) for i in range(len(months))]


def by_month_and_district(months: list[date], *conditions) -> dict[int, list[tuple[int, int]]]:
    """The same, for each district of the orders' cooperatives: {district id: [(orders, sum)
    for each month]}; districts without orders are missing. One statement."""
    found = _counted(months, conditions, district=True)
    districts = {district for _, district in found}
    return {
        district: [found.get((i, district), (0, 0)) for i in range(len(months))]
        for district in districts
    }


# --- a cooperative's sales (/dashboard/sales) --------------------------------------------

# Orders that count as sales: accepted by the cooperative and not cancelled.
SALES_STATUSES = ("confirmed", "shipping", "delivered")


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
    counted = by_month(
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
        label = formatting.day(m.month, "month")
        orders = ngettext("%(num)s đơn", "%(num)s đơn", m.orders)
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
