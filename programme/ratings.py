"""The office records a council's OCOP star rating of a product: the rating (its rules are
marketplace's, marketplace/ratings.py) and its audit record, in one transaction. The form's
one-time token makes one rating of a form sent twice (core.submissions)."""

from core import audit
from core.db import write_transaction
from core.extensions import db
from marketplace.models import OcopRating, Product
from marketplace.ratings import build_rating


def record_rating(product_id: int, *, actor_id: int, **decision) -> OcopRating:
    """decision: criteria, points_a, points_b, points_c, council_level, decision_number and
    recognised_on (bounded by the form: its certificate's end is a date Python can hold).
    RatingError (marketplace.ratings) when the points do not fit the criteria."""
    with write_transaction():
        # Locked: two ratings at once each see the other before caching the newest stars.
        product = db.session.get(Product, product_id, with_for_update=True, populate_existing=True)
        rating = build_rating(product, **decision)
        db.session.flush()
        audit.record(
            actor_id, "rating.record", "product", product.id,
            f"{rating.decision_number}: {rating.total}/100, {rating.stars}★",
        )  # fmt: skip
    return rating
