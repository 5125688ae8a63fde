"""Guests' reviews of listings (core.reviews holds what every review is and does): a booking
may be reviewed once it is completed (the host marks the stay or tour done), once; a booking
made from an account by that account only, a guest's booking by whoever holds its secret
link. Then the reviews a listing page and its host read."""

from sqlalchemy import select

from core import reviews
from core.extensions import db
from core.reviews import NotYours, ReviewClosed
from tourism.models import Booking, Listing, ListingReview


def reviews_open(booking: Booking) -> bool:
    return booking.status == "completed"


def may_review(booking: Booking, user_id: int | None) -> bool:
    return booking.user_id is None or booking.user_id == user_id


REVIEWED = reviews.Reviewed(
    about=ListingReview.listing,
    owner=Listing.host,
    name_field="title",
    owner_page="tourism_host.reviews_page",
)


def write_review(booking_id: int, *, user_id: int | None, **sent) -> ListingReview:
    """The guest's review of one booking (`sent`: stars, body, language, pictures,
    upload_folder): NotYours, ReviewClosed, or what core.reviews.Reviewed.write refuses."""

    def review_of():
        booking = db.session.get(Booking, booking_id)
        if not may_review(booking, user_id):
            raise NotYours()
        if not reviews_open(booking):
            raise ReviewClosed()
        review = ListingReview(booking_id=booking.id, listing_id=booking.listing_id)
        return review, booking.user_id, booking.name

    return REVIEWED.write(review_of, **sent)


def review_of_booking(booking_id: int) -> ListingReview | None:
    return db.session.scalar(select(ListingReview).where(ListingReview.booking_id == booking_id))
