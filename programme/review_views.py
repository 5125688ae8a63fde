"""The office's reviews page (/admin/reviews): the newest reviews of products and listings,
each hidden with a reason (the author and the cooperative read it) or shown again; every
decision audited (programme.moderation)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.admin import admin
from core.bounds import number_arg
from core.db import TryAgain, flash_busy
from core.extensions import db
from core.forms import HideReviewForm
from marketplace import reviews as shop_reviews
from programme import moderation
from tourism import reviews as guest_reviews


@admin.get("/reviews")
def reviews():
    page = number_arg(request.args.get("page"), 1, 10_000) or 1
    return render_template(
        "admin/reviews.html",
        products=shop_reviews.REVIEWED.every(page),
        listings=guest_reviews.REVIEWED.every(page),
        page=page,
    )


@admin.post("/reviews/<kind>/<int:review_id>/hide")
def hide_review(kind: str, review_id: int):
    if kind not in moderation.REVIEW_KINDS:
        abort(404)
    model = moderation.REVIEW_KINDS[kind][0]
    if db.session.get(model, review_id) is None:
        abort(404)
    form = HideReviewForm()
    back = url_for("admin.reviews") + f"#{kind}-review-{review_id}"
    try:
        if request.form.get("unhide"):
            moderation.show_review(kind, review_id, current_user.id)
            flash(_("Đánh giá đã hiện lại."), "success")
        elif form.validate():
            moderation.hide_review(kind, review_id, current_user.id, form.reason.data or "")
            flash(_("Đã ẩn đánh giá."), "success")
        else:
            flash(_("Lý do quá dài."), "error")
    except moderation.ReasonRequired:
        flash(_("Hãy ghi lý do; người viết và hợp tác xã sẽ đọc lý do này."), "error")
    except TryAgain:
        flash_busy()
    return redirect(back)
