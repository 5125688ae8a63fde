"""Reviews of listings: the guest's, from the booking page once the stay or tour is completed
(tourism.bookings); the listing page's "Xem thêm"; the host's reviews page with the one reply
to each. Rules in tourism.reviews and core.reviews; the routes' bodies in core.review_views."""

from functools import partial

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.i18n import localized
from core.review_views import (
    limit_uploads,
    more_reviews,
    owner_routes,
    page_number,
    refusal_of,
    review_form,
)
from tourism import reviews as guest_reviews
from tourism.host_views import tourism_host
from tourism.views import _listing, _visible_booking, bp, more_reviews_url

limit_uploads(bp, "tourism.review_booking")
owner_routes(tourism_host, guest_reviews.REVIEWED, "tourism/host/reviews.html")


@bp.get("/tourism/<slug>/reviews")
def listing_reviews(slug: str):
    """More of the listing's reviews ("Xem thêm"): ?page=2, 3, …"""
    item = _listing(slug)
    page = guest_reviews.REVIEWED.visible(item, page_number())
    more = more_reviews_url(item, page)
    return more_reviews(item, page, more, "title", "tourism.listing", _("Đã trải nghiệm"))


@bp.route("/bookings/<code>/review", methods=["GET", "POST"])
def review_booking(code: str):
    booking = _visible_booking(code)
    token = request.values.get("token", "")
    back = url_for("tourism.booking", code=booking.code, token=token or None)
    user_id = current_user.id if current_user.is_authenticated else None
    existing = guest_reviews.review_of_booking(booking.id)
    return review_form(
        localized(booking.listing, "title"),
        back,
        _("Đã trải nghiệm"),
        existing=existing,
        refusal=refusal_of(
            existing,
            guest_reviews.may_review(booking, user_id),
            partial(guest_reviews.reviews_open, booking),
        ),
        write=partial(guest_reviews.write_review, booking.id, user_id=user_id),
    )
