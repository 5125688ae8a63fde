"""What the review routes of every area share (core.reviews): the photos of a review form
checked by the upload pipeline, the size a review's request may have, its 413 page, and the
htmx "Xem thêm" answer."""

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _

from core import reviews, uploads
from core.uploads import UploadRejected, max_image_bytes

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


def refused(error, back_url: str):
    """A POST that cannot be a review: back to the order or booking, told why."""
    flash(error.message, "info" if isinstance(error, reviews.AlreadyReviewed) else "error")
    return redirect(back_url)


def too_large_page():
    message = _(
        "Tệp gửi lên quá lớn: ba ảnh cộng lại tối đa %(mb)s MB. Hãy chọn ảnh nhỏ hơn.",
        mb=uploads.megabytes(review_request_bytes()),
    )
    return render_template(
        "dashboard/too_large.html",
        message=message,
        nothing_saved=_("Đánh giá chưa được gửi."),
        back_url=request.path,
        back_label=_("Quay lại biểu mẫu đánh giá"),
    ), 413


def more_reviews(page, more_url: str | None, *, title: str, back_url: str, verified: str):
    """ "Xem thêm": with htmx the next reviews alone (they replace the button); without it, a
    page of those reviews with the way back."""
    context = {"page": page, "more_url": more_url, "verified": verified}
    if request.htmx:
        return render_template("core/_review_items.html", **context)
    return render_template("core/reviews_page.html", title=title, back_url=back_url, **context)
