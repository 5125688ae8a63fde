"""What the review routes of every area share (core.reviews): the review form and its POST
(the photos checked by the upload pipeline), the size a review's request may have, its 413
page, the htmx "Xem thêm" answer, and the owner's reviews page with its one reply to each.
Each area says what is reviewed and who may review it."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from core import pictures, reviews, uploads
from core.bounds import number_arg
from core.db import TryAgain, busy_message
from core.forms import ReplyForm, ReviewForm
from core.i18n import current_language, localized
from core.uploads import UploadRejected, max_image_bytes, upload_folder

# A review's request: its photos at their largest, and room for the stars and the text.
FORM_ROOM = 64 * 1024


def review_request_bytes() -> int:
    return max_image_bytes() * reviews.MAX_PHOTOS + FORM_ROOM


def prepared_pictures(form) -> list | None:
    """The form's photos checked and re-encoded; None (with the reasons on the field, the rest
    of the form kept) when one is not a picture we take."""
    prepared, refused = [], []
    for file in form.files():
        try:
            prepared.append(uploads.prepare_image(file.stream, max_image_bytes()))
        except UploadRejected as error:
            refused.append(_("“%(name)s”: %(why)s", name=file.filename[:80], why=error.message))
    if refused:
        form.photos.errors = [*form.photos.errors, *refused]
        return None
    return prepared


def form_page(form, what: str, back_url: str, *, existing=None, refusal=None, verified=""):
    """The review form; instead of it the review written already (`existing`), or why none
    can be written (`refusal`, a ReviewError)."""
    return render_template(
        "core/review_form.html",
        form=form,
        what=what,
        back_url=back_url,
        existing=existing,
        refusal=refusal,
        verified=verified,
        max_image_mb=uploads.megabytes(max_image_bytes()),
    )


def refusal_of(existing, allowed: bool, is_open) -> reviews.ReviewError | None:
    """Why no review can be written: one written already (`existing`), another account's
    order or booking (`allowed` false), or not yet (`is_open()`, asked only then); None."""
    if existing is not None:
        return reviews.AlreadyReviewed()
    if not allowed:
        return reviews.NotYours()
    if not is_open():
        return reviews.ReviewClosed()
    return None


def review_form(what: str, back_url: str, verified: str, *, existing, refusal, write):
    """The review route of one order line or booking: the form (GET), or (POST) the review
    by `write(stars=, body=, language=, pictures=, upload_folder=)`, the area's write_review;
    instead of the form the review written already or why none can be (`refusal`)."""
    form = ReviewForm()
    if refusal is not None:
        if request.method == "POST":
            return refused(refusal, back_url)
        return form_page(
            form, what, back_url, existing=existing, refusal=refusal, verified=verified
        )
    if form.validate_on_submit():
        pictures = prepared_pictures(form)
        if pictures is not None:
            try:
                write(
                    stars=form.stars.data,
                    body=form.body.data,
                    language=current_language(),
                    pictures=pictures,
                    upload_folder=upload_folder(),
                )
                flash(_("Cảm ơn bạn đã đánh giá %(name)s!", name=what), "success")
                return redirect(back_url)
            except reviews.AlreadyReviewed as error:
                flash(error.message, "info")
                return redirect(back_url)
            except reviews.ReviewError as error:
                form.stars.errors = [*form.stars.errors, error.message]
            except TryAgain:
                flash(_("Hệ thống đang bận, chưa lưu được. Vui lòng thử lại."), "error")
    return form_page(form, what, back_url)


def refused(error, back_url: str):
    """A POST that cannot be a review: back to the order or booking, told why."""
    flash(error.message, "info" if isinstance(error, reviews.AlreadyReviewed) else "error")
    return redirect(back_url)


def too_large():
    message = _(
        "Tệp gửi lên quá lớn: ba ảnh cộng lại tối đa %(mb)s MB. Hãy chọn ảnh nhỏ hơn.",
        mb=uploads.megabytes(review_request_bytes()),
    )
    return pictures.too_large_page(
        message, _("Đánh giá chưa được gửi."), _("Quay lại biểu mẫu đánh giá")
    )


def page_number() -> int:
    return number_arg(request.args.get("page"), 1, 10_000) or 1


def limit_uploads(blueprint, endpoint: str) -> None:
    """On the area's blueprint, for its review route (`endpoint`): the request bounded before
    CSRF protection reads the form (three photos, a little room for the rest), and the 413
    page it answers when larger."""

    @blueprint.url_value_preprocessor
    def limit_review_upload(to, _values):
        if request.method == "POST" and to == endpoint:
            request.max_content_length = review_request_bytes()

    @blueprint.errorhandler(RequestEntityTooLarge)
    def review_too_large(error):
        if request.endpoint != endpoint:
            return error
        return too_large()


def more_reviews(item, page, more_url: str | None, name_field: str, endpoint: str, verified):
    """ "Xem thêm" of the item's reviews (`page`, then `more_url`): with htmx the next reviews
    alone (they replace the button); without it, a page of those reviews titled with the
    item's `name_field` and the way back to its page (`endpoint`)."""
    context = {"page": page, "more_url": more_url, "verified": verified}
    if request.htmx:
        return render_template("core/_review_items.html", **context)
    return render_template(
        "core/reviews_page.html",
        title=_("Đánh giá “%(name)s”", name=localized(item, name_field)),
        back_url=url_for(endpoint, slug=item.slug) + "#reviews",
        **context,
    )


def owner_routes(blueprint, reviewed: reviews.Reviewed, template: str) -> None:
    """On the cooperative's or host's blueprint (behind its guards, `g.cooperative` the owner):
    /reviews, every review of its items a page at a time, and the one reply to each."""

    def reviews_page(refused: dict | None = None):
        page = reviewed.of_owner(g.cooperative.id, page_number())
        return render_template(template, page=page, refused=refused)

    def refused_reply(review_id: int, typed: str, message: str):
        """The page again with the reply's text kept and why it was not sent."""
        return reviews_page({"id": review_id, "typed": typed, "message": message})

    def reply_review(review_id: int):
        owner_id = g.cooperative.id
        if reviewed.own(owner_id, review_id) is None:
            abort(404)
        shown = page_number()
        back = url_for(f"{blueprint.name}.reviews_page", page=shown if shown > 1 else None)
        back += f"#review-{review_id}"
        form = ReplyForm()
        typed = form.reply.data or ""
        if not form.validate():
            return refused_reply(review_id, typed, form.reply.errors[0])
        try:
            reviewed.reply(owner_id, review_id, form.reply.data)
            flash(_("Đã gửi trả lời."), "success")
        except reviews.AlreadyReplied as error:
            flash(error.message, "info")
        except reviews.ReviewError as error:
            return refused_reply(review_id, typed, error.message)
        except TryAgain:
            return refused_reply(review_id, typed, busy_message())
        return redirect(back)

    blueprint.add_url_rule("/reviews", view_func=reviews_page, methods=["GET"])
    blueprint.add_url_rule(
        "/reviews/<int:review_id>/reply", view_func=reply_review, methods=["POST"]
    )
