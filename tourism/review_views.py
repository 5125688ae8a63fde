"""Reviews of listings: the guest's, from the booking page once the stay or tour is completed
(tourism.bookings); the listing page's "Xem thêm"; the host's reviews page with the one reply
to each. Rules in tourism.reviews and core.reviews."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from core import reviews
from core.bounds import number_arg
from core.db import TryAgain
from core.forms import ReplyForm, ReviewForm
from core.i18n import current_language, localized
from core.review_views import (
    form_page,
    more_reviews,
    prepared_pictures,
    refused,
    review_request_bytes,
    too_large_page,
)
from core.uploads import upload_folder
from tourism import reviews as guest_reviews
from tourism.host_views import tourism_host
from tourism.views import _listing, _visible_booking, bp, more_reviews_url

REVIEW_ENDPOINT = "tourism.review_booking"


@bp.url_value_preprocessor
def limit_review_upload(endpoint, _values):
    # Before CSRF protection reads the form: three photos, a little room for the rest.
    if request.method == "POST" and endpoint == REVIEW_ENDPOINT:
        request.max_content_length = review_request_bytes()


@bp.errorhandler(RequestEntityTooLarge)
def review_too_large(error):
    if request.endpoint != REVIEW_ENDPOINT:
        return error
    return too_large_page()


@bp.get("/tourism/<slug>/reviews")
def listing_reviews(slug: str):
    """More of the listing's reviews ("Xem thêm"): ?page=2, 3, …"""
    item = _listing(slug)
    page = guest_reviews.listing_reviews(item, number_arg(request.args.get("page"), 1, 10_000) or 1)
    return more_reviews(
        page,
        more_reviews_url(item, page),
        title=_("Đánh giá “%(name)s”", name=localized(item, "title")),
        back_url=url_for("tourism.listing", slug=item.slug) + "#reviews",
        verified=_("Đã trải nghiệm"),
    )


@bp.route("/bookings/<code>/review", methods=["GET", "POST"])
def review_booking(code: str):
    booking = _visible_booking(code)
    token = request.values.get("token", "")
    back = url_for("tourism.booking", code=booking.code, token=token or None)
    user_id = current_user.id if current_user.is_authenticated else None
    form = ReviewForm()
    what = localized(booking.listing, "title")
    existing = guest_reviews.review_of_booking(booking.id)
    refusal = None
    if existing is not None:
        refusal = reviews.AlreadyReviewed()
    elif not guest_reviews.may_review(booking, user_id):
        refusal = reviews.NotYours()
    elif not guest_reviews.reviews_open(booking):
        refusal = reviews.ReviewClosed()
    if refusal is not None:
        if request.method == "POST":
            return refused(refusal, back)
        return form_page(
            form, what, back, existing=existing, refusal=refusal, verified=_("Đã trải nghiệm")
        )
    if form.validate_on_submit():
        pictures = prepared_pictures(form)
        if pictures is not None:
            try:
                guest_reviews.write_review(
                    booking.id,
                    user_id=user_id,
                    stars=form.stars.data,
                    body=form.body.data,
                    language=current_language(),
                    pictures=pictures,
                    upload_folder=upload_folder(),
                )
                flash(_("Cảm ơn bạn đã đánh giá %(name)s!", name=what), "success")
                return redirect(back)
            except reviews.AlreadyReviewed as error:
                flash(error.message, "info")
                return redirect(back)
            except reviews.ReviewError as error:
                form.stars.errors = [*form.stars.errors, error.message]
            except TryAgain:
                flash(_("Hệ thống đang bận, chưa lưu được. Vui lòng thử lại."), "error")
    return form_page(form, what, back)


@tourism_host.get("/reviews")
def reviews_page():
    page = guest_reviews.host_reviews(
        g.cooperative.id, number_arg(request.args.get("page"), 1, 10_000) or 1
    )
    return render_template("tourism/host/reviews.html", page=page)


@tourism_host.post("/reviews/<int:review_id>/reply")
def reply_review(review_id: int):
    if guest_reviews.own_review(g.cooperative.id, review_id) is None:
        abort(404)
    form = ReplyForm()
    back = url_for("tourism_host.reviews_page") + f"#review-{review_id}"
    if not form.validate():
        for error in form.reply.errors:
            flash(error, "error")
        return redirect(back)
    try:
        guest_reviews.reply(g.cooperative.id, review_id, form.reply.data)
        flash(_("Đã gửi trả lời."), "success")
    except reviews.AlreadyReplied as error:
        flash(error.message, "info")
    except reviews.ReviewError as error:
        flash(error.message, "error")
    except TryAgain:
        flash(_("Hệ thống đang bận. Vui lòng thử lại."), "error")
    return redirect(back)
