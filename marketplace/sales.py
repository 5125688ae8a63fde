"""Orders and their goods' value, month by month: the cooperative's sales page and the plan
dashboard both count this way."""

from datetime import date

from sqlalchemy import case, func, select

from core.clock import next_month, utc_start
from core.extensions import db
from marketplace.models import Cooperative, Order


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
