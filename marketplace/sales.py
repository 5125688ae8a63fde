"""Orders and their goods' value, month by month: the cooperative's sales page and the plan
dashboard both count this way."""

from datetime import date

from sqlalchemy import case, func, select

from core.clock import next_month, utc_start
from core.extensions import db
from marketplace.models import Order


def by_month(months: list[date], *conditions) -> list[tuple[int, int]]:
    """(orders, subtotal sum) for each month given by its first day (consecutive, oldest
    first), by the day (Hậu Giang time) each order was placed, among orders matching
    `conditions`. One statement."""
    bounds = [utc_start(m) for m in months] + [utc_start(next_month(months[-1]))]
    bucket = case(
        *[(Order.created_at < bounds[i + 1], i) for i in range(len(months))],
        else_=len(months),
    )
    per_order = (
        select(bucket.label("bucket"), Order.subtotal.label("subtotal"))
        .where(Order.created_at >= bounds[0], Order.created_at < bounds[-1], *conditions)
        .subquery()
    )
    rows = db.session.execute(
        select(
            per_order.c.bucket, func.count(), func.coalesce(func.sum(per_order.c.subtotal), 0)
        ).group_by(per_order.c.bucket)
    ).all()
    found = {index: (n, int(total)) for index, n, total in rows}
    return [found.get(i, (0, 0)) for i in range(len(months))]
