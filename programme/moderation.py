"""Approving, rejecting, suspending and restoring cooperatives; hiding products, listings and
reviews that break the rules. Each is recorded in the audit log with its reason, in the same
transaction as the change.

A decision is taken on the row locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's write
transaction already admits one writer), so of the same decision sent twice at once the second
waits and then finds it made. A decision already made is a normal outcome: nothing changes,
nothing is recorded, and the function says so by returning False (the route then answers as
the first did, without telling the cooperative a second time).
"""

from sqlalchemy import select

from core import audit, reviews
from core.db import write_transaction
from core.extensions import db
from core.models import utcnow
from marketplace.models import Cooperative, Product, ProductReview
from marketplace.products import refresh_cooperative_listings, refresh_listing
from tourism.models import Listing, ListingReview

REASON_LENGTH = Cooperative.moderation_reason.type.length


class ModerationError(ValueError):
    pass


class ReasonRequired(ModerationError):
    pass


class WrongState(ModerationError):
    pass


def pending_cooperatives() -> list[Cooperative]:
    return db.session.scalars(
        select(Cooperative)
        .where(Cooperative.approved.is_(False), Cooperative.rejected_at.is_(None))
        .order_by(Cooperative.created_at)
    ).all()


def reason_given(reason: str) -> str:
    """The reason as it is kept (and shown to the cooperative); ReasonRequired when empty."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    return reason[:REASON_LENGTH]


def _locked(model, object_id: int):
    return db.session.get(model, object_id, with_for_update=True, populate_existing=True)


def approve(cooperative_id: int, actor_id: int | None, via: str = "") -> bool:
    """`actor_id` None with `via` naming the command: approved from the command line."""
    with write_transaction():
        cooperative = _locked(Cooperative, cooperative_id)
        if cooperative.approved:
            return False
        cooperative.approved, cooperative.approved_at = True, utcnow()
        cooperative.rejected_at, cooperative.moderation_reason = None, ""
        refresh_cooperative_listings(cooperative)
        detail = f"{cooperative.name} ({via})" if via else cooperative.name
        audit.record(actor_id, "cooperative.approve", "cooperative", cooperative.id, detail)
    return True


def reject(cooperative_id: int, actor_id: int, reason: str) -> bool:
    reason = reason_given(reason)
    with write_transaction():
        cooperative = _locked(Cooperative, cooperative_id)
        if cooperative.approved:
            raise WrongState()
        if cooperative.rejected_at is not None and cooperative.moderation_reason == reason:
            return False
        cooperative.rejected_at, cooperative.moderation_reason = utcnow(), reason
        audit.record(actor_id, "cooperative.reject", "cooperative", cooperative.id, reason)
    return True


def suspend(cooperative_id: int, actor_id: int, reason: str) -> bool:
    reason = reason_given(reason)
    with write_transaction():
        cooperative = _locked(Cooperative, cooperative_id)
        if not cooperative.approved:
            raise WrongState()
        if cooperative.suspended:
            return False
        cooperative.suspended, cooperative.moderation_reason = True, reason
        refresh_cooperative_listings(cooperative)
        audit.record(actor_id, "cooperative.suspend", "cooperative", cooperative.id, reason)
    return True


def restore(cooperative_id: int, actor_id: int) -> bool:
    with write_transaction():
        cooperative = _locked(Cooperative, cooperative_id)
        if not cooperative.approved:
            raise WrongState()
        if not cooperative.suspended:
            return False
        cooperative.suspended, cooperative.moderation_reason = False, ""
        refresh_cooperative_listings(cooperative)
        audit.record(
            actor_id, "cooperative.restore", "cooperative", cooperative.id, cooperative.name
        )
    return True


def hide_product(product_id: int, actor_id: int, reason: str) -> bool:
    reason = reason_given(reason)
    with write_transaction():
        product = _locked(Product, product_id)
        if product.hidden_reason == reason:
            return False
        product.hidden_reason = reason
        refresh_listing(product)
        audit.record(actor_id, "product.hide", "product", product.id, reason)
    return True


def unhide_product(product_id: int, actor_id: int) -> bool:
    with write_transaction():
        product = _locked(Product, product_id)
        if not product.hidden_reason:
            return False
        product.hidden_reason = ""
        refresh_listing(product)
        audit.record(actor_id, "product.unhide", "product", product.id, product.name)
    return True


def hide_listing(listing_id: int, actor_id: int, reason: str) -> bool:
    reason = reason_given(reason)
    with write_transaction():
        listing = _locked(Listing, listing_id)
        if listing.hidden_reason == reason:
            return False
        listing.hidden_reason = reason
        audit.record(actor_id, "listing.hide", "listing", listing.id, reason)
    return True


def unhide_listing(listing_id: int, actor_id: int) -> bool:
    with write_transaction():
        listing = _locked(Listing, listing_id)
        if not listing.hidden_reason:
            return False
        listing.hidden_reason = ""
        audit.record(actor_id, "listing.unhide", "listing", listing.id, listing.title)
    return True


# --- reviews: hidden with a reason the author and the cooperative read, or shown again ------

REVIEW_KINDS = {
    # kind → (review model, reviewed model, its column on the review, the audit's subject)
    "product": (ProductReview, Product, "product_id", "product_review"),
    "listing": (ListingReview, Listing, "listing_id", "listing_review"),
}


def hide_review(kind: str, review_id: int, actor_id: int, reason: str) -> bool:
    """Hide a review (the average leaves it, core.reviews.set_hidden); False when it was
    hidden already. ReasonRequired without a reason."""
    model, target, column, subject = REVIEW_KINDS[kind]
    with write_transaction():
        try:
            review = reviews.set_hidden(model, target, column, review_id, True, reason)
        except reviews.ReasonRequired:
            raise ReasonRequired() from None
        except reviews.NothingChanged:
            return False
        audit.record(actor_id, "review.hide", subject, review.id, review.hidden_reason)
    return True


def show_review(kind: str, review_id: int, actor_id: int) -> bool:
    """Show a hidden review again (it counts in the average again); False when it was shown."""
    model, target, column, subject = REVIEW_KINDS[kind]
    with write_transaction():
        try:
            review = reviews.set_hidden(model, target, column, review_id, False)
        except reviews.NothingChanged:
            return False
        audit.record(actor_id, "review.unhide", subject, review.id, review.author_name)
    return True
