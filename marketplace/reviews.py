"""Buyers' reviews of products (core.reviews holds what every review is and does): who may
review an order line, when, and the reviews a product page and a cooperative read.

A line may be reviewed once its order is delivered and either the buyer said "Đã nhận hàng"
(marketplace.orders.confirm_receipt) or it has been delivered for DELIVERED_DAYS_BEFORE_REVIEWS
days (the cooperative's "delivered" stands by then). An order placed from an account is
reviewed from that account only; a guest's order (no account) by whoever holds its secret
link, which is what the guest has of it.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core import reviews
from core.db import write_transaction
from core.extensions import db
from core.models import User
from core.reviews import LIST_PER_PAGE, NO_REVIEWS, NotYours, ReviewClosed, ReviewPage, page_of
from core.uploads import PreparedImage
from marketplace.models import Checkout, Order, OrderEvent, OrderLine, Product, ProductReview

DELIVERED_DAYS_BEFORE_REVIEWS = 3


def delivered_at(order: Order) -> datetime | None:
    return db.session.scalar(
        select(func.min(OrderEvent.created_at)).where(
            OrderEvent.order_id == order.id, OrderEvent.to_status == "delivered"
        )
    )


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


def write_review(
    line_id: int,
    *,
    user_id: int | None,
    stars,
    body: str,
    language: str,
    pictures: list[PreparedImage],
    upload_folder: str,
    now: datetime,
) -> ProductReview:
    """The buyer's review of one order line: NotYours, ReviewClosed, AlreadyReviewed (also
    when a submit at the same moment wrote it first), or what core.reviews.draft refuses."""
    draft = reviews.draft(stars, body, language, len(pictures))
    with write_transaction():
        line = db.session.get(OrderLine, line_id)
        order = line.order
        checkout = order.checkout
        if not may_review(checkout, user_id):
            raise NotYours()
        if not reviews_open(order, now):
            raise ReviewClosed()
        account = db.session.get(User, checkout.buyer_id) if checkout.buyer_id else None
        review = ProductReview(
            order_line_id=line.id,
            product_id=line.product_id,
            user_id=checkout.buyer_id,
            author_name=reviews.shown_name(account.name if account else checkout.name),
            stars=draft.stars,
            body=draft.body,
            language=draft.language,
        )
        reviews.add_review(review, Product, line.product_id, pictures, upload_folder=upload_folder)
    return review


def reviews_of_lines(line_ids: list[int]) -> dict[int, ProductReview]:
    if not line_ids:
        return {}
    found = db.session.scalars(
        select(ProductReview).where(ProductReview.order_line_id.in_(line_ids))
    ).all()
    return {review.order_line_id: review for review in found}


def product_reviews(product: Product, page: int = 1) -> ReviewPage:
    """The product's visible reviews, newest first, PER_PAGE a page; no query when its cached
    count says there are none (most products' pages)."""
    if not product.review_count:
        return NO_REVIEWS
    query = select(ProductReview).where(
        ProductReview.product_id == product.id, ProductReview.hidden_at.is_(None)
    )
    return page_of(ProductReview, query, page)


def cooperative_reviews(cooperative_id: int, page: int = 1) -> ReviewPage:
    """Every review of the cooperative's products, hidden ones too (with why)."""
    query = (
        select(ProductReview)
        .join(Product, Product.id == ProductReview.product_id)
        .where(Product.cooperative_id == cooperative_id)
        .options(joinedload(ProductReview.product))
    )
    return page_of(ProductReview, query, page, LIST_PER_PAGE)


def all_reviews(page: int = 1) -> ReviewPage:
    """The office's list: every product review, newest first."""
    query = select(ProductReview).options(
        joinedload(ProductReview.product).joinedload(Product.cooperative)
    )
    return page_of(ProductReview, query, page, LIST_PER_PAGE)


def own_review(cooperative_id: int, review_id: int) -> ProductReview | None:
    """The review, if it is of this cooperative's products; None otherwise (the route says 404)."""
    return db.session.scalar(
        select(ProductReview)
        .join(Product, Product.id == ProductReview.product_id)
        .where(ProductReview.id == review_id, Product.cooperative_id == cooperative_id)
    )


def reply(cooperative_id: int, review_id: int, text: str) -> None:
    """The one reply to a review of its own: AlreadyReplied, ReplyRequired; LookupError for
    another's review."""
    if own_review(cooperative_id, review_id) is None:
        raise LookupError(review_id)
    reviews.reply_to(ProductReview, review_id, text)
