"""Guests' reviews of listings (core.reviews holds what every review is and does): a booking
may be reviewed once it is completed (the host marks the stay or tour done), once; a booking
made from an account by that account only, a guest's booking by whoever holds its secret
link. Then the reviews a listing page and its host read."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core import reviews
from core.db import write_transaction
from core.extensions import db
from core.models import User
from core.reviews import LIST_PER_PAGE, NO_REVIEWS, NotYours, ReviewClosed, ReviewPage, page_of
from core.uploads import PreparedImage
from tourism.models import Booking, Listing, ListingReview


def reviews_open(booking: Booking) -> bool:
    return booking.status == "completed"


def may_review(booking: Booking, user_id: int | None) -> bool:
    return booking.user_id is None or booking.user_id == user_id


def write_review(
    booking_id: int,
    *,
    user_id: int | None,
    stars,
    body: str,
    language: str,
    pictures: list[PreparedImage],
    upload_folder: str,
) -> ListingReview:
    """NotYours, ReviewClosed, AlreadyReviewed, or what core.reviews.draft refuses."""
    draft = reviews.draft(stars, body, language, len(pictures))
    with write_transaction():
        booking = db.session.get(Booking, booking_id)
        if not may_review(booking, user_id):
            raise NotYours()
        if not reviews_open(booking):
            raise ReviewClosed()
        account = db.session.get(User, booking.user_id) if booking.user_id else None
        review = ListingReview(
            booking_id=booking.id,
            listing_id=booking.listing_id,
            user_id=booking.user_id,
            author_name=reviews.shown_name(account.name if account else booking.name),
            stars=draft.stars,
            body=draft.body,
            language=draft.language,
        )
        reviews.add_review(
            review, Listing, booking.listing_id, pictures, upload_folder=upload_folder
        )
    return review


def review_of_booking(booking_id: int) -> ListingReview | None:
    return db.session.scalar(select(ListingReview).where(ListingReview.booking_id == booking_id))


def listing_reviews(listing: Listing, page: int = 1) -> ReviewPage:
    """The listing's visible reviews, newest first; no query when there are none."""
    if not listing.review_count:
        return NO_REVIEWS
    query = select(ListingReview).where(
        ListingReview.listing_id == listing.id, ListingReview.hidden_at.is_(None)
    )
    return page_of(ListingReview, query, page)


def host_reviews(host_id: int, page: int = 1) -> ReviewPage:
    """Every review of the host's listings, hidden ones too (with why)."""
    query = (
        select(ListingReview)
        .join(Listing, Listing.id == ListingReview.listing_id)
        .where(Listing.host_id == host_id)
        .options(joinedload(ListingReview.listing))
    )
    return page_of(ListingReview, query, page, LIST_PER_PAGE)


def all_reviews(page: int = 1) -> ReviewPage:
    query = select(ListingReview).options(
        joinedload(ListingReview.listing).joinedload(Listing.host)
    )
    return page_of(ListingReview, query, page, LIST_PER_PAGE)


def own_review(host_id: int, review_id: int) -> ListingReview | None:
    """The review, if it is of this host's listings; None otherwise (the route says 404)."""
    return db.session.scalar(
        select(ListingReview)
        .join(Listing, Listing.id == ListingReview.listing_id)
        .where(ListingReview.id == review_id, Listing.host_id == host_id)
    )


def reply(host_id: int, review_id: int, text: str) -> None:
    """The one reply to a review of its own: AlreadyReplied, ReplyRequired; LookupError for
    another's review."""
    if own_review(host_id, review_id) is None:
        raise LookupError(review_id)
    reviews.reply_to(ListingReview, review_id, text)
