"""Buyers' reviews of products (core.reviews holds what every review is and does): who may
review an order line, when, and the reviews a product page and a cooperative read.

A line may be reviewed once its order is delivered and either the buyer said "Đã nhận hàng"
(marketplace.orders.confirm_receipt) or it has been delivered for DELIVERED_DAYS_BEFORE_REVIEWS
days (the cooperative's "delivered" stands by then). An order placed from an account is
reviewed from that account only; a guest's order (no account) by whoever holds its secret
link, which is what the guest has of it.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from core import reviews
from core.extensions import db
from core.reviews import NotYours, ReviewClosed
from marketplace.models import Checkout, Order, OrderLine, Product, ProductReview

DELIVERED_DAYS_BEFORE_REVIEWS = 3


def delivered_at(order: Order) -> datetime | None:
    """When the cooperative first said delivered, from the order's events (which the order
    page loads for its timeline anyway: no query per order)."""
    return min((e.created_at for e in order.events if e.to_status == "delivered"), default=None)


def reviews_open(order: Order, now: datetime) -> bool:
    if order.status != "delivered":
        return False
    if order.received_at is not None:
        return True
    delivered = delivered_at(order)
    return delivered is not None and now - delivered >= timedelta(
        days=DELIVERED_DAYS_BEFORE_REVIEWS
    )


def may_review(checkout: Checkout, user_id: int | None) -> bool:
    """The account the order was placed from, or anyone with the link of a guest's order."""
    return checkout.buyer_id is None or checkout.buyer_id == user_id


REVIEWED = reviews.Reviewed(
    about=ProductReview.product,
    owner=Product.cooperative,
    name_field="name",
    owner_page="dashboard.reviews_page",
)


def write_review(line_id: int, *, user_id: int | None, now: datetime, **sent) -> ProductReview:
    """The buyer's review of one order line (`sent`: stars, body, language, pictures,
    upload_folder): NotYours, ReviewClosed, or what core.reviews.Reviewed.write refuses."""

    def review_of():
        line = db.session.get(OrderLine, line_id)
        order = line.order
        checkout = order.checkout
        if not may_review(checkout, user_id):
            raise NotYours()
        if not reviews_open(order, now):
            raise ReviewClosed()
        review = ProductReview(order_line_id=line.id, product_id=line.product_id)
        return review, checkout.buyer_id, checkout.name

    return REVIEWED.write(review_of, **sent)


def reviews_of_lines(line_ids: list[int]) -> dict[int, ProductReview]:
    if not line_ids:
        return {}
    found = db.session.scalars(
        select(ProductReview).where(ProductReview.order_line_id.in_(line_ids))
    ).all()
    return {review.order_line_id: review for review in found}
